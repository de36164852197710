/* Unit tests of upload.cgi's model: the narrow hand-made multipart reader
 * (byte offsets for each body shape) and the image checks' verdicts and
 * texts (WEB-UIS.md). The curl-driven tests cover the same through HTTP. */
#include "config.h"

#include <string.h>

#include "mpf-board.h"
#include "mpf-poray.h"
#include "mpf-uimage.h"
#include "fr-device.h"
#include "fr-goahead-upload.h"

#define BOUNDARY "------------------------d74496d66958873e"

static GBytes *
make_uimage (const char *name, gsize payload_len)
{
  g_autofree guint8 *payload = g_malloc (payload_len);
  for (gsize i = 0; i < payload_len; i++)
    payload[i] = (guint8) (i * 7 + 3);
  return mpf_uimage_build (name, 1345516999u, 0x80000000u, 0x80244000u, MPF_UIMAGE_OS_LINUX,
                           MPF_UIMAGE_ARCH_MIPS, MPF_UIMAGE_TYPE_KERNEL, MPF_UIMAGE_COMP_LZMA,
                           payload, payload_len, NULL, 0);
}

/* A body as curl -F builds it: @before, the file part, @after. */
static GByteArray *
body_with (const char *before, const char *part_headers, GBytes *file, const char *after)
{
  GByteArray *b = g_byte_array_new ();
  g_autofree char *head = g_strdup_printf ("%s--%s\r\n%s\r\n", before, BOUNDARY, part_headers);
  g_autofree char *tail = g_strdup_printf ("\r\n--%s%s--\r\n", BOUNDARY, after);
  g_byte_array_append (b, (const guint8 *) head, (guint) strlen (head));
  g_byte_array_append (b, g_bytes_get_data (file, NULL), (guint) g_bytes_get_size (file));
  g_byte_array_append (b, (const guint8 *) tail, (guint) strlen (tail));
  return b;
}

static const char cd_ct[] =
  "Content-Disposition: form-data; name=\"filename\"; filename=\"fw.bin\"\r\n"
  "Content-Type: application/octet-stream\r\n";

static void
test_curl_shape (void)
{
  g_autoptr(GBytes) img = make_uimage (MPF_UIMAGE_STOCK_NAME, 3000);
  /* the submit button after the file part is ignored, as in a browser's body */
  g_autofree char *after = g_strdup_printf ("\r\nContent-Disposition: form-data; "
                                            "name=\"UploadFirmwareSubmit\"\r\n\r\nApply\r\n--%s",
                                            BOUNDARY);
  g_autoptr(GByteArray) b = body_with ("", cd_ct, img, after);
  FrNarrowPart part;

  g_assert_true (fr_narrow_multipart_parse (b->data, b->len, &part));
  g_assert_cmpuint (part.data_len, ==, g_bytes_get_size (img));
  g_assert_cmpmem (b->data + part.data_offset, part.data_len, g_bytes_get_data (img, NULL),
                   g_bytes_get_size (img));
  g_assert_cmpuint (part.notes->len, ==, 0);
  fr_narrow_part_clear (&part);
}

static void
test_shifted_shapes (void)
{
  g_autoptr(GBytes) img = make_uimage (MPF_UIMAGE_STOCK_NAME, 3000);
  struct { const char *before, *headers; gssize shift; } cases[] = {
    /* two header lines: the blank line becomes the first data bytes */
    { "", "Content-Disposition: form-data; name=\"filename\"; filename=\"a\"\r\n"
          "Content-Type: application/octet-stream\r\nX-Extra: 1\r\n", -2 },
    /* no header line: the data starts one line into the file */
    { "", "Content-Disposition: form-data; name=\"filename\"; filename=\"a\"\r\n", 1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GByteArray) b = body_with (cases[i].before, cases[i].headers, img, "");
      FrNarrowPart part;
      FrUploadVerdict v;
      g_assert_true (fr_narrow_multipart_parse (b->data, b->len, &part));
      g_assert_cmpuint (part.notes->len, >, 0);
      if (cases[i].shift < 0)
        g_assert_cmpmem (b->data + part.data_offset, 2, "\r\n", 2);
      else
        g_assert_cmpuint (part.data_len, <, g_bytes_get_size (img));
      fr_upload_check (b->data + part.data_offset, part.data_len, FALSE, "/var/tmpFW", &v);
      g_assert_false (v.accepted);
      fr_upload_verdict_clear (&v);
      fr_narrow_part_clear (&part);
    }
}

static void
test_field_first (void)
{
  g_autoptr(GBytes) img = make_uimage (MPF_UIMAGE_STOCK_NAME, 3000);
  g_autofree char *before = g_strdup_printf ("--%s\r\nContent-Disposition: form-data; "
                                             "name=\"UploadFirmwareSubmit\"\r\n\r\nApply\r\n",
                                             BOUNDARY);
  g_autoptr(GByteArray) b = body_with (before, cd_ct, img, "");
  FrNarrowPart part;
  FrUploadVerdict v;

  g_assert_true (fr_narrow_multipart_parse (b->data, b->len, &part));
  g_assert_cmpuint (part.notes->len, >, 0);
  /* line 5 is the file part's own boundary line: the data ends at once */
  g_assert_cmpuint (part.data_len, ==, 0);
  fr_upload_check (b->data + part.data_offset, part.data_len, FALSE, "/var/tmpFW", &v);
  g_assert_false (v.accepted);
  fr_upload_verdict_clear (&v);
  fr_narrow_part_clear (&part);
}

static void
test_no_boundary (void)
{
  FrNarrowPart part;
  g_assert_false (fr_narrow_multipart_parse ((const guint8 *) "no newline at all", 17, &part));
  fr_narrow_part_clear (&part);
  g_assert_false (fr_narrow_multipart_parse ((const guint8 *) "", 0, &part));
  fr_narrow_part_clear (&part);
}

static void
check_refused (GBytes *data, gboolean encoded, const char *text)
{
  FrUploadVerdict v;
  fr_upload_check (g_bytes_get_data (data, NULL), g_bytes_get_size (data), encoded, "/var/tmpFW",
                   &v);
  g_assert_false (v.accepted);
  if (text != NULL)
    g_assert_nonnull (strstr (v.page_text->str, text));
  fr_upload_verdict_clear (&v);
}

static void
test_checks (void)
{
  g_autoptr(GBytes) good = make_uimage (MPF_UIMAGE_STOCK_NAME, 5000);
  g_autoptr(GBytes) named = make_uimage ("MIPS OpenWrt Linux-3.10.49", 5000);
  g_autoptr(GBytes) big = make_uimage (MPF_UIMAGE_STOCK_NAME, FR_FIRMWARE_SIZE - 63);
  FrUploadVerdict v;

  fr_upload_check (g_bytes_get_data (good, NULL), g_bytes_get_size (good), FALSE, "/x", &v);
  g_assert_true (v.accepted);
  g_assert_true (g_bytes_equal (v.uimage, good));
  fr_upload_verdict_clear (&v);

  check_refused (named, FALSE, "Image Name: MIPS OpenWrt Linux-3.10.49");
  check_refused (big, FALSE, "*** Warning: the image file(0x3b0001) is bigger than "
                             "Kernel_RootFS MTD partition.");

  gsize n;
  g_autofree guint8 *bad = g_memdup2 (g_bytes_get_data (good, &n), g_bytes_get_size (good));
  bad[200] ^= 1;
  g_autoptr(GBytes) corrupt = g_bytes_new (bad, n);
  check_refused (corrupt, FALSE, "*** Warning: \"/var/tmpFW\" has corrupted data!");

  const MpfBoard *l8 = mpf_board_lookup ("MPR-L8");
  g_assert_nonnull (l8);
  g_autoptr(GBytes) enc = mpf_poray_encode (l8, good, NULL);
  g_assert_nonnull (enc);
  check_refused (enc, FALSE, NULL);   /* Hame: encoded refused */
  check_refused (good, TRUE, NULL);   /* MPR-L8: plain refused */
  fr_upload_check (g_bytes_get_data (enc, NULL), g_bytes_get_size (enc), TRUE, "/x", &v);
  g_assert_true (v.accepted);
  g_assert_true (g_bytes_equal (v.uimage, good));
  fr_upload_verdict_clear (&v);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/fr-upload/narrow/curl-shape", test_curl_shape);
  g_test_add_func ("/fr-upload/narrow/shifted", test_shifted_shapes);
  g_test_add_func ("/fr-upload/narrow/field-first", test_field_first);
  g_test_add_func ("/fr-upload/narrow/no-boundary", test_no_boundary);
  g_test_add_func ("/fr-upload/checks", test_checks);
  return g_test_run ();
}
