#include "config.h"

#include "mpf-netconfig-private.h"
#include "mpf-helper-client.h"

#include <glib/gi18n.h>

/* Without NetworkManager the helper adds and removes the addresses over
 * rtnetlink, one request at a time. Only addresses the helper reports as
 * newly added are ours to remove later: one that was already there belongs
 * to someone else. Applying another purpose adds what is missing and keeps
 * the rest (an extra address in a default subnet is harmless); restore
 * removes everything we added. */

typedef struct {
  GPtrArray *todo;   /* "a.b.c.d/p" still to add or delete */
  gboolean   adding;
  GError    *first_error;
} Step;

static void
step_free (Step *step)
{
  g_ptr_array_unref (step->todo);
  g_clear_error (&step->first_error);
  g_free (step);
}

static char *
cidr (const MpfNetAddress *a)
{
  return g_strdup_printf ("%s/%u", a->address, a->prefix);
}

static void next_step (GTask *task);

static void
added_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  MpfNetconfig *self = g_task_get_source_object (task);
  Step *step = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) reply = mpf_helper_client_call_finish (MPF_HELPER_CLIENT (source), result, &error);
  g_autofree char *address = g_ptr_array_steal_index (step->todo, 0);

  if (reply == NULL)
    {
      g_task_return_new_error (task, MPF_NETCONFIG_ERROR, MPF_NETCONFIG_ERROR_ACTIVATION_FAILED,
                               _("The mprflash helper could not add the address %s: %s"),
                               address, error->message);
      g_object_unref (task);
      return;
    }
  if (!json_object_get_boolean_member_with_default (reply, "existed", FALSE))
    g_ptr_array_add (self->helper_added, g_steal_pointer (&address));
  next_step (task);
}

static void
deleted_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  Step *step = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *address = g_ptr_array_steal_index (step->todo, 0);

  if (!mpf_helper_client_finish (MPF_HELPER_CLIENT (source), result, &error) && step->first_error == NULL)
    step->first_error = g_error_new (MPF_NETCONFIG_ERROR, MPF_NETCONFIG_ERROR_RESTORE_FAILED,
                                     _("The mprflash helper could not remove the address %s: %s"),
                                     address, error->message);
  next_step (task);
}

/* Works through step->todo; owns one reference to @task. */
static void
next_step (GTask *task)
{
  MpfNetconfig *self = g_task_get_source_object (task);
  Step *step = g_task_get_task_data (task);
  MpfHelperClient *helper = MPF_HELPER_CLIENT (self->helper);

  if (step->todo->len > 0 && step->adding)
    {
      g_autoptr(JsonObject) args = json_object_new ();

      json_object_set_string_member (args, "interface", self->ifname);
      json_object_set_string_member (args, "address", g_ptr_array_index (step->todo, 0));
      mpf_helper_client_call_async (helper, "addr-add", args, NULL, added_cb, task);
      return;
    }
  if (step->todo->len > 0)
    {
      const char *address = g_ptr_array_index (step->todo, 0);
      guint index;

      if (g_ptr_array_find_with_equal_func (self->helper_added, address, g_str_equal, &index))
        g_ptr_array_remove_index (self->helper_added, index);
      mpf_helper_client_addr_del_async (helper, self->ifname, address, NULL, deleted_cb, task);
      return;
    }

  if (!step->adding)
    {
      self->backend = MPF_NETCONFIG_BACKEND_NONE;
      if (step->first_error != NULL)
        g_task_return_error (task, g_steal_pointer (&step->first_error));
      else
        g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  mpf_netconfig_wait_addresses (task);
}

static Step *
step_new (gboolean adding)
{
  Step *step = g_new0 (Step, 1);

  step->todo = g_ptr_array_new_with_free_func (g_free);
  step->adding = adding;
  return step;
}

void
mpf_netconfig_helper_apply (MpfNetconfig *self, MpfNetconfigPurpose purpose, GTask *task)
{
  const MpfNetAddress *addrs;
  Step *step = step_new (TRUE);
  gsize n;

  if (self->helper_added == NULL)
    self->helper_added = g_ptr_array_new_with_free_func (g_free);
  self->backend = MPF_NETCONFIG_BACKEND_HELPER;

  addrs = mpf_netconfig_addresses (purpose, &n);
  for (gsize i = 0; i < n; i++)
    {
      g_autofree char *c = cidr (&addrs[i]);

      if (!g_ptr_array_find_with_equal_func (self->helper_added, c, g_str_equal, NULL))
        g_ptr_array_add (step->todo, g_steal_pointer (&c));
    }
  g_task_set_task_data (task, step, (GDestroyNotify) step_free);
  next_step (task);
}

void
mpf_netconfig_helper_restore (MpfNetconfig *self, GTask *task)
{
  Step *step = step_new (FALSE);

  for (guint i = 0; self->helper_added != NULL && i < self->helper_added->len; i++)
    g_ptr_array_add (step->todo, g_strdup (g_ptr_array_index (self->helper_added, i)));
  g_task_set_task_data (task, step, (GDestroyNotify) step_free);
  next_step (task);
}
