/* test-fr-container: the simulator's bootloader parser against the reference
 * containers (tests/data/recovery) and against what it must refuse. */
#include "config.h"

#include <string.h>

#include "fr-container.h"

static GBytes *
load (const char *name)
{
  g_autofree char *path = g_build_filename (g_getenv ("MPF_TEST_DATA"),
                                           g_str_has_suffix (name, ".uimage") ? "poray" : "recovery",
                                           name, NULL);
  g_autoptr(GError) error = NULL;
  char *data = NULL;
  gsize len = 0;

  g_file_get_contents (path, &data, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (data, len);
}

static void
put_le32 (guint8 *p, guint32 v)
{
  p[0] = v & 0xff;
  p[1] = (v >> 8) & 0xff;
  p[2] = (v >> 16) & 0xff;
  p[3] = v >> 24;
}

/* A container of @n_entries entries, first of @type and length @p, with
 * @data_len bytes of payload after the header. */
static guint8 *
make (guint32 n_entries, guint8 type, guint32 p, gsize data_len, gsize *len)
{
  guint8 *buf = g_malloc0 (28 + data_len);

  put_le32 (buf, 5);
  put_le32 (buf + 8, n_entries);
  put_le32 (buf + 12, type);
  put_le32 (buf + 16, 1);
  put_le32 (buf + 24, p);
  *len = 28 + data_len;
  return buf;
}

static void
test_vector (gconstpointer data)
{
  const char *name = data;
  g_autofree char *cname = g_strconcat (name, ".container", NULL);
  g_autofree char *uname = g_strconcat (name, ".uimage", NULL);
  g_autoptr(GBytes) cont = load (cname);
  g_autoptr(GBytes) img = load (uname);
  g_autoptr(GError) error = NULL;
  gsize clen, n;
  const guint8 *c = g_bytes_get_data (cont, &clen);
  const guint8 *u = g_bytes_get_data (img, &n);
  g_autoptr(FrContainer) parsed = fr_container_parse (c, clen, &error);
  guint32 p = (guint32) (((n >> 16) + 1) << 16);

  g_assert_no_error (error);
  g_assert_nonnull (parsed);
  g_assert_cmpuint (parsed->word0, ==, 5);
  g_assert_true (parsed->crc_matches);
  g_assert_cmpuint (parsed->n_entries, ==, 1);
  g_assert_cmpuint (parsed->entries->len, ==, 1);

  FrContainerEntry *e = &g_array_index (parsed->entries, FrContainerEntry, 0);
  g_assert_cmpuint (e->type, ==, 8);
  g_assert_cmpuint (e->length, ==, p);
  g_assert_cmpuint (clen, ==, 28 + p);
  g_assert_cmpuint (e->data_start, ==, 28);
  g_assert_false (e->skipped);
  g_assert_cmpuint (e->flash_offset, ==, 0x50000);
  /* What gets written is the uImage unchanged, then zeros. */
  g_assert_cmpmem (c + e->data_start, n, u, n);
  for (gsize i = e->data_start + n; i < clen; i++)
    g_assert_cmpuint (c[i], ==, 0);
}

static void
test_raw_uimage_refused (void)
{
  g_autoptr(GBytes) img = load ("wrap.uimage");
  g_autoptr(GError) error = NULL;
  gsize n;
  const guint8 *u = g_bytes_get_data (img, &n);
  g_autoptr(FrContainer) parsed = fr_container_parse (u, n, &error);

  g_assert_null (parsed);
  g_assert_error (error, FR_CONTAINER_ERROR, FR_CONTAINER_ERROR_RAW_UIMAGE);
  g_assert_nonnull (strstr (error->message, "crash"));
}

static void
test_truncated (void)
{
  g_autoptr(GBytes) cont = load ("small.container");
  g_autoptr(GError) error = NULL;
  gsize clen;
  const guint8 *c = g_bytes_get_data (cont, &clen);
  g_autoptr(FrContainer) parsed = fr_container_parse (c, clen - 1, &error);

  g_assert_null (parsed);
  g_assert_error (error, FR_CONTAINER_ERROR, FR_CONTAINER_ERROR_TRUNCATED);
  g_clear_error (&error);
  g_assert_null (fr_container_parse (c, 11, &error));
  g_assert_error (error, FR_CONTAINER_ERROR, FR_CONTAINER_ERROR_TRUNCATED);
}

static void
test_other_types_refused (void)
{
  static const guint8 types[] = { 0, 1, 2, 4, 16, 0x88 };

  for (gsize i = 0; i < G_N_ELEMENTS (types); i++)
    {
      gsize len;
      g_autofree guint8 *buf = make (1, types[i], 0x10000, 0x10000, &len);
      g_autoptr(GError) error = NULL;
      g_autoptr(FrContainer) parsed = fr_container_parse (buf, len, &error);

      g_assert_null (parsed);
      g_assert_error (error, FR_CONTAINER_ERROR, FR_CONTAINER_ERROR_BAD_TYPE);
    }
}

static void
test_only_type_byte_read (void)
{
  gsize len;
  g_autofree guint8 *buf = make (1, 8, 0x10000, 0x10000, &len);
  g_autoptr(GError) error = NULL;

  buf[13] = 0x7f; /* the upper bytes of the type word are not read */
  g_autoptr(FrContainer) parsed = fr_container_parse (buf, len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_array_index (parsed->entries, FrContainerEntry, 0).type, ==, 8);
  g_assert_false (parsed->crc_matches); /* the CRC is ignored, only reported */
}

static void
test_oversize_skipped (void)
{
  g_autoptr(GError) error = NULL;
  gsize len;
  /* The largest that is written, and one 64 KiB step above it. */
  g_autofree guint8 *fits = make (1, 8, 0x3b0000, 0x3b0000, &len);
  g_autoptr(FrContainer) a = fr_container_parse (fits, len, &error);
  g_assert_no_error (error);
  g_assert_false (g_array_index (a->entries, FrContainerEntry, 0).skipped);

  g_autofree guint8 *big = make (1, 8, 0x3c0000, 0x3c0000, &len);
  g_autoptr(FrContainer) b = fr_container_parse (big, len, &error);
  g_assert_no_error (error);
  g_assert_true (g_array_index (b->entries, FrContainerEntry, 0).skipped);

  /* Skipped data is never read: a short file is no crash then. */
  g_autofree guint8 *short_big = make (1, 8, 0x3b0001, 100, &len);
  g_autoptr(FrContainer) c = fr_container_parse (short_big, len, &error);
  g_assert_no_error (error);
  g_assert_true (g_array_index (c->entries, FrContainerEntry, 0).skipped);
}

static void
test_entry_counts (void)
{
  g_autoptr(GError) error = NULL;
  gsize len;
  g_autofree guint8 *none = make (0, 8, 0x10000, 0x10000, &len);
  g_autoptr(FrContainer) a = fr_container_parse (none, len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (a->entries->len, ==, 0);

  /* Two type-8 entries back to back: both written, in order. */
  g_autofree guint8 *two = g_malloc0 (28 + 0x10000 + 16 + 0x10000);
  g_autofree guint8 *head = make (2, 8, 0x10000, 0, &len);
  memcpy (two, head, 28);
  put_le32 (two + 28 + 0x10000, 8);
  put_le32 (two + 28 + 0x10000 + 12, 0x10000);
  g_autoptr(FrContainer) b = fr_container_parse (two, 28 + 0x10000 + 16 + 0x10000, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (b->entries->len, ==, 2);
  g_assert_cmpuint (g_array_index (b->entries, FrContainerEntry, 1).data_start, ==,
                    28 + 0x10000 + 16);

  /* A count larger than the file can hold. */
  g_autofree guint8 *many = make (1000, 8, 16, 16, &len);
  g_autoptr(FrContainer) c = fr_container_parse (many, len, &error);
  g_assert_null (c);
  g_assert_error (error, FR_CONTAINER_ERROR, FR_CONTAINER_ERROR_TRUNCATED);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_data_func ("/fr-container/vector/small", "small", test_vector);
  g_test_add_data_func ("/fr-container/vector/odd", "odd", test_vector);
  g_test_add_data_func ("/fr-container/vector/wrap", "wrap", test_vector);
  g_test_add_func ("/fr-container/raw-uimage-refused", test_raw_uimage_refused);
  g_test_add_func ("/fr-container/truncated", test_truncated);
  g_test_add_func ("/fr-container/other-types-refused", test_other_types_refused);
  g_test_add_func ("/fr-container/only-type-byte-read", test_only_type_byte_read);
  g_test_add_func ("/fr-container/oversize-skipped", test_oversize_skipped);
  g_test_add_func ("/fr-container/entry-counts", test_entry_counts);
  return g_test_run ();
}
