#include "config.h"

#include "mpf-helper-protocol.h"

#include <glib/gi18n.h>
#include <string.h>

G_DEFINE_QUARK (mpf-helper-error-quark, mpf_helper_error)

/* The one table of addresses the helper may configure or serve from. Each
 * default subnet gets the same host part, .55, which no router of ours
 * hands out by DHCP ranges that matter and which the bootloader requires. */
static const MpfHelperAddress allowed_addresses[] = {
  { "192.168.1.55",   24, N_("the recovery server address the bootloader expects; also OpenWrt's subnet") },
  { "192.168.169.55", 24, N_("Hame stock firmware subnet (router at 192.168.169.1)") },
  { "192.168.100.55", 24, N_("MPR-L8 stock firmware subnet (router at 192.168.100.1)") },
};

/* Default router addresses (WEB-UIS.md): Hame, MPR-L8, OpenWrt, bootloader. */
static const char *const probe_targets[] = {
  "192.168.169.1", "192.168.100.1", "192.168.1.1", "192.168.1.2", NULL,
};

static const struct {
  const char *name;
  MpfHelperOp op;
} ops[] = {
  { "hello",      MPF_HELPER_OP_HELLO },
  { "watch",      MPF_HELPER_OP_WATCH },
  { "arp-probe",  MPF_HELPER_OP_ARP_PROBE },
  { "addr-add",   MPF_HELPER_OP_ADDR_ADD },
  { "addr-del",   MPF_HELPER_OP_ADDR_DEL },
  { "image",      MPF_HELPER_OP_IMAGE },
  { "image-data", MPF_HELPER_OP_IMAGE_DATA },
  { "serve-tftp", MPF_HELPER_OP_SERVE_TFTP },
  { "serve-stop", MPF_HELPER_OP_SERVE_STOP },
  { "quit",       MPF_HELPER_OP_QUIT },
  { "capture-start", MPF_HELPER_OP_CAPTURE_START },
  { "capture-dump",  MPF_HELPER_OP_CAPTURE_DUMP },
};

const char *
mpf_helper_error_code_name (MpfHelperError code)
{
  switch (code)
    {
    case MPF_HELPER_ERROR_BAD_REQUEST:   return "bad-request";
    case MPF_HELPER_ERROR_UNKNOWN_OP:    return "unknown-op";
    case MPF_HELPER_ERROR_BAD_INTERFACE: return "bad-interface";
    case MPF_HELPER_ERROR_NOT_ALLOWED:   return "not-allowed";
    case MPF_HELPER_ERROR_TOO_BIG:       return "too-big";
    case MPF_HELPER_ERROR_STATE:         return "state";
    case MPF_HELPER_ERROR_FAILED:        return "failed";
    case MPF_HELPER_ERROR_BAD_IMAGE:     return "bad-image";
    default:                             return "failed";
    }
}

const MpfHelperAddress *
mpf_helper_allowed_addresses (gsize *n_out)
{
  *n_out = G_N_ELEMENTS (allowed_addresses);
  return allowed_addresses;
}

const char *const *
mpf_helper_probe_targets (void)
{
  return probe_targets;
}

const MpfHelperAddress *
mpf_helper_address_lookup_ip (const char *ip)
{
  for (gsize i = 0; i < G_N_ELEMENTS (allowed_addresses); i++)
    if (g_strcmp0 (ip, allowed_addresses[i].address) == 0)
      return &allowed_addresses[i];
  return NULL;
}

const MpfHelperAddress *
mpf_helper_address_lookup (const char *cidr)
{
  for (gsize i = 0; i < G_N_ELEMENTS (allowed_addresses); i++)
    {
      g_autofree char *s = g_strdup_printf ("%s/%u", allowed_addresses[i].address,
                                            allowed_addresses[i].prefix);
      if (g_strcmp0 (cidr, s) == 0)
        return &allowed_addresses[i];
    }
  return NULL;
}

gboolean
mpf_helper_ifname_is_valid (const char *name)
{
  gsize len;

  if (name == NULL)
    return FALSE;
  len = strlen (name);
  if (len == 0 || len > MPF_HELPER_MAX_IFNAME)
    return FALSE;
  if (strcmp (name, ".") == 0 || strcmp (name, "..") == 0)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (name[i]) && strchr ("_.-+", name[i]) == NULL)
      return FALSE;
  return TRUE;
}

void
mpf_helper_request_clear (MpfHelperRequest *req)
{
  g_clear_pointer (&req->interface, g_free);
  g_clear_pointer (&req->data, g_bytes_unref);
}

/* Field accessors that check the JSON type instead of asserting on it:
 * json_object_get_*_member() would g_critical on a wrong type. */
static JsonNode *
get_member (JsonObject *o, const char *name, GType type)
{
  JsonNode *n = json_object_get_member (o, name);

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != type)
    return NULL;
  return n;
}

static const char *
get_string (JsonObject *o, const char *name, GError **error)
{
  JsonNode *n = get_member (o, name, G_TYPE_STRING);

  if (n == NULL)
    {
      g_set_error (error, MPF_HELPER_ERROR, MPF_HELPER_ERROR_BAD_REQUEST,
                   _("Field “%s” must be a string"), name);
      return NULL;
    }
  return json_node_get_string (n);
}

static gboolean
get_interface (JsonObject *o, MpfHelperRequest *req, GError **error)
{
  const char *s = get_string (o, "interface", error);

  if (s == NULL)
    return FALSE;
  if (!mpf_helper_ifname_is_valid (s))
    {
      g_set_error_literal (error, MPF_HELPER_ERROR, MPF_HELPER_ERROR_BAD_INTERFACE,
                           _("Not a valid interface name"));
      return FALSE;
    }
  req->interface = g_strdup (s);
  return TRUE;
}

static gboolean
parse_sha256 (const char *hex, guint8 out[32])
{
  if (hex == NULL || strlen (hex) != 64)
    return FALSE;
  for (int i = 0; i < 32; i++)
    {
      int hi = g_ascii_xdigit_value (hex[2 * i]);
      int lo = g_ascii_xdigit_value (hex[2 * i + 1]);

      if (hi < 0 || lo < 0)
        return FALSE;
      out[i] = (guint8) (hi << 4 | lo);
    }
  return TRUE;
}

static gboolean
parse_probe_targets (JsonObject *o, MpfHelperRequest *req, GError **error)
{
  JsonNode *n = json_object_get_member (o, "targets");
  JsonArray *a;

  if (n == NULL)
    {
      req->probe_mask = (1u << (G_N_ELEMENTS (probe_targets) - 1)) - 1;
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_ARRAY (n))
    {
      g_set_error_literal (error, MPF_HELPER_ERROR, MPF_HELPER_ERROR_BAD_REQUEST,
                           _("Field “targets” must be an array of strings"));
      return FALSE;
    }
  a = json_node_get_array (n);
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonNode *e = json_array_get_element (a, i);
      const char *s;
      guint j;

      if (!JSON_NODE_HOLDS_VALUE (e) || json_node_get_value_type (e) != G_TYPE_STRING)
        {
          g_set_error_literal (error, MPF_HELPER_ERROR, MPF_HELPER_ERROR_BAD_REQUEST,
                               _("Field “targets” must be an array of strings"));
          return FALSE;
        }
      s = json_node_get_string (e);
      for (j = 0; probe_targets[j] != NULL; j++)
        if (strcmp (s, probe_targets[j]) == 0)
          break;
      if (probe_targets[j] == NULL)
        {
          g_set_error_literal (error, MPF_HELPER_ERROR, MPF_HELPER_ERROR_NOT_ALLOWED,
                               _("Only the known default router addresses may be probed"));
          return FALSE;
        }
      req->probe_mask |= 1u << j;
    }
  if (req->probe_mask == 0)
    {
      g_set_error_literal (error, MPF_HELPER_ERROR, MPF_HELPER_ERROR_BAD_REQUEST,
                           _("Field “targets” is empty"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_fields (JsonObject *o, MpfHelperRequest *req, GError **error)
{
  const char *s;
  JsonNode *n;

  switch (req->op)
    {
    case MPF_HELPER_OP_HELLO:
    case MPF_HELPER_OP_SERVE_STOP:
    case MPF_HELPER_OP_QUIT:
    case MPF_HELPER_OP_CAPTURE_DUMP:
      return TRUE;

    case MPF_HELPER_OP_WATCH:
    case MPF_HELPER_OP_CAPTURE_START:
      return get_interface (o, req, error);

    case MPF_HELPER_OP_ARP_PROBE:
      return get_interface (o, req, error) && parse_probe_targets (o, req, error);

    case MPF_HELPER_OP_ADDR_ADD:
    case MPF_HELPER_OP_ADDR_DEL:
      if (!get_interface (o, req, error) || (s = get_string (o, "address", error)) == NULL)
        return FALSE;
      req->address = mpf_helper_address_lookup (s);
      if (req->address == NULL)
        {
          g_set_error (error, MPF_HELPER_ERROR, MPF_HELPER_ERROR_NOT_ALLOWED,
                       _("Address %s is not one the helper may configure"), s);
          return FALSE;
        }
      return TRUE;

    case MPF_HELPER_OP_IMAGE:
      n = get_member (o, "size", G_TYPE_INT64);
      if (n == NULL || json_node_get_int (n) <= 0)
        {
          g_set_error_literal (error, MPF_HELPER_ERROR, MPF_HELPER_ERROR_BAD_REQUEST,
                               _("Field “size” must be a positive integer"));
          return FALSE;
        }
      if ((guint64) json_node_get_int (n) > MPF_HELPER_MAX_IMAGE)
        {
          g_set_error (error, MPF_HELPER_ERROR, MPF_HELPER_ERROR_TOO_BIG,
                       _("The image is larger than any supported flash (%u bytes)"),
                       MPF_HELPER_MAX_IMAGE);
          return FALSE;
        }
      req->size = (guint64) json_node_get_int (n);
      s = get_string (o, "sha256", error);
      if (s == NULL)
        return FALSE;
      if (!parse_sha256 (s, req->sha256))
        {
          g_set_error_literal (error, MPF_HELPER_ERROR, MPF_HELPER_ERROR_BAD_REQUEST,
                               _("Field “sha256” must be 64 hexadecimal digits"));
          return FALSE;
        }
      return TRUE;

    case MPF_HELPER_OP_IMAGE_DATA:
      {
        gsize out_len = 0;
        guchar *raw;

        s = get_string (o, "data", error);
        if (s == NULL)
          return FALSE;
        /* Check the encoded length first so a huge line cannot make us
         * allocate more than one chunk. */
        if (strlen (s) > (MPF_HELPER_MAX_CHUNK / 3 + 1) * 4)
          {
            g_set_error (error, MPF_HELPER_ERROR, MPF_HELPER_ERROR_TOO_BIG,
                         _("One image-data chunk may carry at most %u bytes"),
                         MPF_HELPER_MAX_CHUNK);
            return FALSE;
          }
        for (const char *p = s; *p; p++)
          if (!g_ascii_isalnum (*p) && *p != '+' && *p != '/' && *p != '=')
            {
              g_set_error_literal (error, MPF_HELPER_ERROR, MPF_HELPER_ERROR_BAD_REQUEST,
                                   _("Field “data” must be base64"));
              return FALSE;
            }
        raw = g_base64_decode (s, &out_len);
        if (out_len == 0 || out_len > MPF_HELPER_MAX_CHUNK)
          {
            g_free (raw);
            g_set_error_literal (error, MPF_HELPER_ERROR, MPF_HELPER_ERROR_BAD_REQUEST,
                                 _("Field “data” must hold 1 to 65536 bytes of base64"));
            return FALSE;
          }
        req->data = g_bytes_new_take (raw, out_len);
        return TRUE;
      }

    case MPF_HELPER_OP_SERVE_TFTP:
      if (!get_interface (o, req, error))
        return FALSE;
      s = get_string (o, "mode", error);
      if (s == NULL)
        return FALSE;
      if (strcmp (s, "recovery") == 0)
        req->mode = MPF_HELPER_SERVE_RECOVERY;
      else if (strcmp (s, "standard") == 0)
        req->mode = MPF_HELPER_SERVE_STANDARD;
      else
        {
          g_set_error_literal (error, MPF_HELPER_ERROR, MPF_HELPER_ERROR_BAD_REQUEST,
                               _("Field “mode” must be “recovery” or “standard”"));
          return FALSE;
        }
      if (json_object_has_member (o, "address"))
        {
          s = get_string (o, "address", error);
          if (s == NULL)
            return FALSE;
          req->address = mpf_helper_address_lookup_ip (s);
          if (req->address == NULL)
            {
              g_set_error (error, MPF_HELPER_ERROR, MPF_HELPER_ERROR_NOT_ALLOWED,
                           _("Address %s is not one the helper may serve from"), s);
              return FALSE;
            }
        }
      else
        req->address = &allowed_addresses[0];
      return TRUE;

    default:
      g_assert_not_reached ();
    }
}

gboolean
mpf_helper_request_parse (const char       *line,
                          gsize             len,
                          MpfHelperRequest *req,
                          GError          **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;
  JsonObject *o;
  JsonNode *n;
  const char *op;
  gsize i;

  memset (req, 0, sizeof *req);
  req->id = -1;

  if (len > MPF_HELPER_MAX_LINE)
    {
      g_set_error (error, MPF_HELPER_ERROR, MPF_HELPER_ERROR_TOO_BIG,
                   _("Request line longer than %u bytes"), MPF_HELPER_MAX_LINE);
      return FALSE;
    }
  /* json-glib wants valid UTF-8 without NULs; check instead of trusting. */
  if (memchr (line, '\0', len) != NULL || !g_utf8_validate (line, (gssize) len, NULL))
    {
      g_set_error_literal (error, MPF_HELPER_ERROR, MPF_HELPER_ERROR_BAD_REQUEST,
                           _("Request is not UTF-8 text"));
      return FALSE;
    }

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, line, (gssize) len, &local_error))
    {
      g_set_error (error, MPF_HELPER_ERROR, MPF_HELPER_ERROR_BAD_REQUEST,
                   _("Request is not JSON: %s"), local_error->message);
      return FALSE;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, MPF_HELPER_ERROR, MPF_HELPER_ERROR_BAD_REQUEST,
                           _("Request is not a JSON object"));
      return FALSE;
    }
  o = json_node_get_object (root);

  n = get_member (o, "id", G_TYPE_INT64);
  if (n == NULL || json_node_get_int (n) < 0)
    {
      g_set_error_literal (error, MPF_HELPER_ERROR, MPF_HELPER_ERROR_BAD_REQUEST,
                           _("Field “id” must be a non-negative integer"));
      return FALSE;
    }
  req->id = json_node_get_int (n);

  n = get_member (o, "op", G_TYPE_STRING);
  if (n == NULL)
    {
      g_set_error_literal (error, MPF_HELPER_ERROR, MPF_HELPER_ERROR_BAD_REQUEST,
                           _("Field “op” must be a string"));
      return FALSE;
    }
  op = json_node_get_string (n);
  for (i = 0; i < G_N_ELEMENTS (ops); i++)
    if (strcmp (op, ops[i].name) == 0)
      break;
  if (i == G_N_ELEMENTS (ops))
    {
      g_set_error (error, MPF_HELPER_ERROR, MPF_HELPER_ERROR_UNKNOWN_OP,
                   _("Unknown operation “%s”"), op);
      return FALSE;
    }
  req->op = ops[i].op;

  if (!parse_fields (o, req, error))
    {
      gint64 id = req->id;

      mpf_helper_request_clear (req);
      req->id = id;
      return FALSE;
    }
  return TRUE;
}

static char *
to_line (JsonObject *o)
{
  g_autoptr(JsonNode) root = json_node_init_object (json_node_alloc (), o);
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autofree char *s = NULL;

  json_generator_set_root (gen, root);
  s = json_generator_to_data (gen, NULL);
  return g_strconcat (s, "\n", NULL);
}

static JsonObject *
copy_fields (JsonObject *extra)
{
  JsonObject *o = json_object_new ();

  if (extra != NULL)
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *node;

      json_object_iter_init (&iter, extra);
      while (json_object_iter_next (&iter, &name, &node))
        json_object_set_member (o, name, json_node_copy (node));
    }
  return o;
}

char *
mpf_helper_reply_ok (gint64 id, JsonObject *extra)
{
  g_autoptr(JsonObject) o = copy_fields (extra);

  json_object_set_int_member (o, "id", id);
  json_object_set_boolean_member (o, "ok", TRUE);
  return to_line (o);
}

char *
mpf_helper_reply_error (gint64 id, const GError *error)
{
  g_autoptr(JsonObject) o = json_object_new ();
  JsonObject *e = json_object_new ();
  MpfHelperError code = MPF_HELPER_ERROR_FAILED;

  if (id >= 0)
    json_object_set_int_member (o, "id", id);
  else
    json_object_set_null_member (o, "id");
  json_object_set_boolean_member (o, "ok", FALSE);
  if (error->domain == MPF_HELPER_ERROR)
    code = (MpfHelperError) error->code;
  json_object_set_string_member (e, "code", mpf_helper_error_code_name (code));
  json_object_set_string_member (e, "message", error->message);
  json_object_set_object_member (o, "error", e);
  return to_line (o);
}

char *
mpf_helper_event (const char *name, JsonObject *fields)
{
  g_autoptr(JsonObject) o = copy_fields (fields);

  json_object_set_string_member (o, "event", name);
  return to_line (o);
}
