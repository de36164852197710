#pragma once

/* The helper's wire protocol (src/helper/PROTOCOL.md): one JSON object per
 * line. This file is pure (no sockets, no privileges) so the parser can be
 * fuzzed and unit-tested on its own. */

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define MPF_HELPER_PROTOCOL_VERSION 1

/* Longest accepted request line, newline excluded. */
#define MPF_HELPER_MAX_LINE (256 * 1024)
/* Largest decoded payload of one image-data request. */
#define MPF_HELPER_MAX_CHUNK (64 * 1024)
/* Largest image: the biggest flash of any supported board (8 MiB). */
#define MPF_HELPER_MAX_IMAGE (8u * 1024u * 1024u)
/* Interface names are IFNAMSIZ - 1 characters at most. */
#define MPF_HELPER_MAX_IFNAME 15

#define MPF_HELPER_ERROR (mpf_helper_error_quark ())

/* Each code has a stable wire name (see mpf_helper_error_code_name). */
typedef enum {
  MPF_HELPER_ERROR_BAD_REQUEST,   /* not JSON, not an object, missing/ill-typed field */
  MPF_HELPER_ERROR_UNKNOWN_OP,
  MPF_HELPER_ERROR_BAD_INTERFACE, /* missing, not wired Ethernet, or not the session's */
  MPF_HELPER_ERROR_NOT_ALLOWED,   /* address or target outside the fixed table */
  MPF_HELPER_ERROR_TOO_BIG,       /* image or line over the cap */
  MPF_HELPER_ERROR_STATE,         /* request out of order (e.g. serve before image) */
  MPF_HELPER_ERROR_FAILED,        /* the system call behind the request failed */
  MPF_HELPER_ERROR_BAD_IMAGE,     /* the image cannot be served in that mode */
} MpfHelperError;

GQuark       mpf_helper_error_quark      (void);
const char  *mpf_helper_error_code_name  (MpfHelperError code);

typedef enum {
  MPF_HELPER_OP_HELLO,
  MPF_HELPER_OP_WATCH,
  MPF_HELPER_OP_ARP_PROBE,
  MPF_HELPER_OP_ADDR_ADD,
  MPF_HELPER_OP_ADDR_DEL,
  MPF_HELPER_OP_IMAGE,
  MPF_HELPER_OP_IMAGE_DATA,
  MPF_HELPER_OP_SERVE_TFTP,
  MPF_HELPER_OP_SERVE_STOP,
  MPF_HELPER_OP_QUIT,
  MPF_HELPER_OP_CAPTURE_START,
  MPF_HELPER_OP_CAPTURE_DUMP,
} MpfHelperOp;

typedef enum {
  MPF_HELPER_SERVE_RECOVERY, /* wrap in the Hame recovery container */
  MPF_HELPER_SERVE_STANDARD, /* the image as-is, RFC 1350 + options */
} MpfHelperServeMode;

/* One row of the fixed address table: the only addresses the helper will
 * put on an interface or serve from. */
typedef struct {
  const char *address;  /* dotted quad */
  guint8      prefix;
  const char *why;      /* for PROTOCOL.md and error messages */
} MpfHelperAddress;

const MpfHelperAddress *mpf_helper_allowed_addresses (gsize *n_out);
/* The known default router addresses an ARP probe may target. */
const char *const      *mpf_helper_probe_targets     (void);

/* Returns the table row for "a.b.c.d/p", or NULL. */
const MpfHelperAddress *mpf_helper_address_lookup    (const char *cidr);
/* Returns the table row whose address is "a.b.c.d" (no prefix), or NULL. */
const MpfHelperAddress *mpf_helper_address_lookup_ip (const char *ip);

typedef struct {
  gint64              id;          /* -1 when the line had no usable id */
  MpfHelperOp         op;
  char               *interface;   /* watch, arp-probe, addr-*, serve-tftp, capture-start */
  const MpfHelperAddress *address; /* addr-*, serve-tftp */
  guint               probe_mask;  /* arp-probe: bit i = mpf_helper_probe_targets()[i] */
  guint64             size;        /* image */
  guint8              sha256[32];  /* image */
  GBytes             *data;        /* image-data, decoded */
  MpfHelperServeMode  mode;        /* serve-tftp */
} MpfHelperRequest;

void mpf_helper_request_clear (MpfHelperRequest *req);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (MpfHelperRequest, mpf_helper_request_clear)

/* Parses and validates one line (without its newline). On failure returns
 * FALSE, sets @error and still fills req->id when the line carried one, so
 * the error reply can name the request. Never touches the system. */
gboolean mpf_helper_request_parse (const char       *line,
                                   gsize             len,
                                   MpfHelperRequest *req,
                                   GError          **error);

/* Where the watcher and the TFTP service send what happens: @emit gets an
 * event name and its fields; @fatal ends the session (after cleanup). */
typedef struct {
  void     (*emit)  (const char *event, JsonObject *fields, gpointer user_data);
  void     (*fatal) (const char *message, gpointer user_data);
  gpointer   user_data;
} MpfHelperSink;

/* Serialised replies and events, each one line ending in '\n'. */
char *mpf_helper_reply_ok    (gint64 id, JsonObject *extra);
char *mpf_helper_reply_error (gint64 id, const GError *error);
char *mpf_helper_event       (const char *name, JsonObject *fields);

/* Validated interface name syntax: 1..15 of [A-Za-z0-9_.-@:], not "." or "..". */
gboolean mpf_helper_ifname_is_valid (const char *name);

G_END_DECLS
