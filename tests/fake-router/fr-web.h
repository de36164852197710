/* fr-web.h — the firmware's web servers. Each returns a SoupServer with its
 * handlers attached (not yet listening); fr-device.c listens and disconnects. */
#pragma once

#include <libsoup/soup.h>
#include "fr-device.h"

G_BEGIN_DECLS

/* Hame stock or MPR-L8 stock (GoAhead, Ralink SDK). */
SoupServer *fr_web_goahead_new (FrDevice *dev, FrFamily family, const char *lan_address);
/* OpenWrt 14.07 LuCI on uhttpd. */
SoupServer *fr_web_luci_new (FrDevice *dev, const char *lan_address);

G_END_DECLS
