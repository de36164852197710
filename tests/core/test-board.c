#include "config.h"

#include <string.h>
#include <glib.h>

#include "mpf-board.h"
#include "mpf-error.h"

static const guint8 key_a1[15] = { 0xC8, 0x3C, 0x3A, 0x93, 0xA2, 0x95, 0xC3, 0x63, 0x48, 0x45, 0x58, 0x09, 0x12, 0x03, 0x08 };
static const guint8 key_a5[15] = { 0xC8, 0x3C, 0x3A, 0x93, 0xA2, 0x95, 0xC3, 0x63, 0x48, 0x45, 0x58, 0x09, 0x20, 0x11, 0x08 };

static gboolean
has_address (const MpfBoard *b, const char *addr)
{
  for (gsize i = 0; b->lan_addresses[i] != NULL; i++)
    if (g_str_equal (b->lan_addresses[i], addr))
      return TRUE;
  return FALSE;
}

static void
test_builtin (void)
{
  const MpfBoard *const *all = mpf_board_all ();
  const char *ids[] = { "MPR-A1", "MPR-A2", "MPR-L8", "A5-V11" };
  gsize n = 0;

  while (all[n] != NULL)
    n++;
  g_assert_cmpuint (n, ==, 4);
  for (gsize i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      const MpfBoard *b = mpf_board_lookup (ids[i]);
      g_assert_nonnull (b);
      g_assert_true (b == all[i]);
      g_assert_cmphex (b->firmware_offset, ==, 0x50000);
      g_assert_cmpuint ((guint64) b->firmware_offset + b->firmware_size, ==, b->flash_size);
      g_assert_nonnull (b->description);
      g_assert_nonnull (b->lan_addresses[0]);
    }

  g_assert_cmpuint (mpf_board_lookup ("MPR-A1")->flash_size, ==, 4 * 1024 * 1024);
  g_assert_cmpuint (mpf_board_lookup ("MPR-A1")->firmware_size, ==, 3866624);
  g_assert_cmpuint (mpf_board_lookup ("MPR-A2")->flash_size, ==, 8 * 1024 * 1024);
  g_assert_false (mpf_board_lookup ("MPR-A2")->has_poray);
  g_assert_true (mpf_board_lookup ("MPR-L8")->has_poray);
  g_assert_cmphex (mpf_board_lookup ("MPR-L8")->poray_hw_id, ==, 0x32473352);
  g_assert_cmphex (mpf_board_lookup ("A5-V11")->poray_hw_id, ==, 0x32473352);
  g_assert_cmpmem (mpf_board_lookup ("MPR-A1")->poray_key, 15, key_a1, 15);
  g_assert_cmpmem (mpf_board_lookup ("MPR-L8")->poray_key, 15, key_a1, 15);
  g_assert_cmpmem (mpf_board_lookup ("A5-V11")->poray_key, 15, key_a5, 15);
  g_assert_true (has_address (mpf_board_lookup ("MPR-A1"), "192.168.169.1"));
  g_assert_true (has_address (mpf_board_lookup ("MPR-L8"), "192.168.100.1"));

  g_assert_true (mpf_board_lookup ("mpr-a1") == mpf_board_lookup ("MPR-A1"));
  g_assert_null (mpf_board_lookup ("MPR-X9"));
  g_assert_null (mpf_board_lookup (NULL));
  g_assert_cmpuint (mpf_board_max_flash_size (), ==, 8 * 1024 * 1024);
}

static void
test_parse_ok (void)
{
  const char *json =
    "[{\"id\":\"T1\",\"display_name\":\"Test\",\"flash_size\":4194304,"
    "\"firmware_offset\":\"0x50000\",\"firmware_size\":\"0x3b0000\","
    "\"poray\":{\"hw_id\":\"0x01020304\",\"key\":\"000102030405060708090a0b0c0d0e\"},"
    "\"lan_addresses\":[\"10.0.0.1\"]}]";
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) table = mpf_board_table_parse (json, -1, &error);
  const MpfBoard *b;

  g_assert_no_error (error);
  g_assert_cmpuint (table->len, ==, 1);
  b = table->pdata[0];
  g_assert_cmpstr (b->id, ==, "T1");
  g_assert_cmphex (b->firmware_offset, ==, 0x50000);
  g_assert_cmphex (b->poray_hw_id, ==, 0x01020304);
  g_assert_cmpuint (b->poray_key[14], ==, 0x0e);
  g_assert_cmpstr (b->lan_addresses[0], ==, "10.0.0.1");
  g_assert_null (b->lan_addresses[1]);
}

static void
test_parse_malformed (void)
{
  const char *bad[] = {
    "not json",
    "{}",
    "[1]",
    "[{\"display_name\":\"x\",\"flash_size\":1,\"firmware_offset\":0,\"firmware_size\":1}]",
    "[{\"id\":\"a\",\"display_name\":\"x\",\"flash_size\":1,\"firmware_offset\":0,\"firmware_size\":2}]",
    "[{\"id\":\"a\",\"display_name\":\"x\",\"flash_size\":\"0xzz\",\"firmware_offset\":0,\"firmware_size\":1}]",
    "[{\"id\":\"a\",\"display_name\":\"x\",\"flash_size\":9,\"firmware_offset\":0,\"firmware_size\":1,\"poray\":{\"hw_id\":1,\"key\":\"00\"}}]",
    "[{\"id\":\"a\",\"display_name\":\"x\",\"flash_size\":9,\"firmware_offset\":0,\"firmware_size\":1}, {\"id\":\"A\",\"display_name\":\"y\",\"flash_size\":9,\"firmware_offset\":0,\"firmware_size\":1}]",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) table = mpf_board_table_parse (bad[i], -1, &error);

      g_test_message ("case %" G_GSIZE_FORMAT, i);
      g_assert_null (table);
      g_assert_error (error, MPF_IMAGE_ERROR, MPF_IMAGE_ERROR_CATALOG);
      g_assert_true (strstr (error->message, "board table") != NULL);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/board/builtin", test_builtin);
  g_test_add_func ("/board/parse-ok", test_parse_ok);
  g_test_add_func ("/board/parse-malformed", test_parse_malformed);
  return g_test_run ();
}
