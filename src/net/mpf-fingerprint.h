#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>
#include "mpf-catalog.h"

G_BEGIN_DECLS

/* How a recognised web UI wants to be logged into (data/fingerprints.json "login"). */
typedef enum {
  MPF_LOGIN_SCHEME_UNKNOWN,
  MPF_LOGIN_SCHEME_NONE,
  MPF_LOGIN_SCHEME_GOAHEAD_MD5,   /* POST /goform/signin admpass=md5hex(password) */
  MPF_LOGIN_SCHEME_LUCI_SYSAUTH,  /* LuCI: sysauth cookie + ;stok= token */
} MpfLoginScheme;

const char    *mpf_login_scheme_to_string (MpfLoginScheme scheme);   /* "goahead-md5", ... */
MpfLoginScheme mpf_login_scheme_from_string (const char *s);

typedef enum {
  MPF_PROBE_KIND_HTTP,     /* an HTTP request; redirects are never followed */
  MPF_PROBE_KIND_BANNER,   /* connect to a TCP port and read what it says first */
} MpfProbeKind;

/* One probe of the rule set, read-only, owned by the MpfFingerprint. */
typedef struct {
  const char  *id;
  MpfProbeKind kind;
  const char  *method;     /* HTTP only */
  const char  *path;       /* HTTP only */
  guint16      port;       /* 0: the HTTP port of the address */
  gsize        read_max;   /* banner: bytes to read at most */
} MpfFingerprintProbe;

/* What one probe saw. Everything a rule may look at, and everything the
 * diagnostics report shows (so a rule can be corrected from one report). */
typedef struct {
  char      *probe_id;
  char      *request;      /* "GET /home.asp", "TCP 23" */
  gboolean   answered;     /* FALSE: no HTTP answer / nothing read */
  char      *error;        /* why not answered (nullable) */
  guint      status;       /* HTTP status, 0 for banners */
  GPtrArray *headers;      /* of char*: name, value, name, value, ... */
  GBytes    *body;         /* what was kept of the body (capped) */
  gsize      body_length;  /* how much the peer actually sent (>= kept) */
  gint64     elapsed_us;
} MpfHttpObservation;

MpfHttpObservation *mpf_http_observation_new (const char *probe_id, const char *request);
void                mpf_http_observation_free (MpfHttpObservation *self);
void                mpf_http_observation_add_header (MpfHttpObservation *self,
                                                     const char *name, const char *value);
/* First value of @name (case-insensitive), or NULL. */
const char         *mpf_http_observation_get_header (const MpfHttpObservation *self,
                                                     const char *name);
/* Parses a raw HTTP/1.x response ("HTTP/1.1 302 Found\r\nServer: ...\r\n\r\nbody").
 * Anything unparsable gives an unanswered observation; never fails. */
MpfHttpObservation *mpf_http_observation_new_from_raw (const char *probe_id,
                                                       const guint8 *data, gsize len);
/* The diagnostics form: status, headers, the first KiB of the body (as text,
 * invalid UTF-8 replaced). */
JsonNode           *mpf_http_observation_to_json_node (const MpfHttpObservation *self);
char               *mpf_http_observation_to_json (const MpfHttpObservation *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpfHttpObservation, mpf_http_observation_free)

#define MPF_OBSERVATION_LOG_BODY_MAX 1024

/* The verdict of the rules over a set of observations. */
typedef struct {
  char          *family_id;      /* the rule family: "hame-stock", "unknown-goahead", ... */
  MpfFamily      family;         /* MPF_FAMILY_UNKNOWN for unknown-goahead too */
  MpfLoginScheme login;
  guint          confidence;     /* 0..100: the family's score, clamped */
  char          *version;        /* nullable: only where a page shows it */
  char         **matched_rules;  /* ids of every rule that matched, file order */
  gboolean       answered;       /* some probe got an answer */
} MpfFingerprintResult;

void mpf_fingerprint_result_free (MpfFingerprintResult *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpfFingerprintResult, mpf_fingerprint_result_free)

/* A loaded rule set (data/fingerprints.json). Immutable once loaded, so one
 * instance may serve any number of identifications. */
#define MPF_TYPE_FINGERPRINT (mpf_fingerprint_get_type ())
G_DECLARE_FINAL_TYPE (MpfFingerprint, mpf_fingerprint, MPF, FINGERPRINT, GObject)

/* The built-in rules (GResource). */
MpfFingerprint *mpf_fingerprint_new_default (GError **error);
MpfFingerprint *mpf_fingerprint_new_from_data (const char *json, gssize len, GError **error);

guint                      mpf_fingerprint_get_n_probes (MpfFingerprint *self);
const MpfFingerprintProbe *mpf_fingerprint_get_probe (MpfFingerprint *self, guint i);

/* Pure: applies every rule to @observations (of MpfHttpObservation*, at most
 * one per probe id; missing probes count as unanswered). @address is the
 * router's IPv4 address as text (nullable; "address" conditions then fail). */
MpfFingerprintResult *mpf_fingerprint_match (MpfFingerprint *self, const char *address,
                                             GPtrArray *observations);

/* Whether a unit restarted, from what it answers to the probes
 * (data/fingerprints.json, a family's "restart" rule): a web UI that keeps
 * its sign-in in memory forgets it at a restart. */
typedef enum {
  MPF_RESTART_SIGN_NO_RULE,   /* the family (and its ancestors) has no rule */
  MPF_RESTART_SIGN_FRESH,     /* it answers as a unit that restarted */
  MPF_RESTART_SIGN_HELD,      /* it still holds the sign-in made before */
  MPF_RESTART_SIGN_UNCLEAR,   /* neither, or both */
} MpfRestartSign;

const char     *mpf_restart_sign_to_string (MpfRestartSign sign);   /* "fresh", ... */

/* Pure: applies the restart rule of @family_id (or of its nearest ancestor
 * that has one) to @observations. @rule_family (nullable) is set to the id
 * of the family whose rule was used, or NULL. */
MpfRestartSign  mpf_fingerprint_restart_sign (MpfFingerprint *self, const char *family_id,
                                              const char *address, GPtrArray *observations,
                                              const char **rule_family);

G_END_DECLS
