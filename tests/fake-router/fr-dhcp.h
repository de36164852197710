/* fr-dhcp.h — the firmware's DHCP server: Debian's dnsmasq as a child. */
#pragma once

#include "fr-device.h"

G_BEGIN_DECLS

typedef struct _FrDhcp FrDhcp;

/* Serves @first..@last (dotted quads) on the device's interface. */
FrDhcp *fr_dhcp_start (FrDevice *dev, const char *first, const char *last, GError **error);
void    fr_dhcp_stop (FrDhcp *dhcp);

G_END_DECLS
