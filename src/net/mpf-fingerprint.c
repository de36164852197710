/* The fingerprint matcher: data/fingerprints.json applied to what the probes
 * saw. Pure (no I/O), so it is unit-tested on captured responses and fuzzed. */
#include "config.h"

#include <string.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "mpf-fingerprint.h"

#define FINGERPRINT_RESOURCE "/io/github/mprflash/MprFlash/data/fingerprints.json"
/* Bodies are matched up to this many bytes (identify keeps as much). */
#define MATCH_BODY_MAX (64 * 1024)

typedef enum {
  FIELD_STATUS,
  FIELD_HEADER,
  FIELD_BODY,
  FIELD_TITLE,
  FIELD_LOCATION,
  FIELD_ANSWERED,
  FIELD_ADDRESS,
} Field;

typedef enum {
  OP_EQUALS,
  OP_CONTAINS,
  OP_REGEX,
  OP_PRESENT,
  OP_IN,
  OP_NONE,      /* version extractors: regex only */
} Op;

typedef struct {
  char      *probe;        /* probe id, "*" for any, NULL for address */
  Field      field;
  char      *name;         /* header name */
  Op         op;
  char      *value;        /* equals/contains, as text */
  char     **in;           /* OP_IN */
  GRegex    *regex;
  gboolean   present;
  gboolean   negate;
  gboolean   ignore_case;
} Cond;

typedef struct {
  char      *id;
  int        parent;       /* index in families, -1 for a root */
  guint      depth;
  MpfLoginScheme login;
  GPtrArray *versions;     /* of Cond* with a regex with one capture group */
  GPtrArray *restart_fresh; /* of Cond*: a restarted unit (all hold); NULL: no "restart" rule */
  GPtrArray *restart_held;  /* of Cond*: the unit still holds the session made before */
} Family;

typedef struct {
  char      *id;
  guint      family;
  int        weight;
  GPtrArray *all;          /* of Cond* */
} Rule;

struct _MpfFingerprint {
  GObject    parent_instance;
  int        min_score;
  GArray    *probes;       /* of MpfFingerprintProbe; strings in @strings */
  GPtrArray *strings;      /* owns the probes' strings */
  GPtrArray *families;     /* of Family* */
  GPtrArray *rules;        /* of Rule* */
  GRegex    *title_re;
};

G_DEFINE_FINAL_TYPE (MpfFingerprint, mpf_fingerprint, G_TYPE_OBJECT)

static const struct {
  MpfLoginScheme scheme;
  const char    *id;
} login_schemes[] = {
  { MPF_LOGIN_SCHEME_UNKNOWN, "unknown" },
  { MPF_LOGIN_SCHEME_NONE, "none" },
  { MPF_LOGIN_SCHEME_GOAHEAD_MD5, "goahead-md5" },
  { MPF_LOGIN_SCHEME_LUCI_SYSAUTH, "luci-sysauth" },
};

const char *
mpf_login_scheme_to_string (MpfLoginScheme scheme)
{
  for (gsize i = 0; i < G_N_ELEMENTS (login_schemes); i++)
    if (login_schemes[i].scheme == scheme)
      return login_schemes[i].id;
  return "unknown";
}

MpfLoginScheme
mpf_login_scheme_from_string (const char *s)
{
  for (gsize i = 0; s != NULL && i < G_N_ELEMENTS (login_schemes); i++)
    if (g_str_equal (login_schemes[i].id, s))
      return login_schemes[i].scheme;
  return MPF_LOGIN_SCHEME_UNKNOWN;
}

/* ---- observations ---- */

MpfHttpObservation *
mpf_http_observation_new (const char *probe_id, const char *request)
{
  MpfHttpObservation *self = g_new0 (MpfHttpObservation, 1);

  self->probe_id = g_strdup (probe_id);
  self->request = g_strdup (request);
  self->headers = g_ptr_array_new_with_free_func (g_free);
  return self;
}

void
mpf_http_observation_free (MpfHttpObservation *self)
{
  if (self == NULL)
    return;
  g_free (self->probe_id);
  g_free (self->request);
  g_free (self->error);
  g_ptr_array_unref (self->headers);
  g_clear_pointer (&self->body, g_bytes_unref);
  g_free (self);
}

void
mpf_http_observation_add_header (MpfHttpObservation *self, const char *name, const char *value)
{
  g_ptr_array_add (self->headers, g_strdup (name));
  g_ptr_array_add (self->headers, g_strdup (value));
}

const char *
mpf_http_observation_get_header (const MpfHttpObservation *self, const char *name)
{
  for (guint i = 0; i + 1 < self->headers->len; i += 2)
    if (g_ascii_strcasecmp (g_ptr_array_index (self->headers, i), name) == 0)
      return g_ptr_array_index (self->headers, i + 1);
  return NULL;
}

static const guint8 *
find_bytes (const guint8 *hay, gsize hay_len, const char *needle, gsize needle_len,
            gboolean ignore_case)
{
  if (needle_len == 0)
    return hay;
  for (gsize i = 0; i + needle_len <= hay_len; i++)
    {
      if (ignore_case ? g_ascii_strncasecmp ((const char *) hay + i, needle, needle_len) == 0
                      : memcmp (hay + i, needle, needle_len) == 0)
        return hay + i;
    }
  return NULL;
}

MpfHttpObservation *
mpf_http_observation_new_from_raw (const char *probe_id, const guint8 *data, gsize len)
{
  g_autoptr(MpfHttpObservation) obs = mpf_http_observation_new (probe_id, NULL);
  g_autoptr(SoupMessageHeaders) headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);
  g_autofree char *reason = NULL;
  SoupMessageHeadersIter iter;
  const char *name, *value;
  const guint8 *end;
  gsize head_len, skip;
  guint status = 0;

  obs->request = g_strdup ("raw");
  end = find_bytes (data, len, "\r\n\r\n", 4, FALSE);
  skip = 4;
  if (end == NULL)
    {
      end = find_bytes (data, len, "\n\n", 2, FALSE);
      skip = 2;
    }
  if (end == NULL)
    {
      end = data + len;
      skip = 0;
    }
  head_len = (gsize) (end - data) + skip;
  if (head_len > G_MAXINT
      || !soup_headers_parse_response ((const char *) data, (int) head_len, headers, NULL,
                                       &status, &reason))
    {
      obs->error = g_strdup ("unparsable HTTP response");
      obs->body = g_bytes_new (data, MIN (len, MATCH_BODY_MAX));
      obs->body_length = len;
      return g_steal_pointer (&obs);
    }

  obs->answered = TRUE;
  obs->status = status;
  soup_message_headers_iter_init (&iter, headers);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    mpf_http_observation_add_header (obs, name, value);
  obs->body_length = len - head_len;
  obs->body = g_bytes_new (data + head_len, MIN (obs->body_length, MATCH_BODY_MAX));
  return g_steal_pointer (&obs);
}

JsonNode *
mpf_http_observation_to_json_node (const MpfHttpObservation *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "probe");
  json_builder_add_string_value (b, self->probe_id);
  json_builder_set_member_name (b, "request");
  json_builder_add_string_value (b, self->request);
  json_builder_set_member_name (b, "answered");
  json_builder_add_boolean_value (b, self->answered);
  if (self->error != NULL)
    {
      json_builder_set_member_name (b, "error");
      json_builder_add_string_value (b, self->error);
    }
  json_builder_set_member_name (b, "status");
  json_builder_add_int_value (b, self->status);
  json_builder_set_member_name (b, "headers");
  json_builder_begin_array (b);
  for (guint i = 0; i + 1 < self->headers->len; i += 2)
    {
      json_builder_begin_array (b);
      json_builder_add_string_value (b, g_ptr_array_index (self->headers, i));
      json_builder_add_string_value (b, g_ptr_array_index (self->headers, i + 1));
      json_builder_end_array (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "body_length");
  json_builder_add_int_value (b, (gint64) self->body_length);
  if (self->body != NULL)
    {
      gsize n = 0;
      const char *p = g_bytes_get_data (self->body, &n);
      g_autofree char *text = g_utf8_make_valid (p != NULL ? p : "", MIN (n, MPF_OBSERVATION_LOG_BODY_MAX));

      json_builder_set_member_name (b, "body");
      json_builder_add_string_value (b, text);
    }
  json_builder_set_member_name (b, "elapsed_ms");
  json_builder_add_int_value (b, self->elapsed_us / 1000);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

char *
mpf_http_observation_to_json (const MpfHttpObservation *self)
{
  g_autoptr(JsonNode) root = mpf_http_observation_to_json_node (self);

  return json_to_string (root, FALSE);
}

void
mpf_fingerprint_result_free (MpfFingerprintResult *self)
{
  if (self == NULL)
    return;
  g_free (self->family_id);
  g_free (self->version);
  g_strfreev (self->matched_rules);
  g_free (self);
}

/* ---- rule loading ---- */

static void
cond_free (gpointer data)
{
  Cond *c = data;

  g_free (c->probe);
  g_free (c->name);
  g_free (c->value);
  g_strfreev (c->in);
  g_clear_pointer (&c->regex, g_regex_unref);
  g_free (c);
}

static void
family_free (gpointer data)
{
  Family *f = data;

  g_free (f->id);
  g_ptr_array_unref (f->versions);
  g_clear_pointer (&f->restart_fresh, g_ptr_array_unref);
  g_clear_pointer (&f->restart_held, g_ptr_array_unref);
  g_free (f);
}

static void
rule_free (gpointer data)
{
  Rule *r = data;

  g_free (r->id);
  g_ptr_array_unref (r->all);
  g_free (r);
}

static gboolean
fail (GError **error, const char *where, const char *what)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               "fingerprint rules: %s: %s", where, what);
  return FALSE;
}

/* A JSON scalar as text: numbers and booleans too ("equals": 302). */
static char *
scalar_to_string (JsonNode *node)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return g_strdup (json_node_get_string (node));
    case G_TYPE_INT64:
      return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
    case G_TYPE_BOOLEAN:
      return g_strdup (json_node_get_boolean (node) ? "true" : "false");
    default:
      return NULL;
    }
}

static Cond *
cond_parse (JsonNode *node, gboolean extractor, const char *where, GError **error)
{
  static const char *const fields[] = {
    "status", "header", "body", "title", "location", "answered", "address",
  };
  g_autoptr(GError) local = NULL;
  JsonObject *o;
  const char *field;
  Cond *c;
  int nops = 0;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return fail (error, where, "a condition must be an object"), NULL;
  o = json_node_get_object (node);
  field = json_object_get_string_member_with_default (o, "field", NULL);
  if (field == NULL)
    return fail (error, where, "condition without \"field\""), NULL;

  c = g_new0 (Cond, 1);
  c->field = G_N_ELEMENTS (fields);
  for (gsize i = 0; i < G_N_ELEMENTS (fields); i++)
    if (g_str_equal (fields[i], field))
      c->field = (Field) i;
  c->probe = g_strdup (json_object_get_string_member_with_default (o, "probe", NULL));
  c->name = g_strdup (json_object_get_string_member_with_default (o, "name", NULL));
  c->negate = json_object_get_boolean_member_with_default (o, "negate", FALSE);
  c->ignore_case = json_object_get_boolean_member_with_default (o, "ignore_case", FALSE);
  c->op = OP_NONE;

  if ((guint) c->field == G_N_ELEMENTS (fields))
    return fail (error, where, "unknown \"field\""), cond_free (c), NULL;
  if (c->field != FIELD_ADDRESS && c->probe == NULL)
    return fail (error, where, "condition without \"probe\""), cond_free (c), NULL;
  if (c->field == FIELD_ANSWERED && g_strcmp0 (c->probe, "*") == 0)
    return fail (error, where, "\"answered\" needs a named probe"), cond_free (c), NULL;
  if (c->field == FIELD_HEADER && c->name == NULL)
    return fail (error, where, "header condition without \"name\""), cond_free (c), NULL;

  if (json_object_has_member (o, "equals"))
    {
      c->op = OP_EQUALS, nops++;
      c->value = scalar_to_string (json_object_get_member (o, "equals"));
      if (c->value == NULL)
        return fail (error, where, "\"equals\" must be a string, number or boolean"), cond_free (c), NULL;
    }
  if (json_object_has_member (o, "contains"))
    {
      c->op = OP_CONTAINS, nops++;
      c->value = g_strdup (json_object_get_string_member_with_default (o, "contains", NULL));
      if (c->value == NULL)
        return fail (error, where, "\"contains\" must be a string"), cond_free (c), NULL;
    }
  if (json_object_has_member (o, "regex"))
    {
      const char *re = json_object_get_string_member_with_default (o, "regex", NULL);

      c->op = OP_REGEX, nops++;
      if (re == NULL)
        return fail (error, where, "\"regex\" must be a string"), cond_free (c), NULL;
      /* RAW: bodies are arbitrary bytes, not necessarily UTF-8. */
      c->regex = g_regex_new (re, G_REGEX_RAW | G_REGEX_OPTIMIZE, 0, &local);
      if (c->regex == NULL)
        return fail (error, where, local->message), cond_free (c), NULL;
      if (extractor && g_regex_get_capture_count (c->regex) < 1)
        return fail (error, where, "a version regex needs a capture group"), cond_free (c), NULL;
    }
  if (json_object_has_member (o, "present"))
    {
      c->op = OP_PRESENT, nops++;
      c->present = json_object_get_boolean_member_with_default (o, "present", TRUE);
    }
  if (json_object_has_member (o, "in"))
    {
      JsonArray *a = json_object_get_array_member (o, "in");
      g_autoptr(GStrvBuilder) sb = g_strv_builder_new ();

      c->op = OP_IN, nops++;
      if (a == NULL)
        return fail (error, where, "\"in\" must be an array"), cond_free (c), NULL;
      for (guint i = 0; i < json_array_get_length (a); i++)
        {
          g_autofree char *s = scalar_to_string (json_array_get_element (a, i));
          if (s == NULL)
            return fail (error, where, "\"in\" holds strings or numbers"), cond_free (c), NULL;
          g_strv_builder_add (sb, s);
        }
      c->in = g_strv_builder_end (sb);
    }

  if (extractor && (c->op != OP_REGEX || nops != 1))
    return fail (error, where, "a version extractor is one \"regex\""), cond_free (c), NULL;
  if (nops != 1)
    return fail (error, where, "a condition needs exactly one of equals/contains/regex/present/in"),
           cond_free (c), NULL;
  return c;
}

static int
family_index (MpfFingerprint *self, const char *id)
{
  for (guint i = 0; id != NULL && i < self->families->len; i++)
    if (g_str_equal (((Family *) g_ptr_array_index (self->families, i))->id, id))
      return (int) i;
  return -1;
}

static gboolean
parse_probes (MpfFingerprint *self, JsonArray *a, GError **error)
{
  for (guint i = 0; a != NULL && i < json_array_get_length (a); i++)
    {
      JsonNode *n = json_array_get_element (a, i);
      MpfFingerprintProbe p = { 0 };
      JsonObject *o;
      const char *kind;
      char *s;

      if (!JSON_NODE_HOLDS_OBJECT (n))
        return fail (error, "probes", "a probe must be an object");
      o = json_node_get_object (n);
      s = g_strdup (json_object_get_string_member_with_default (o, "id", NULL));
      if (s == NULL || g_str_equal (s, "*"))
        return g_free (s), fail (error, "probes", "a probe needs an \"id\" (not \"*\")");
      g_ptr_array_add (self->strings, s);
      p.id = s;
      for (guint j = 0; j < self->probes->len; j++)
        if (g_str_equal (g_array_index (self->probes, MpfFingerprintProbe, j).id, s))
          return fail (error, s, "duplicate probe id");

      kind = json_object_get_string_member_with_default (o, "kind", "http");
      if (g_str_equal (kind, "http"))
        {
          p.kind = MPF_PROBE_KIND_HTTP;
          s = g_strdup (json_object_get_string_member_with_default (o, "method", "GET"));
          g_ptr_array_add (self->strings, s);
          p.method = s;
          s = g_strdup (json_object_get_string_member_with_default (o, "path", NULL));
          if (s == NULL || s[0] != '/')
            return g_free (s), fail (error, p.id, "an HTTP probe needs a \"path\" starting with /");
          g_ptr_array_add (self->strings, s);
          p.path = s;
        }
      else if (g_str_equal (kind, "banner"))
        p.kind = MPF_PROBE_KIND_BANNER;
      else
        return fail (error, p.id, "\"kind\" is http or banner");

      {
        gint64 port = json_object_get_int_member_with_default (o, "port", 0);
        gint64 read_max = json_object_get_int_member_with_default (o, "read_max", 512);

        if (port < 0 || port > 65535 || (p.kind == MPF_PROBE_KIND_BANNER && port == 0))
          return fail (error, p.id, "bad \"port\"");
        if (read_max < 1 || read_max > 65536)
          return fail (error, p.id, "bad \"read_max\"");
        p.port = (guint16) port;
        p.read_max = (gsize) read_max;
      }
      g_array_append_val (self->probes, p);
    }
  return TRUE;
}

static gboolean
probe_known (MpfFingerprint *self, const char *id)
{
  if (id == NULL || g_str_equal (id, "*"))
    return TRUE;
  for (guint j = 0; j < self->probes->len; j++)
    if (g_str_equal (g_array_index (self->probes, MpfFingerprintProbe, j).id, id))
      return TRUE;
  return FALSE;
}

/* A non-empty list of conditions (a rule's "all", a restart sign). */
static GPtrArray *
parse_conditions (MpfFingerprint *self, JsonArray *all, const char *where, GError **error)
{
  g_autoptr(GPtrArray) conds = g_ptr_array_new_with_free_func (cond_free);

  if (all == NULL || json_array_get_length (all) == 0)
    return fail (error, where, "a non-empty list of conditions is needed"), NULL;
  for (guint j = 0; j < json_array_get_length (all); j++)
    {
      Cond *c = cond_parse (json_array_get_element (all, j), FALSE, where, error);

      if (c == NULL)
        return NULL;
      g_ptr_array_add (conds, c);
      if (!probe_known (self, c->probe))
        return fail (error, where, "condition names an unknown probe"), NULL;
    }
  return g_steal_pointer (&conds);
}

/* "restart": { "fresh": [conditions], "held": [conditions] } */
static gboolean
parse_restart (MpfFingerprint *self, Family *f, JsonObject *o, GError **error)
{
  JsonNode *n = json_object_get_member (o, "restart");
  JsonObject *r;

  if (n == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (n))
    return fail (error, f->id, "\"restart\" must be an object");
  r = json_node_get_object (n);
#define LIST(name) (json_object_has_member (r, name) && JSON_NODE_HOLDS_ARRAY (json_object_get_member (r, name)) \
                    ? json_object_get_array_member (r, name) : NULL)
  f->restart_fresh = parse_conditions (self, LIST ("fresh"), f->id, error);
  if (f->restart_fresh == NULL)
    return FALSE;
  f->restart_held = parse_conditions (self, LIST ("held"), f->id, error);
#undef LIST
  return f->restart_held != NULL;
}

static gboolean
parse_families (MpfFingerprint *self, JsonArray *a, GError **error)
{
  for (guint i = 0; a != NULL && i < json_array_get_length (a); i++)
    {
      JsonNode *n = json_array_get_element (a, i);
      JsonObject *o;
      JsonArray *versions;
      const char *id, *parent, *login;
      Family *f;

      if (!JSON_NODE_HOLDS_OBJECT (n))
        return fail (error, "families", "a family must be an object");
      o = json_node_get_object (n);
      id = json_object_get_string_member_with_default (o, "id", NULL);
      if (id == NULL || family_index (self, id) >= 0)
        return fail (error, "families", "a family needs a unique \"id\"");
      parent = json_object_get_string_member_with_default (o, "parent", NULL);
      login = json_object_get_string_member_with_default (o, "login", "unknown");

      f = g_new0 (Family, 1);
      f->id = g_strdup (id);
      f->versions = g_ptr_array_new_with_free_func (cond_free);
      /* Parents come first in the file, so the tree cannot loop. */
      f->parent = family_index (self, parent);
      g_ptr_array_add (self->families, f);
      if (parent != NULL && f->parent < 0)
        return fail (error, id, "\"parent\" must be a family listed before it");
      f->depth = f->parent < 0 ? 0 : ((Family *) g_ptr_array_index (self->families, f->parent))->depth + 1;
      f->login = mpf_login_scheme_from_string (login);
      if (f->login == MPF_LOGIN_SCHEME_UNKNOWN && !g_str_equal (login, "unknown"))
        return fail (error, id, "unknown \"login\"");

      versions = json_object_has_member (o, "version") ? json_object_get_array_member (o, "version") : NULL;
      for (guint j = 0; versions != NULL && j < json_array_get_length (versions); j++)
        {
          Cond *c = cond_parse (json_array_get_element (versions, j), TRUE, id, error);

          if (c == NULL)
            return FALSE;
          g_ptr_array_add (f->versions, c);
          if (!probe_known (self, c->probe))
            return fail (error, id, "version extractor names an unknown probe");
        }
      if (!parse_restart (self, f, o, error))
        return FALSE;
    }
  if (family_index (self, "unknown") < 0)
    return fail (error, "families", "the family \"unknown\" must exist");
  return TRUE;
}

static gboolean
parse_rules (MpfFingerprint *self, JsonArray *a, GError **error)
{
  for (guint i = 0; a != NULL && i < json_array_get_length (a); i++)
    {
      JsonNode *n = json_array_get_element (a, i);
      JsonObject *o;
      JsonArray *all;
      const char *id;
      int fam;
      Rule *r;

      if (!JSON_NODE_HOLDS_OBJECT (n))
        return fail (error, "rules", "a rule must be an object");
      o = json_node_get_object (n);
      id = json_object_get_string_member_with_default (o, "id", NULL);
      if (id == NULL)
        return fail (error, "rules", "a rule needs an \"id\"");
      fam = family_index (self, json_object_get_string_member_with_default (o, "family", NULL));
      if (fam < 0)
        return fail (error, id, "unknown \"family\"");
      all = json_object_has_member (o, "all") ? json_object_get_array_member (o, "all") : NULL;
      if (all == NULL || json_array_get_length (all) == 0)
        return fail (error, id, "a rule needs a non-empty \"all\" list");

      r = g_new0 (Rule, 1);
      r->id = g_strdup (id);
      r->family = (guint) fam;
      r->weight = (int) CLAMP (json_object_get_int_member_with_default (o, "weight", 0), -1000, 1000);
      r->all = g_ptr_array_new_with_free_func (cond_free);
      g_ptr_array_add (self->rules, r);
      for (guint j = 0; j < json_array_get_length (all); j++)
        {
          Cond *c = cond_parse (json_array_get_element (all, j), FALSE, id, error);

          if (c == NULL)
            return FALSE;
          g_ptr_array_add (r->all, c);
          if (!probe_known (self, c->probe))
            return fail (error, id, "condition names an unknown probe");
        }
    }
  return TRUE;
}

MpfFingerprint *
mpf_fingerprint_new_from_data (const char *json, gssize len, GError **error)
{
  g_autoptr(MpfFingerprint) self = g_object_new (MPF_TYPE_FINGERPRINT, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root;

  if (!json_parser_load_from_data (parser, json, len, error))
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return fail (error, "top level", "not an object"), NULL;
  root = json_node_get_object (json_parser_get_root (parser));
  if (json_object_get_int_member_with_default (root, "format", 0) != 1)
    return fail (error, "top level", "unsupported \"format\" (want 1)"), NULL;
  self->min_score = (int) json_object_get_int_member_with_default (root, "min_score", 1);

#define ARRAY_MEMBER(name) (json_object_has_member (root, name) ? json_object_get_array_member (root, name) : NULL)
  if (!parse_probes (self, ARRAY_MEMBER ("probes"), error)
      || !parse_families (self, ARRAY_MEMBER ("families"), error)
      || !parse_rules (self, ARRAY_MEMBER ("rules"), error))
    return NULL;
#undef ARRAY_MEMBER
  return g_steal_pointer (&self);
}

MpfFingerprint *
mpf_fingerprint_new_default (GError **error)
{
  g_autoptr(GBytes) bytes = g_resources_lookup_data (FINGERPRINT_RESOURCE, 0, error);
  gsize len = 0;
  const char *data;

  if (bytes == NULL)
    return NULL;
  data = g_bytes_get_data (bytes, &len);
  return mpf_fingerprint_new_from_data (data, (gssize) len, error);
}

guint
mpf_fingerprint_get_n_probes (MpfFingerprint *self)
{
  g_return_val_if_fail (MPF_IS_FINGERPRINT (self), 0);
  return self->probes->len;
}

const MpfFingerprintProbe *
mpf_fingerprint_get_probe (MpfFingerprint *self, guint i)
{
  g_return_val_if_fail (MPF_IS_FINGERPRINT (self), NULL);
  g_return_val_if_fail (i < self->probes->len, NULL);
  return &g_array_index (self->probes, MpfFingerprintProbe, i);
}

/* ---- matching ---- */

/* The text a condition looks at in one observation; FALSE if absent. */
static gboolean
field_value (MpfFingerprint *self, const Cond *c, const MpfHttpObservation *obs,
             char **owned, const char **data, gsize *len)
{
  const char *s = NULL;

  switch (c->field)
    {
    case FIELD_STATUS:
      *owned = g_strdup_printf ("%u", obs->status);
      s = *owned;
      break;
    case FIELD_HEADER:
      s = mpf_http_observation_get_header (obs, c->name);
      break;
    case FIELD_LOCATION:
      s = mpf_http_observation_get_header (obs, "Location");
      break;
    case FIELD_BODY:
      if (obs->body == NULL)
        return FALSE;
      *data = g_bytes_get_data (obs->body, len);
      if (*data == NULL)
        *data = "";
      return TRUE;
    case FIELD_TITLE:
      {
        g_autoptr(GMatchInfo) mi = NULL;
        gsize n = 0;
        const char *body = obs->body ? g_bytes_get_data (obs->body, &n) : NULL;

        if (body == NULL || n > G_MAXSSIZE
            || !g_regex_match_full (self->title_re, body, (gssize) n, 0, 0, &mi, NULL))
          return FALSE;
        *owned = g_match_info_fetch (mi, 1);
        if (*owned == NULL)
          return FALSE;
        g_strstrip (*owned);
        s = *owned;
        break;
      }
    case FIELD_ANSWERED:
      s = obs->answered ? "true" : "false";
      break;
    case FIELD_ADDRESS:
    default:
      return FALSE;
    }
  if (s == NULL)
    return FALSE;
  *data = s;
  *len = strlen (s);
  return TRUE;
}

static gboolean
test_value (const Cond *c, gboolean present, const char *data, gsize len)
{
  switch (c->op)
    {
    case OP_PRESENT:
      return present == c->present;
    case OP_EQUALS:
      return present && strlen (c->value) == len
             && (c->ignore_case ? g_ascii_strncasecmp (data, c->value, len) == 0
                                : memcmp (data, c->value, len) == 0);
    case OP_CONTAINS:
      return present && find_bytes ((const guint8 *) data, len, c->value, strlen (c->value),
                                    c->ignore_case) != NULL;
    case OP_REGEX:
      return present && len <= G_MAXSSIZE
             && g_regex_match_full (c->regex, data, (gssize) len, 0, 0, NULL, NULL);
    case OP_IN:
      for (guint i = 0; present && c->in[i] != NULL; i++)
        if (strlen (c->in[i]) == len && memcmp (c->in[i], data, len) == 0)
          return TRUE;
      return FALSE;
    case OP_NONE:
    default:
      return FALSE;
    }
}

static const MpfHttpObservation *
find_observation (GPtrArray *observations, const char *probe_id)
{
  for (guint i = 0; observations != NULL && i < observations->len; i++)
    {
      const MpfHttpObservation *o = g_ptr_array_index (observations, i);
      if (o != NULL && g_strcmp0 (o->probe_id, probe_id) == 0)
        return o;
    }
  return NULL;
}

static gboolean
test_observation (MpfFingerprint *self, const Cond *c, const MpfHttpObservation *obs)
{
  g_autofree char *owned = NULL;
  const char *data = NULL;
  gsize len = 0;
  gboolean present = field_value (self, c, obs, &owned, &data, &len);

  return test_value (c, present, data, len);
}

/* A condition holds when some answered probe it selects passes the test; a
 * negated one when none does (absence of evidence, also when unanswered). */
static gboolean
cond_holds (MpfFingerprint *self, const Cond *c, const char *address, GPtrArray *observations)
{
  gboolean any = FALSE;

  if (c->field == FIELD_ADDRESS)
    any = address != NULL && test_value (c, TRUE, address, strlen (address));
  else if (c->field == FIELD_ANSWERED)
    {
      const MpfHttpObservation *o = find_observation (observations, c->probe);
      const char *v = (o != NULL && o->answered) ? "true" : "false";
      any = test_value (c, TRUE, v, strlen (v));
    }
  else
    {
      for (guint i = 0; !any && observations != NULL && i < observations->len; i++)
        {
          const MpfHttpObservation *o = g_ptr_array_index (observations, i);

          if (o == NULL || !o->answered)
            continue;
          if (!g_str_equal (c->probe, "*") && g_strcmp0 (c->probe, o->probe_id) != 0)
            continue;
          any = test_observation (self, c, o);
        }
    }
  return c->negate ? !any : any;
}

static char *
extract_version (MpfFingerprint *self, const Family *f, GPtrArray *observations)
{
  for (guint j = 0; j < f->versions->len; j++)
    {
      const Cond *c = g_ptr_array_index (f->versions, j);

      for (guint i = 0; observations != NULL && i < observations->len; i++)
        {
          const MpfHttpObservation *o = g_ptr_array_index (observations, i);
          g_autoptr(GMatchInfo) mi = NULL;
          g_autofree char *owned = NULL;
          const char *data = NULL;
          gsize len = 0;

          if (o == NULL || !o->answered
              || (!g_str_equal (c->probe, "*") && g_strcmp0 (c->probe, o->probe_id) != 0)
              || !field_value (self, c, o, &owned, &data, &len) || len > G_MAXSSIZE)
            continue;
          if (g_regex_match_full (c->regex, data, (gssize) len, 0, 0, &mi, NULL))
            {
              g_autofree char *v = g_match_info_fetch (mi, 1);

              /* Versions are shown to people and logged: keep them printable. */
              if (v != NULL && v[0] != '\0' && g_utf8_validate (v, -1, NULL))
                return g_steal_pointer (&v);
            }
        }
    }
  return NULL;
}

MpfFingerprintResult *
mpf_fingerprint_match (MpfFingerprint *self, const char *address, GPtrArray *observations)
{
  g_autofree int *score = NULL;
  g_autofree guint *hits = NULL;
  g_autoptr(GStrvBuilder) matched = g_strv_builder_new ();
  MpfFingerprintResult *res;
  const Family *winner;
  int best = -1, best_score = G_MININT;

  g_return_val_if_fail (MPF_IS_FINGERPRINT (self), NULL);

  score = g_new0 (int, self->families->len);
  hits = g_new0 (guint, self->families->len);
  for (guint i = 0; i < self->rules->len; i++)
    {
      const Rule *r = g_ptr_array_index (self->rules, i);
      gboolean ok = TRUE;

      for (guint j = 0; ok && j < r->all->len; j++)
        ok = cond_holds (self, g_ptr_array_index (r->all, j), address, observations);
      if (!ok)
        continue;
      g_strv_builder_add (matched, r->id);
      score[r->family] += r->weight;
      hits[r->family]++;
    }

  /* A family's score includes its ancestors' (a Hame UI is also a GoAhead
   * server), and it is only eligible when every family on its path below the
   * root has a matching rule of its own (no Hame without stock evidence).
   * On a tie the less specific family wins: going deeper takes evidence. */
  for (guint i = 0; i < self->families->len; i++)
    {
      const Family *f = g_ptr_array_index (self->families, i);
      gboolean eligible = TRUE;
      int total = 0;

      for (int k = (int) i; k >= 0; k = ((Family *) g_ptr_array_index (self->families, k))->parent)
        {
          total += score[k];
          if (hits[k] == 0 && ((Family *) g_ptr_array_index (self->families, k))->parent >= 0)
            eligible = FALSE;
        }
      if (!eligible)
        continue;
      if (total > best_score
          || (total == best_score && f->depth < ((Family *) g_ptr_array_index (self->families, best))->depth))
        {
          best = (int) i;
          best_score = total;
        }
    }
  if (best_score < self->min_score)
    {
      best = family_index (self, "unknown");
      best_score = 0;
    }
  winner = g_ptr_array_index (self->families, best);

  res = g_new0 (MpfFingerprintResult, 1);
  res->family_id = g_strdup (winner->id);
  res->family = mpf_family_from_string (winner->id);
  res->login = winner->login;
  res->confidence = (guint) CLAMP (best_score, 0, 100);
  res->matched_rules = g_strv_builder_end (matched);
  for (guint i = 0; observations != NULL && i < observations->len; i++)
    {
      const MpfHttpObservation *o = g_ptr_array_index (observations, i);
      res->answered |= (o != NULL && o->answered);
    }
  for (int k = best; k >= 0 && res->version == NULL;
       k = ((Family *) g_ptr_array_index (self->families, k))->parent)
    res->version = extract_version (self, g_ptr_array_index (self->families, k), observations);
  return res;
}

/* ---- GObject ---- */

const char *
mpf_restart_sign_to_string (MpfRestartSign sign)
{
  static const char *const names[] = { "no-rule", "fresh", "held", "unclear" };

  return (guint) sign < G_N_ELEMENTS (names) ? names[sign] : "unknown";
}

static gboolean
all_hold (MpfFingerprint *self, GPtrArray *conds, const char *address, GPtrArray *observations)
{
  for (guint i = 0; i < conds->len; i++)
    if (!cond_holds (self, g_ptr_array_index (conds, i), address, observations))
      return FALSE;
  return TRUE;
}

MpfRestartSign
mpf_fingerprint_restart_sign (MpfFingerprint *self, const char *family_id, const char *address,
                              GPtrArray *observations, const char **rule_family)
{
  int i;
  const Family *f = NULL;
  gboolean fresh, held;

  g_return_val_if_fail (MPF_IS_FINGERPRINT (self), MPF_RESTART_SIGN_NO_RULE);
  if (rule_family != NULL)
    *rule_family = NULL;
  /* The nearest family up the tree that has the rule. */
  for (i = family_index (self, family_id); i >= 0; i = f->parent)
    {
      f = g_ptr_array_index (self->families, i);
      if (f->restart_fresh != NULL)
        break;
    }
  if (i < 0)
    return MPF_RESTART_SIGN_NO_RULE;
  if (rule_family != NULL)
    *rule_family = f->id;
  fresh = all_hold (self, f->restart_fresh, address, observations);
  held = all_hold (self, f->restart_held, address, observations);
  if (fresh == held)
    return MPF_RESTART_SIGN_UNCLEAR;
  return fresh ? MPF_RESTART_SIGN_FRESH : MPF_RESTART_SIGN_HELD;
}

static void
mpf_fingerprint_finalize (GObject *object)
{
  MpfFingerprint *self = MPF_FINGERPRINT (object);

  g_array_unref (self->probes);
  g_ptr_array_unref (self->strings);
  g_ptr_array_unref (self->families);
  g_ptr_array_unref (self->rules);
  g_regex_unref (self->title_re);
  G_OBJECT_CLASS (mpf_fingerprint_parent_class)->finalize (object);
}

static void
mpf_fingerprint_class_init (MpfFingerprintClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = mpf_fingerprint_finalize;
}

static void
mpf_fingerprint_init (MpfFingerprint *self)
{
  self->probes = g_array_new (FALSE, TRUE, sizeof (MpfFingerprintProbe));
  self->strings = g_ptr_array_new_with_free_func (g_free);
  self->families = g_ptr_array_new_with_free_func (family_free);
  self->rules = g_ptr_array_new_with_free_func (rule_free);
  self->title_re = g_regex_new ("<title[^>]*>(.*?)</title", G_REGEX_RAW | G_REGEX_CASELESS | G_REGEX_DOTALL,
                                0, NULL);
}
