#pragma once

/* Capability bookkeeping: the helper keeps only the three network
 * capabilities it may need and drops each once its socket is open. */

#include <glib.h>
#include <sys/capability.h>

G_BEGIN_DECLS

/* At start: permitted = effective = {net_raw, net_bind_service, net_admin}
 * ∩ what the process had; nothing inheritable; no new privileges on exec. */
gboolean  mpf_helper_caps_limit  (GError **error);

/* Removes @cap from the permitted and effective sets for good. */
gboolean  mpf_helper_caps_drop   (cap_value_t cap, GError **error);

/* Names of the effective capabilities that remain ("cap_net_admin", ...). */
GStrv     mpf_helper_caps_list   (void);

G_END_DECLS
