#include "config.h"

#include <string.h>
#include <glib/gi18n.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "mpf-board.h"
#include "mpf-data-resources.h"
#include "mpf-catalog.h"
#include "mpf-error.h"

#define CATALOG_RESOURCE "/io/github/mprflash/MprFlash/data/catalog.json"
#define CATALOG_FORMAT_VERSION 1

struct _MpfCatalog
{
  GObject    parent_instance;
  GPtrArray *entries;   /* of MpfCatalogEntry* */
};

G_DEFINE_FINAL_TYPE (MpfCatalog, mpf_catalog, G_TYPE_OBJECT)

static const struct {
  MpfFamily   family;
  const char *id;
  const char *name;
} family_names[] = {
  { MPF_FAMILY_UNKNOWN, "unknown", N_("Unknown firmware") },
  { MPF_FAMILY_STOCK, "stock", N_("Stock firmware") },
  { MPF_FAMILY_HAME_STOCK, "hame-stock", N_("Hame stock firmware") },
  { MPF_FAMILY_MPRL8_STOCK, "mpr-l8-stock", N_("MPR-L8 stock firmware") },
  { MPF_FAMILY_OPENWRT, "openwrt", N_("OpenWrt") },
  { MPF_FAMILY_BOOTLOADER, "bootloader", N_("Bootloader recovery mode") },
};

const char *
mpf_family_to_string (MpfFamily family)
{
  for (gsize i = 0; i < G_N_ELEMENTS (family_names); i++)
    if (family_names[i].family == family)
      return family_names[i].id;
  return "unknown";
}

MpfFamily
mpf_family_from_string (const char *s)
{
  for (gsize i = 0; s != NULL && i < G_N_ELEMENTS (family_names); i++)
    if (g_strcmp0 (family_names[i].id, s) == 0)
      return family_names[i].family;
  return MPF_FAMILY_UNKNOWN;
}

const char *
mpf_family_display_name (MpfFamily family)
{
  for (gsize i = 0; i < G_N_ELEMENTS (family_names); i++)
    if (family_names[i].family == family)
      return _(family_names[i].name);
  return _("Unknown firmware");
}

static void
entry_free (MpfCatalogEntry *entry)
{
  g_free (entry->id);
  g_strfreev (entry->boards);
  g_free (entry->version);
  g_free (entry->format);
  g_free (entry->file_name);
  g_free (entry->sha256);
  g_free (entry->url);
  g_free (entry->description);
  g_free (entry);
}

static void
mpf_catalog_finalize (GObject *object)
{
  MpfCatalog *self = MPF_CATALOG (object);

  g_clear_pointer (&self->entries, g_ptr_array_unref);
  G_OBJECT_CLASS (mpf_catalog_parent_class)->finalize (object);
}

static void
mpf_catalog_class_init (MpfCatalogClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = mpf_catalog_finalize;
}

static void
mpf_catalog_init (MpfCatalog *self)
{
  self->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);
}

static gboolean
fail (GError **error, guint index, const char *what)
{
  g_set_error (error, MPF_IMAGE_ERROR, MPF_IMAGE_ERROR_CATALOG,
               _("The image catalogue is malformed: image %u: %s."), index, what);
  return FALSE;
}

/* A member that is absent or null reads as NULL; anything but a string fails. */
static gboolean
read_opt_string (JsonObject *obj, const char *member, char **out)
{
  JsonNode *node = json_object_get_member (obj, member);

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return FALSE;
  *out = g_strdup (json_node_get_string (node));
  return TRUE;
}

static gboolean
is_sha256_hex (const char *s)
{
  if (strlen (s) != 64)
    return FALSE;
  for (const char *p = s; *p != '\0'; p++)
    if (!g_ascii_isxdigit (*p))
      return FALSE;
  return TRUE;
}

static gboolean
parse_entry (JsonNode *node, guint index, MpfCatalogEntry *e, GError **error)
{
  JsonObject *obj;
  JsonNode *member;
  g_autofree char *family = NULL;
  JsonArray *boards;
  GPtrArray *ids;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return fail (error, index, _("not an object"));
  obj = json_node_get_object (node);

  if (!read_opt_string (obj, "id", &e->id) || e->id == NULL || *e->id == '\0')
    return fail (error, index, _("missing “id”"));
  if (!read_opt_string (obj, "family", &family) || family == NULL ||
      (mpf_family_from_string (family) == MPF_FAMILY_UNKNOWN && g_strcmp0 (family, "unknown") != 0))
    return fail (error, index, _("missing or unknown “family”"));
  e->family = mpf_family_from_string (family);

  member = json_object_get_member (obj, "boards");
  if (member == NULL || !JSON_NODE_HOLDS_ARRAY (member))
    return fail (error, index, _("“boards” must be an array of board ids"));
  boards = json_node_get_array (member);
  ids = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < json_array_get_length (boards); i++)
    {
      JsonNode *b = json_array_get_element (boards, i);
      if (!JSON_NODE_HOLDS_VALUE (b) || json_node_get_value_type (b) != G_TYPE_STRING ||
          mpf_board_lookup (json_node_get_string (b)) == NULL)
        {
          g_ptr_array_unref (ids);
          return fail (error, index, _("“boards” names an unknown board"));
        }
      g_ptr_array_add (ids, g_strdup (mpf_board_lookup (json_node_get_string (b))->id));
    }
  g_ptr_array_add (ids, NULL);
  g_ptr_array_set_free_func (ids, NULL);
  e->boards = (char **) g_ptr_array_free (ids, FALSE);
  if (e->boards[0] == NULL)
    return fail (error, index, _("“boards” is empty"));

  if (!read_opt_string (obj, "version", &e->version))
    return fail (error, index, _("“version” must be a string or null"));
  if (!read_opt_string (obj, "format", &e->format) ||
      (g_strcmp0 (e->format, "uimage") != 0 && g_strcmp0 (e->format, "encoded") != 0))
    return fail (error, index, _("“format” must be “uimage” or “encoded”"));
  if (!read_opt_string (obj, "file_name", &e->file_name))
    return fail (error, index, _("“file_name” must be a string or null"));

  e->size = -1;
  member = json_object_get_member (obj, "size");
  if (member != NULL && !JSON_NODE_HOLDS_NULL (member))
    {
      if (!JSON_NODE_HOLDS_VALUE (member) || json_node_get_value_type (member) != G_TYPE_INT64 ||
          json_node_get_int (member) <= 0)
        return fail (error, index, _("“size” must be a positive integer or null"));
      e->size = json_node_get_int (member);
    }

  /* Unknown hashes are null, never guessed: such images show as "not verified". */
  if (!read_opt_string (obj, "sha256", &e->sha256) ||
      (e->sha256 != NULL && !is_sha256_hex (e->sha256)))
    return fail (error, index, _("“sha256” must be 64 hexadecimal digits or null"));
  if (e->sha256 != NULL)
    {
      char *lower = g_ascii_strdown (e->sha256, -1);
      g_free (e->sha256);
      e->sha256 = lower;
    }

  if (!read_opt_string (obj, "url", &e->url) ||
      (e->url != NULL && !g_str_has_prefix (e->url, "https://") && !g_str_has_prefix (e->url, "http://")))
    return fail (error, index, _("“url” must be an http(s) address or null"));
  if (!read_opt_string (obj, "description", &e->description) || e->description == NULL ||
      *e->description == '\0')
    return fail (error, index, _("missing “description”"));
  return TRUE;
}

MpfCatalog *
mpf_catalog_new_from_data (const char *json, gssize len, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(MpfCatalog) self = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonNode *root, *images, *version;
  JsonObject *obj;
  JsonArray *array;

  g_return_val_if_fail (json != NULL, NULL);

  if (!json_parser_load_from_data (parser, json, len, &local_error))
    {
      g_set_error (error, MPF_IMAGE_ERROR, MPF_IMAGE_ERROR_CATALOG,
                   _("The image catalogue is not valid JSON: %s"), local_error->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, MPF_IMAGE_ERROR, MPF_IMAGE_ERROR_CATALOG,
                   _("The image catalogue must be a JSON object."));
      return NULL;
    }
  obj = json_node_get_object (root);
  version = json_object_get_member (obj, "version");
  /* Any JSON may arrive from a mirror: look at the node's type before its value. */
  if (version == NULL || !JSON_NODE_HOLDS_VALUE (version) ||
      json_node_get_value_type (version) != G_TYPE_INT64 ||
      json_node_get_int (version) != CATALOG_FORMAT_VERSION)
    {
      g_set_error (error, MPF_IMAGE_ERROR, MPF_IMAGE_ERROR_CATALOG,
                   _("The image catalogue has an unsupported format version (expected %d)."),
                   CATALOG_FORMAT_VERSION);
      return NULL;
    }
  images = json_object_get_member (obj, "images");
  if (images == NULL || !JSON_NODE_HOLDS_ARRAY (images))
    {
      g_set_error (error, MPF_IMAGE_ERROR, MPF_IMAGE_ERROR_CATALOG,
                   _("The image catalogue has no “images” array."));
      return NULL;
    }

  self = g_object_new (MPF_TYPE_CATALOG, NULL);
  array = json_node_get_array (images);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      MpfCatalogEntry *entry = g_new0 (MpfCatalogEntry, 1);

      g_ptr_array_add (self->entries, entry);
      if (!parse_entry (json_array_get_element (array, i), i, entry, error))
        return NULL;
      for (guint j = 0; j + 1 < self->entries->len; j++)
        {
          const MpfCatalogEntry *other = self->entries->pdata[j];
          if (g_strcmp0 (other->id, entry->id) == 0)
            {
              fail (error, i, _("duplicate “id”"));
              return NULL;
            }
          if (entry->sha256 != NULL && g_strcmp0 (other->sha256, entry->sha256) == 0)
            {
              fail (error, i, _("duplicate “sha256”"));
              return NULL;
            }
        }
    }
  return g_steal_pointer (&self);
}

MpfCatalog *
mpf_catalog_new_from_file (const char *path, GError **error)
{
  g_autofree char *text = NULL;
  gsize len = 0;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_get_contents (path, &text, &len, error))
    return NULL;
  return mpf_catalog_new_from_data (text, (gssize) len, error);
}

MpfCatalog *
mpf_catalog_new_default (GError **error)
{
  g_autoptr(GBytes) bytes = g_resource_lookup_data (mpf_data_get_resource (), CATALOG_RESOURCE, 0, error);
  gsize len = 0;
  const char *text;

  if (bytes == NULL)
    return NULL;
  text = g_bytes_get_data (bytes, &len);
  return mpf_catalog_new_from_data (text, (gssize) len, error);
}

MpfCatalog *
mpf_catalog_new_for_user (GError **error)
{
  const char *path = g_getenv ("MPF_CATALOG_FILE");

  return path != NULL && *path != '\0' ? mpf_catalog_new_from_file (path, error)
                                       : mpf_catalog_new_default (error);
}

guint
mpf_catalog_get_n_entries (MpfCatalog *self)
{
  g_return_val_if_fail (MPF_IS_CATALOG (self), 0);
  return self->entries->len;
}

const MpfCatalogEntry *
mpf_catalog_get_entry (MpfCatalog *self, guint i)
{
  g_return_val_if_fail (MPF_IS_CATALOG (self), NULL);
  g_return_val_if_fail (i < self->entries->len, NULL);
  return self->entries->pdata[i];
}

const MpfCatalogEntry *
mpf_catalog_lookup_id (MpfCatalog *self, const char *id)
{
  g_return_val_if_fail (MPF_IS_CATALOG (self), NULL);

  for (guint i = 0; id != NULL && i < self->entries->len; i++)
    {
      const MpfCatalogEntry *e = self->entries->pdata[i];
      if (g_strcmp0 (e->id, id) == 0)
        return e;
    }
  return NULL;
}

const MpfCatalogEntry *
mpf_catalog_lookup_sha256 (MpfCatalog *self, const char *sha256_hex)
{
  g_autofree char *lower = NULL;

  g_return_val_if_fail (MPF_IS_CATALOG (self), NULL);

  if (sha256_hex == NULL)
    return NULL;
  lower = g_ascii_strdown (sha256_hex, -1);
  for (guint i = 0; i < self->entries->len; i++)
    {
      const MpfCatalogEntry *e = self->entries->pdata[i];
      if (e->sha256 != NULL && strcmp (e->sha256, lower) == 0)
        return e;
    }
  return NULL;
}

gboolean
mpf_catalog_entry_has_board (const MpfCatalogEntry *entry, const char *board_id)
{
  g_return_val_if_fail (entry != NULL, FALSE);

  for (gsize i = 0; entry->boards != NULL && entry->boards[i] != NULL; i++)
    if (g_ascii_strcasecmp (entry->boards[i], board_id) == 0)
      return TRUE;
  return FALSE;
}
