#pragma once

/* MpfHelperClient: the unprivileged side of mprflash-helper. Spawns the
 * helper (directly when root or when the helper has file capabilities,
 * otherwise through pkexec), speaks its line-delimited JSON protocol
 * (src/helper/PROTOCOL.md) and turns replies into GTask results and events
 * into the detailed "event" signal. Dropping the last reference, or the
 * client's process dying, closes the helper's stdin: the helper then
 * removes every address it added and exits. */

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define MPF_HELPER_CLIENT_ERROR (mpf_helper_client_error_quark ())

/* The first eight mirror the helper's error codes one to one. */
typedef enum {
  MPF_HELPER_CLIENT_ERROR_BAD_REQUEST,
  MPF_HELPER_CLIENT_ERROR_UNKNOWN_OP,
  MPF_HELPER_CLIENT_ERROR_BAD_INTERFACE,
  MPF_HELPER_CLIENT_ERROR_NOT_ALLOWED,
  MPF_HELPER_CLIENT_ERROR_TOO_BIG,
  MPF_HELPER_CLIENT_ERROR_STATE,
  MPF_HELPER_CLIENT_ERROR_FAILED,
  MPF_HELPER_CLIENT_ERROR_BAD_IMAGE, /* e.g. not a uImage, or too big for recovery */
  MPF_HELPER_CLIENT_ERROR_SPAWN,     /* could not start the helper at all */
  MPF_HELPER_CLIENT_ERROR_NOT_AUTHORIZED, /* pkexec: dismissed or refused */
  MPF_HELPER_CLIENT_ERROR_EXITED,    /* the helper went away */
  MPF_HELPER_CLIENT_ERROR_PROTOCOL,  /* the helper said something we do not understand */
} MpfHelperClientError;

GQuark mpf_helper_client_error_quark (void);

typedef enum {
  MPF_HELPER_CLIENT_SERVE_RECOVERY, /* Hame bootloader: recovery container */
  MPF_HELPER_CLIENT_SERVE_STANDARD, /* any standard client: the file as-is */
} MpfHelperClientServeMode;

#define MPF_TYPE_HELPER_CLIENT (mpf_helper_client_get_type ())
G_DECLARE_FINAL_TYPE (MpfHelperClient, mpf_helper_client, MPF, HELPER_CLIENT, GObject)

/* Spawns the helper and waits for its "hello". The path comes from the
 * MPF_HELPER_PATH environment variable (tests: the build tree's helper),
 * else LIBEXECDIR/mprflash-helper. */
void             mpf_helper_client_new_async    (GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
MpfHelperClient *mpf_helper_client_new_finish   (GAsyncResult        *result,
                                                 GError             **error);

/* The helper's "hello" reply (protocol, caps, addresses, ...). */
JsonObject      *mpf_helper_client_get_hello    (MpfHelperClient *self);
gboolean         mpf_helper_client_is_running   (MpfHelperClient *self);

/* Any request: @args (may be NULL, not consumed) gets "id" and "op" added
 * in a copy. Finishes with the reply object (transfer full). Cancelling
 * only stops waiting; the helper still carries the request out. */
void             mpf_helper_client_call_async   (MpfHelperClient     *self,
                                                 const char          *op,
                                                 JsonObject          *args,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
JsonObject      *mpf_helper_client_call_finish  (MpfHelperClient     *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);

/* Typed shortcuts; each finishes with mpf_helper_client_finish(). */
void mpf_helper_client_watch_async      (MpfHelperClient *self, const char *interface,
                                         GCancellable *cancellable,
                                         GAsyncReadyCallback callback, gpointer user_data);
void mpf_helper_client_arp_probe_async  (MpfHelperClient *self, const char *interface,
                                         GCancellable *cancellable,
                                         GAsyncReadyCallback callback, gpointer user_data);
/* @cidr: one of the helper's allowed addresses, e.g. "192.168.1.55/24". */
void mpf_helper_client_addr_add_async   (MpfHelperClient *self, const char *interface,
                                         const char *cidr, GCancellable *cancellable,
                                         GAsyncReadyCallback callback, gpointer user_data);
void mpf_helper_client_addr_del_async   (MpfHelperClient *self, const char *interface,
                                         const char *cidr, GCancellable *cancellable,
                                         GAsyncReadyCallback callback, gpointer user_data);
/* Sends the image bytes (never a path) in base64 chunks with its SHA-256. */
void mpf_helper_client_send_image_async (MpfHelperClient *self, GBytes *image,
                                         GCancellable *cancellable,
                                         GAsyncReadyCallback callback, gpointer user_data);
/* @address: the dotted quad to serve from (NULL: 192.168.1.55). */
void mpf_helper_client_serve_tftp_async (MpfHelperClient *self, const char *interface,
                                         const char *address, MpfHelperClientServeMode mode,
                                         GCancellable *cancellable,
                                         GAsyncReadyCallback callback, gpointer user_data);
void mpf_helper_client_serve_stop_async (MpfHelperClient *self, GCancellable *cancellable,
                                         GAsyncReadyCallback callback, gpointer user_data);
gboolean mpf_helper_client_finish       (MpfHelperClient *self, GAsyncResult *result,
                                         GError **error);

/* The session capture for the diagnostics report (PROTOCOL.md, "Session
 * capture"): from capture-start on, the helper keeps a bounded, redacted
 * record of the interface's frames in both directions. Start finishes with
 * mpf_helper_client_finish(); dump finishes with the pcap file's bytes
 * (transfer full) and leaves the recording running. */
void mpf_helper_client_capture_start_async (MpfHelperClient *self, const char *interface,
                                            GCancellable *cancellable,
                                            GAsyncReadyCallback callback, gpointer user_data);
void mpf_helper_client_capture_dump_async  (MpfHelperClient *self, GCancellable *cancellable,
                                            GAsyncReadyCallback callback, gpointer user_data);
GBytes *mpf_helper_client_capture_dump_finish (MpfHelperClient *self, GAsyncResult *result,
                                               GError **error);

/* Closes the helper's stdin (it undoes everything) and waits for it to
 * exit. Finishes with mpf_helper_client_finish(). */
void mpf_helper_client_close_async      (MpfHelperClient *self, GCancellable *cancellable,
                                         GAsyncReadyCallback callback, gpointer user_data);

/*
 * Signals:
 *  "event" (detailed by the event name, e.g. "event::seen"):
 *          (const char *name, JsonObject *fields) — fields include "event".
 *  "exited" (int wait_status): the helper process ended.
 */

G_END_DECLS
