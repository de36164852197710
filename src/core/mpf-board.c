#include "config.h"

#include <string.h>
#include <glib/gi18n.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "mpf-board.h"
#include "mpf-data-resources.h"
#include "mpf-error.h"
#include "mpf-poray.h"

#define BOARDS_RESOURCE "/io/github/mprflash/MprFlash/data/boards.json"

G_STATIC_ASSERT (sizeof (((MpfBoard *) NULL)->poray_key) == MPF_PORAY_KEY_LEN);

void
mpf_board_free (MpfBoard *board)
{
  if (board == NULL)
    return;
  g_free ((char *) board->id);
  g_free ((char *) board->display_name);
  g_free ((char *) board->description);
  g_strfreev ((char **) board->lan_addresses);
  g_free (board);
}

static gboolean
fail (GError **error, const char *what, guint index)
{
  g_set_error (error, MPF_IMAGE_ERROR, MPF_IMAGE_ERROR_CATALOG,
               _("The board table is malformed: entry %u: %s."), index, what);
  return FALSE;
}

/* Numbers may be written as JSON integers or as "0x…" strings. */
static gboolean
read_u32 (JsonObject *obj, const char *member, guint32 *out)
{
  JsonNode *node = json_object_get_member (obj, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    {
      gint64 v = json_node_get_int (node);
      if (v < 0 || v > G_MAXUINT32)
        return FALSE;
      *out = (guint32) v;
      return TRUE;
    }
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    {
      guint64 v = 0;
      const char *s = json_node_get_string (node);
      if (!g_ascii_string_to_unsigned (g_str_has_prefix (s, "0x") ? s + 2 : s,
                                       g_str_has_prefix (s, "0x") ? 16 : 10,
                                       0, G_MAXUINT32, &v, NULL))
        return FALSE;
      *out = (guint32) v;
      return TRUE;
    }
  return FALSE;
}

static const char *
read_string (JsonObject *obj, const char *member)
{
  JsonNode *node = json_object_get_member (obj, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* "C8 3C 3A …" or "c83c3a…": 15 bytes of hex, spaces ignored. */
static gboolean
read_key (const char *text, guint8 *key)
{
  gsize n = 0;

  for (const char *p = text; *p != '\0'; p++)
    {
      int hi, lo;

      if (*p == ' ')
        continue;
      hi = g_ascii_xdigit_value (p[0]);
      lo = p[1] != '\0' ? g_ascii_xdigit_value (p[1]) : -1;
      if (hi < 0 || lo < 0 || n >= MPF_PORAY_KEY_LEN)
        return FALSE;
      key[n++] = (guint8) (hi << 4 | lo);
      p++;
    }
  return n == MPF_PORAY_KEY_LEN;
}

static gboolean
parse_board (JsonNode *node, guint index, MpfBoard *board, GError **error)
{
  JsonObject *obj, *poray;
  JsonArray *lan;
  const char *id, *name;
  GPtrArray *addresses;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return fail (error, _("not an object"), index);
  obj = json_node_get_object (node);

  id = read_string (obj, "id");
  name = read_string (obj, "display_name");
  if (id == NULL || *id == '\0')
    return fail (error, _("missing “id”"), index);
  if (name == NULL)
    return fail (error, _("missing “display_name”"), index);
  board->id = g_strdup (id);
  board->display_name = g_strdup (name);
  board->description = g_strdup (read_string (obj, "description"));

  if (!read_u32 (obj, "flash_size", &board->flash_size) ||
      !read_u32 (obj, "firmware_offset", &board->firmware_offset) ||
      !read_u32 (obj, "firmware_size", &board->firmware_size))
    return fail (error, _("missing or invalid flash layout"), index);
  if (board->firmware_size == 0 ||
      (guint64) board->firmware_offset + board->firmware_size > board->flash_size)
    return fail (error, _("the firmware partition does not fit in the flash"), index);

  poray = json_object_get_member (obj, "poray") != NULL &&
          JSON_NODE_HOLDS_OBJECT (json_object_get_member (obj, "poray"))
          ? json_object_get_object_member (obj, "poray") : NULL;
  if (poray != NULL)
    {
      const char *key = read_string (poray, "key");
      if (!read_u32 (poray, "hw_id", &board->poray_hw_id))
        return fail (error, _("invalid Poray hardware id"), index);
      if (key == NULL || !read_key (key, board->poray_key))
        return fail (error, _("invalid Poray key (15 hex bytes)"), index);
      board->has_poray = TRUE;
    }
  else if (json_object_has_member (obj, "poray") &&
           !JSON_NODE_HOLDS_NULL (json_object_get_member (obj, "poray")))
    return fail (error, _("“poray” must be an object or null"), index);

  addresses = g_ptr_array_new ();
  lan = json_object_has_member (obj, "lan_addresses") &&
        JSON_NODE_HOLDS_ARRAY (json_object_get_member (obj, "lan_addresses"))
        ? json_object_get_array_member (obj, "lan_addresses") : NULL;
  for (guint i = 0; lan != NULL && i < json_array_get_length (lan); i++)
    {
      JsonNode *a = json_array_get_element (lan, i);
      if (JSON_NODE_HOLDS_VALUE (a) && json_node_get_value_type (a) == G_TYPE_STRING)
        g_ptr_array_add (addresses, g_strdup (json_node_get_string (a)));
    }
  g_ptr_array_add (addresses, NULL);
  board->lan_addresses = (const char *const *) g_ptr_array_free (addresses, FALSE);
  return TRUE;
}

GPtrArray *
mpf_board_table_parse (const char *json, gssize len, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) boards = g_ptr_array_new_with_free_func ((GDestroyNotify) mpf_board_free);
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;
  JsonArray *array;

  g_return_val_if_fail (json != NULL, NULL);

  if (!json_parser_load_from_data (parser, json, len, &local_error))
    {
      g_set_error (error, MPF_IMAGE_ERROR, MPF_IMAGE_ERROR_CATALOG,
                   _("The board table is not valid JSON: %s"), local_error->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    {
      g_set_error (error, MPF_IMAGE_ERROR, MPF_IMAGE_ERROR_CATALOG,
                   _("The board table must be a JSON array of boards."));
      return NULL;
    }
  array = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      MpfBoard *board = g_new0 (MpfBoard, 1);

      if (!parse_board (json_array_get_element (array, i), i, board, error))
        {
          mpf_board_free (board);
          return NULL;
        }
      for (guint j = 0; j < boards->len; j++)
        if (g_ascii_strcasecmp (((MpfBoard *) boards->pdata[j])->id, board->id) == 0)
          {
            mpf_board_free (board);
            fail (error, _("duplicate board id"), i);
            return NULL;
          }
      g_ptr_array_add (boards, board);
    }
  return g_steal_pointer (&boards);
}

/* The one data global the core allows: the immutable built-in table, parsed
 * on first use and kept for the life of the process. */
static const MpfBoard *const *
builtin_table (void)
{
  static gsize once = 0;
  static const MpfBoard *const *table;

  if (g_once_init_enter (&once))
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bytes = g_resource_lookup_data (mpf_data_get_resource (), BOARDS_RESOURCE, 0, &error);
      GPtrArray *boards;
      gsize len = 0;
      const char *text;

      if (bytes == NULL)
        g_error ("Built-in board table missing: %s", error->message);
      text = g_bytes_get_data (bytes, &len);
      boards = mpf_board_table_parse (text, (gssize) len, &error);
      if (boards == NULL)
        g_error ("Built-in board table invalid: %s", error->message);
      /* Deliberately never freed: callers keep board pointers forever. */
      g_ptr_array_set_free_func (boards, NULL);
      g_ptr_array_add (boards, NULL);
      table = (const MpfBoard *const *) g_ptr_array_free (boards, FALSE);
      g_once_init_leave (&once, 1);
    }
  return table;
}

const MpfBoard *const *
mpf_board_all (void)
{
  return builtin_table ();
}

const MpfBoard *
mpf_board_lookup (const char *id)
{
  const MpfBoard *const *boards;

  if (id == NULL)
    return NULL;
  boards = builtin_table ();
  for (gsize i = 0; boards[i] != NULL; i++)
    if (g_ascii_strcasecmp (boards[i]->id, id) == 0)
      return boards[i];
  return NULL;
}

guint32
mpf_board_max_flash_size (void)
{
  const MpfBoard *const *boards = builtin_table ();
  guint32 max = 0;

  for (gsize i = 0; boards[i] != NULL; i++)
    max = MAX (max, boards[i]->flash_size);
  return max;
}
