#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>
#include "mpf-fingerprint.h"

G_BEGIN_DECLS

/* Runs the probes of a rule set against one address and matches what it saw.
 * Every response (status, headers, the start of the body) is kept for the
 * diagnostics report, so a wrong rule can be corrected from one bug report. */
#define MPF_TYPE_IDENTIFY (mpf_identify_get_type ())
G_DECLARE_FINAL_TYPE (MpfIdentify, mpf_identify, MPF, IDENTIFY, GObject)

/* @address: "192.168.169.1" or "127.0.0.1:8080" (HTTP port given). */
MpfIdentify *mpf_identify_new (MpfFingerprint *rules, const char *address);

/* Per-probe time limit (default 4000 ms); a probe that runs out is recorded
 * as unanswered and the next one runs. */
void         mpf_identify_set_timeout_ms (MpfIdentify *self, guint timeout_ms);
/* Banner probes read what the port says for this long (default 1500 ms). */
void         mpf_identify_set_banner_window_ms (MpfIdentify *self, guint window_ms);
/* Tests: send probes meant for TCP port @from to @to instead. */
void         mpf_identify_map_port (MpfIdentify *self, guint16 from, guint16 to);

/* Runs every probe in file order, one after the other (gentle on the small
 * servers of these routers). Never fails for an unknown or silent device:
 * the result then says "unknown" and answered = FALSE. Fails only when
 * cancelled (G_IO_ERROR_CANCELLED). May be run once. */
void         mpf_identify_run_async (MpfIdentify *self, GCancellable *cancellable,
                                     GAsyncReadyCallback callback, gpointer user_data);
MpfFingerprintResult *mpf_identify_run_finish (MpfIdentify *self, GAsyncResult *result,
                                               GError **error);

const char  *mpf_identify_get_address (MpfIdentify *self);
/* Of MpfHttpObservation*, in probe order (also after a cancel: what was seen). */
GPtrArray   *mpf_identify_get_observations (MpfIdentify *self);
/* The diagnostics form: address, verdict, matched rules and every observation. */
JsonNode    *mpf_identify_to_json_node (MpfIdentify *self);

/* A session fit for talking to a router on the LAN: never through a proxy,
 * I/O timeout @timeout_s seconds (0: none). Shared with the web flashers. */
SoupSession *mpf_identify_new_session (guint timeout_s);

G_END_DECLS
