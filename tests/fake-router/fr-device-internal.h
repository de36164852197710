/* fr-device-internal.h — the FrDevice instance, shared by the files that
 * implement it (fr-device.c, fr-device-flash.c, fr-device-net.c,
 * fr-device-faults.c). Nothing else includes this. */
#pragma once

#include <libsoup/soup.h>

#include "fr-bootloader.h"
#include "fr-device-private.h"
#include "fr-dhcp.h"
#include "fr-flash.h"

G_BEGIN_DECLS

typedef struct {
  gint64 t_ms;
  guint  boot;
  char  *kind;
  char  *text;
} FrEvent;

struct _FrDevice {
  GObject parent_instance;

  FrDeviceConfig config;
  FrFaults       faults;
  FrFlash       *flash;

  FrMode    mode;
  FrFamily  family;
  char     *version;
  char     *boot_reason;
  gboolean  reset_held;
  gboolean  power_lost;      /* a cut is pending: behave as off at once */
  guint     boot_count;
  gint64    start_us;
  gint64    power_on_us;

  GCancellable *power_cancellable; /* cancelled whenever the power goes */
  guint     boot_source;
  guint     reboot_source;
  gboolean  reboot_reset_held;
  guint     cut_source;
  guint     drop_web_source;

  FrBootloader *bootloader;    /* bootsim's module, while in recovery */
  SoupServer *web;
  FrDhcp     *dhcp;
  GPtrArray  *doors;           /* telnet / ssh services */
  GStrv       addresses;

  char      *last_upload;
  GPtrArray *events;           /* FrEvent* */
};


/* fr-device-flash.c */
gboolean fr_device_update_flag_is_set (FrDevice *self);
/* fr-device-net.c */
void     fr_device_set_link (FrDevice *self, gboolean up);
void     fr_device_set_mac (FrDevice *self, gboolean recovery);

G_END_DECLS
