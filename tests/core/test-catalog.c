#include "config.h"

#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "mpf-catalog.h"
#include "mpf-error.h"

#define HAME_SHA "3563397aff61d9907020886909b9d87e68141cc05e819e11444f010883e8266f"

static void
test_default (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MpfCatalog) cat = mpf_catalog_new_default (&error);
  const MpfCatalogEntry *hame, *a1, *a2;

  g_assert_no_error (error);
  g_assert_nonnull (cat);
  g_assert_cmpuint (mpf_catalog_get_n_entries (cat), >=, 3);

  hame = mpf_catalog_lookup_sha256 (cat, HAME_SHA);
  g_assert_nonnull (hame);
  g_assert_cmpstr (hame->id, ==, "hame-mpr-a1-2.3.105.214");
  g_assert_cmpint (hame->family, ==, MPF_FAMILY_HAME_STOCK);
  g_assert_cmpstr (hame->version, ==, "2.3.105.214");
  g_assert_cmpstr (hame->format, ==, "uimage");
  g_assert_cmpint (hame->size, ==, 3766314);
  g_assert_true (mpf_catalog_entry_has_board (hame, "MPR-A1"));
  g_assert_false (mpf_catalog_entry_has_board (hame, "MPR-A2"));
  /* Upper-case hex finds it too. */
  {
    g_autofree char *upper = g_ascii_strup (HAME_SHA, -1);
    g_assert_true (mpf_catalog_lookup_sha256 (cat, upper) == hame);
  }

  a1 = mpf_catalog_lookup_id (cat, "openwrt-14.07-mpr-a1-sysupgrade");
  a2 = mpf_catalog_lookup_id (cat, "openwrt-14.07-mpr-a2-sysupgrade");
  g_assert_nonnull (a1);
  g_assert_nonnull (a2);
  /* Unknown hashes stay unknown: never invented. */
  g_assert_null (a1->sha256);
  g_assert_null (a2->sha256);
  g_assert_cmpint (a1->family, ==, MPF_FAMILY_OPENWRT);
  g_assert_cmpstr (a1->version, ==, "14.07");
  g_assert_cmpstr (a1->url, ==,
                   "https://downloads.openwrt.org/barrier_breaker/14.07/ramips/rt305x/openwrt-ramips-rt305x-mpr-a1-squashfs-sysupgrade.bin");
  g_assert_cmpstr (a2->url, ==,
                   "https://downloads.openwrt.org/barrier_breaker/14.07/ramips/rt305x/openwrt-ramips-rt305x-mpr-a2-squashfs-sysupgrade.bin");
  g_assert_true (mpf_catalog_entry_has_board (a2, "MPR-A2"));

  for (guint i = 0; i < mpf_catalog_get_n_entries (cat); i++)
    {
      const MpfCatalogEntry *e = mpf_catalog_get_entry (cat, i);
      g_assert_nonnull (e->description);
      g_assert_cmpstr (e->description, !=, "");
      g_assert_nonnull (e->boards[0]);
    }
  g_assert_null (mpf_catalog_lookup_sha256 (cat, "00"));
  g_assert_null (mpf_catalog_lookup_id (cat, "nope"));
}

static const char *valid_entry =
  "{\"id\":\"x\",\"family\":\"openwrt\",\"boards\":[\"MPR-A1\"],\"version\":\"1\","
  "\"format\":\"uimage\",\"size\":null,\"sha256\":null,\"url\":null,\"description\":\"d\"}";

static void
test_from_data (void)
{
  g_autofree char *json = g_strdup_printf ("{\"version\":1,\"images\":[%s]}", valid_entry);
  g_autoptr(GError) error = NULL;
  g_autoptr(MpfCatalog) cat = mpf_catalog_new_from_data (json, -1, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (mpf_catalog_get_n_entries (cat), ==, 1);
  g_assert_cmpint (mpf_catalog_get_entry (cat, 0)->size, ==, -1);
  g_assert_null (mpf_catalog_get_entry (cat, 0)->sha256);
}

static void
test_malformed (void)
{
  const char *bad[] = {
    "",
    "{ \"version\": 1, \"images\": [ ",
    "[]",
    "{\"version\":2,\"images\":[]}",
    /* a version of the wrong type: an error, not a critical (found by fuzz-catalog) */
    "{\"version\":{},\"images\":[]}",
    "{\"version\":[1],\"images\":[]}",
    "{\"version\":\"1\",\"images\":[]}",
    "{\"version\":1}",
    "{\"version\":1,\"images\":[1]}",
    "{\"version\":1,\"images\":[{\"family\":\"openwrt\",\"boards\":[\"MPR-A1\"],\"format\":\"uimage\",\"description\":\"d\"}]}",
    "{\"version\":1,\"images\":[{\"id\":\"x\",\"family\":\"windows\",\"boards\":[\"MPR-A1\"],\"format\":\"uimage\",\"description\":\"d\"}]}",
    "{\"version\":1,\"images\":[{\"id\":\"x\",\"family\":\"openwrt\",\"boards\":[\"MPR-Z\"],\"format\":\"uimage\",\"description\":\"d\"}]}",
    "{\"version\":1,\"images\":[{\"id\":\"x\",\"family\":\"openwrt\",\"boards\":[],\"format\":\"uimage\",\"description\":\"d\"}]}",
    "{\"version\":1,\"images\":[{\"id\":\"x\",\"family\":\"openwrt\",\"boards\":[\"MPR-A1\"],\"format\":\"zip\",\"description\":\"d\"}]}",
    "{\"version\":1,\"images\":[{\"id\":\"x\",\"family\":\"openwrt\",\"boards\":[\"MPR-A1\"],\"format\":\"uimage\",\"sha256\":\"abc\",\"description\":\"d\"}]}",
    "{\"version\":1,\"images\":[{\"id\":\"x\",\"family\":\"openwrt\",\"boards\":[\"MPR-A1\"],\"format\":\"uimage\",\"size\":\"big\",\"description\":\"d\"}]}",
    "{\"version\":1,\"images\":[{\"id\":\"x\",\"family\":\"openwrt\",\"boards\":[\"MPR-A1\"],\"format\":\"uimage\",\"url\":\"ftp://x\",\"description\":\"d\"}]}",
    "{\"version\":1,\"images\":[{\"id\":\"x\",\"family\":\"openwrt\",\"boards\":[\"MPR-A1\"],\"format\":\"uimage\"}]}",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(MpfCatalog) cat = mpf_catalog_new_from_data (bad[i], -1, &error);

      g_test_message ("case %" G_GSIZE_FORMAT ": %s", i, bad[i]);
      g_assert_null (cat);
      g_assert_error (error, MPF_IMAGE_ERROR, MPF_IMAGE_ERROR_CATALOG);
      g_assert_true (strstr (error->message, "catalogue") != NULL);
    }

  /* Duplicate ids are refused. */
  {
    g_autofree char *json = g_strdup_printf ("{\"version\":1,\"images\":[%s,%s]}", valid_entry, valid_entry);
    g_autoptr(GError) error = NULL;
    g_autoptr(MpfCatalog) cat = mpf_catalog_new_from_data (json, -1, &error);
    g_assert_null (cat);
    g_assert_error (error, MPF_IMAGE_ERROR, MPF_IMAGE_ERROR_CATALOG);
  }
}

static void
test_from_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("mpf-catalog-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "catalog.json", NULL);
  g_autoptr(MpfCatalog) missing = NULL;
  g_autoptr(MpfCatalog) broken = NULL;

  g_assert_no_error (error);
  missing = mpf_catalog_new_from_file (path, &error);
  g_assert_null (missing);
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (path, "{\"version\":1,\"images\":[{]}", -1, NULL));
  broken = mpf_catalog_new_from_file (path, &error);
  g_assert_null (broken);
  g_assert_error (error, MPF_IMAGE_ERROR, MPF_IMAGE_ERROR_CATALOG);
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_families (void)
{
  for (int f = MPF_FAMILY_UNKNOWN; f <= MPF_FAMILY_BOOTLOADER; f++)
    {
      g_assert_cmpint (mpf_family_from_string (mpf_family_to_string (f)), ==, f);
      g_assert_nonnull (mpf_family_display_name (f));
    }
  g_assert_cmpstr (mpf_family_to_string (MPF_FAMILY_HAME_STOCK), ==, "hame-stock");
  g_assert_cmpint (mpf_family_from_string ("nonsense"), ==, MPF_FAMILY_UNKNOWN);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/catalog/default", test_default);
  g_test_add_func ("/catalog/from-data", test_from_data);
  g_test_add_func ("/catalog/malformed", test_malformed);
  g_test_add_func ("/catalog/from-file", test_from_file);
  g_test_add_func ("/catalog/families", test_families);
  return g_test_run ();
}
