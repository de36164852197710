/* fr-control.h — the control channel (Unix socket, line commands, JSON replies). */
#pragma once

#include "fr-device.h"

G_BEGIN_DECLS

typedef struct _FrControl FrControl;

FrControl *fr_control_new (FrDevice *dev, const char *path, GMainLoop *loop, GError **error);
void       fr_control_free (FrControl *ctl);

/* Client side (`--send`): one command, prints the reply line. Returns 0 when
 * the reply says ok, 1 when it does not, 2 when there was no reply. */
int        fr_control_send (const char *path, const char *command, GError **error);

G_END_DECLS
