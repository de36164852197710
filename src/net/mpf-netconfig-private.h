#pragma once

/* Shared between MpfNetconfig and its two backends. */

#include "mpf-netconfig.h"

G_BEGIN_DECLS

struct _MpfNetconfig {
  GObject              parent_instance;
  char                *ifname;
  NMClient            *client;        /* NULL without NetworkManager */
  MpfHelperClient     *helper;        /* nullable */
  MpfNetconfigBackend  backend;       /* what is applied now */
  MpfNetconfigPurpose  purpose;       /* of the last apply */

  /* NetworkManager backend */
  NMActiveConnection  *active;        /* our temporary profile's activation */
  char                *our_uuid;
  NMRemoteConnection  *previous;      /* the user's profile active before */
  gboolean             remembered;    /* previous was looked up already */

  /* helper backend: "a.b.c.d/p" strings added by the helper */
  GPtrArray           *helper_added;
};

/* Each takes ownership of @task and returns a boolean through it. */
void mpf_netconfig_nm_apply       (MpfNetconfig *self, NMDevice *device,
                                   MpfNetconfigPurpose purpose, GTask *task);
void mpf_netconfig_nm_restore     (MpfNetconfig *self, GTask *task);
/* Finishes @task (owned) once the kernel carries every address of
 * self->purpose: NetworkManager's "activated" can come a moment before they
 * are there. Replaces the task's data. */
void mpf_netconfig_wait_addresses (GTask *task);
void mpf_netconfig_helper_apply   (MpfNetconfig *self, MpfNetconfigPurpose purpose, GTask *task);
void mpf_netconfig_helper_restore (MpfNetconfig *self, GTask *task);

G_END_DECLS
