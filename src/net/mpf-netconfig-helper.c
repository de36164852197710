#include "config.h"

#include "mpf-netconfig-private.h"

#include <glib/gi18n.h>

void
mpf_netconfig_helper_apply (MpfNetconfig *self, MpfNetconfigPurpose purpose, GTask *task)
{
  g_task_return_new_error (task, MPF_NETCONFIG_ERROR, MPF_NETCONFIG_ERROR_UNMANAGED,
                           _("The mprflash helper cannot configure “%s”."), self->ifname);
  g_object_unref (task);
}

void
mpf_netconfig_helper_restore (MpfNetconfig *self, GTask *task)
{
  self->backend = MPF_NETCONFIG_BACKEND_NONE;
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}
