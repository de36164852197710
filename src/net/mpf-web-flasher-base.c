/* What both web flashers hold alike: properties, session, the upload request. */
#include "config.h"

#include "mpf-identify.h"
#include "mpf-web-flasher-private.h"

void
mpf_web_flasher_base_init (MpfWebFlasherBase *base, guint verdict_timeout_ms)
{
  base->timeout_ms = 15000;
  base->verdict_timeout_ms = verdict_timeout_ms;
  /* Our own time limits apply; the session's I/O timeout stays off. */
  base->session = mpf_identify_new_session (0);
}

void
mpf_web_flasher_base_clear (MpfWebFlasherBase *base)
{
  g_clear_pointer (&base->address, g_free);
  g_clear_object (&base->session);
}

void
mpf_web_flasher_base_override_properties (GObjectClass *object_class)
{
  g_object_class_override_property (object_class, MPF_WEB_FLASHER_BASE_PROP_ADDRESS, "address");
  g_object_class_override_property (object_class, MPF_WEB_FLASHER_BASE_PROP_TIMEOUT_MS,
                                    "timeout-ms");
  g_object_class_override_property (object_class, MPF_WEB_FLASHER_BASE_PROP_VERDICT_TIMEOUT_MS,
                                    "verdict-timeout-ms");
}

gboolean
mpf_web_flasher_base_get_property (MpfWebFlasherBase *base, guint prop_id, GValue *value)
{
  switch (prop_id)
    {
    case MPF_WEB_FLASHER_BASE_PROP_ADDRESS:
      g_value_set_string (value, base->address);
      return TRUE;
    case MPF_WEB_FLASHER_BASE_PROP_TIMEOUT_MS:
      g_value_set_uint (value, base->timeout_ms);
      return TRUE;
    case MPF_WEB_FLASHER_BASE_PROP_VERDICT_TIMEOUT_MS:
      g_value_set_uint (value, base->verdict_timeout_ms);
      return TRUE;
    default:
      return FALSE;
    }
}

gboolean
mpf_web_flasher_base_set_property (MpfWebFlasherBase *base, guint prop_id, const GValue *value)
{
  switch (prop_id)
    {
    case MPF_WEB_FLASHER_BASE_PROP_ADDRESS:
      g_free (base->address);
      base->address = g_value_dup_string (value);
      return TRUE;
    case MPF_WEB_FLASHER_BASE_PROP_TIMEOUT_MS:
      base->timeout_ms = g_value_get_uint (value);
      return TRUE;
    case MPF_WEB_FLASHER_BASE_PROP_VERDICT_TIMEOUT_MS:
      base->verdict_timeout_ms = g_value_get_uint (value);
      return TRUE;
    default:
      return FALSE;
    }
}

void
mpf_web_flasher_base_send_async (MpfWebFlasherBase *base, MpfWebFlasher *self, SoupMessage *msg,
                                 guint64 upload_total, GCancellable *cancellable,
                                 GAsyncReadyCallback callback, gpointer user_data)
{
  mpf_web_flasher_send_async (self, base->session, msg, upload_total, base->timeout_ms,
                              upload_total > 0 ? base->verdict_timeout_ms : base->timeout_ms,
                              cancellable, callback, user_data);
}

SoupMessage *
mpf_web_flasher_new_upload_message (const char *url, const char *field, const char *filename,
                                    GBytes *payload, guint64 *body_size)
{
  g_autofree char *boundary = mpf_web_flasher_pick_boundary (payload);
  g_autoptr(GBytes) body = mpf_web_flasher_build_multipart (boundary, field, filename, payload);
  g_autofree char *ctype = g_strdup_printf ("multipart/form-data; boundary=%s", boundary);
  SoupMessage *msg = soup_message_new (SOUP_METHOD_POST, url);

  /* A fresh connection: a dropped upload must never be replayed silently. */
  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT | SOUP_MESSAGE_NEW_CONNECTION);
  soup_message_set_request_body_from_bytes (msg, ctype, body);
  *body_size = g_bytes_get_size (body);
  return msg;
}
