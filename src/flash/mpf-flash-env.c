#include "config.h"

#include "mpf-flash-env.h"

G_DEFINE_INTERFACE (MpfFlashEnv, mpf_flash_env, G_TYPE_OBJECT)

static void
mpf_flash_env_default_init (MpfFlashEnvInterface *iface)
{
  g_signal_new ("event", G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                G_TYPE_NONE, 2, G_TYPE_STRING, JSON_TYPE_OBJECT);
}

void
mpf_flash_env_find_link_async (MpfFlashEnv *self, const char *interface, GCancellable *cancellable,
                               GAsyncReadyCallback callback, gpointer user_data)
{
  MPF_FLASH_ENV_GET_IFACE (self)->find_link_async (self, interface, cancellable, callback, user_data);
}

void
mpf_flash_env_configure_async (MpfFlashEnv *self, MpfNetconfigPurpose purpose, GCancellable *cancellable,
                               GAsyncReadyCallback callback, gpointer user_data)
{
  MPF_FLASH_ENV_GET_IFACE (self)->configure_async (self, purpose, cancellable, callback, user_data);
}

void
mpf_flash_env_discover_async (MpfFlashEnv *self, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data)
{
  MPF_FLASH_ENV_GET_IFACE (self)->discover_async (self, cancellable, callback, user_data);
}

void
mpf_flash_env_serve_async (MpfFlashEnv *self, GBytes *uimage, gboolean again, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data)
{
  MPF_FLASH_ENV_GET_IFACE (self)->serve_async (self, uimage, again, cancellable, callback, user_data);
}

void
mpf_flash_env_serve_stop_async (MpfFlashEnv *self, GCancellable *cancellable,
                                GAsyncReadyCallback callback, gpointer user_data)
{
  MPF_FLASH_ENV_GET_IFACE (self)->serve_stop_async (self, cancellable, callback, user_data);
}

void
mpf_flash_env_restore_async (MpfFlashEnv *self, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data)
{
  MPF_FLASH_ENV_GET_IFACE (self)->restore_async (self, cancellable, callback, user_data);
}

char *
mpf_flash_env_http_address (MpfFlashEnv *self, const char *address)
{
  return MPF_FLASH_ENV_GET_IFACE (self)->http_address (self, address);
}

gboolean
mpf_flash_env_can_act (MpfFlashEnv *self)
{
  return MPF_FLASH_ENV_GET_IFACE (self)->user_action != NULL;
}

void
mpf_flash_env_user_action (MpfFlashEnv *self, const char *action)
{
  if (MPF_FLASH_ENV_GET_IFACE (self)->user_action != NULL)
    MPF_FLASH_ENV_GET_IFACE (self)->user_action (self, action);
}

gboolean
mpf_flash_env_has_carrier (MpfFlashEnv *self)
{
  return MPF_FLASH_ENV_GET_IFACE (self)->has_carrier (self);
}

const char *
mpf_flash_env_describe (MpfFlashEnv *self)
{
  return MPF_FLASH_ENV_GET_IFACE (self)->describe (self);
}

gboolean
mpf_flash_env_finish_boolean (MpfFlashEnv *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

gpointer
mpf_flash_env_finish_pointer (MpfFlashEnv *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
mpf_flash_env_emit (MpfFlashEnv *self, const char *name, JsonObject *fields)
{
  g_signal_emit_by_name (self, "event", name, fields);
}
