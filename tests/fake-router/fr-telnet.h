/* fr-telnet.h — telnet (23) and, on OpenWrt, the SSH banner (22). */
#pragma once

#include "fr-device.h"

G_BEGIN_DECLS

/* Started services (GSocketService*, free with fr_telnet_service_free). */
GPtrArray *fr_telnet_start (FrDevice *dev, FrFamily family, GError **error);
void       fr_telnet_service_free (gpointer service);

G_END_DECLS
