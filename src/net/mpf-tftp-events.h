#pragma once

#include <json-glib/json-glib.h>

#include "mpf-tftp-engine.h"

G_BEGIN_DECLS

/* The TFTP engine's signals as protocol events (PROTOCOL.md, "TFTP events"),
 * shared by the privileged helper and the demo environment so both speak the
 * same events. */
typedef void (*MpfTftpEventFunc) (const char *event, JsonObject *object, gpointer user_data);

/* Connects every engine signal; each one calls @emit with its event name and
 * object. Disconnect with mpf_tftp_events_disconnect before dropping @user_data. */
void mpf_tftp_events_connect    (MpfTftpEngine *engine, MpfTftpEventFunc emit, gpointer user_data);
void mpf_tftp_events_disconnect (MpfTftpEngine *engine);

G_END_DECLS
