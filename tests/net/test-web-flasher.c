/* The web flashers over real HTTP against the in-process router web UIs:
 * logins, each refusal, success pages, dropped connections, time limits,
 * cancellation, LuCI's cookie + token rule and MD5 check, and the exact
 * bytes of the body the SDK's upload.cgi parses. */
#include "config.h"

#include <string.h>

#include "mpf-board.h"
#include "mpf-poray.h"
#include "mpf-uimage.h"
#include "mpf-web-flasher-goahead.h"
#include "mpf-web-flasher-luci.h"
#include "test-web-router.h"

/* ---- helpers ---- */

static void
done_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (res);
}

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static char *
login (MpfWebFlasher *f, const char *const *passwords, GError **error)
{
  g_autoptr(GAsyncResult) res = NULL;

  mpf_web_flasher_login_async (f, passwords, NULL, done_cb, &res);
  return mpf_web_flasher_login_finish (f, wait_result (&res), error);
}

static void
login_ok (MpfWebFlasher *f)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *pw = login (f, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (pw);
}

static gboolean
upload (MpfWebFlasher *f, GBytes *image, GCancellable *cancellable, GError **error)
{
  g_autoptr(GAsyncResult) res = NULL;

  mpf_web_flasher_upload_async (f, image, cancellable, done_cb, &res);
  return mpf_web_flasher_upload_finish (f, wait_result (&res), error);
}

/* A kernel-type MIPS uImage with a pseudo-random payload. */
static GBytes *
make_image (const char *name, gsize payload_len)
{
  g_autofree guint8 *payload = g_malloc (payload_len);
  GRand *rand = g_rand_new_with_seed ((guint32) payload_len);

  for (gsize i = 0; i < payload_len; i++)
    payload[i] = (guint8) g_rand_int (rand);
  g_rand_free (rand);
  return mpf_uimage_build (name, 1400000000, 0x80000000, 0x80000000, MPF_UIMAGE_OS_LINUX,
                           MPF_UIMAGE_ARCH_MIPS, MPF_UIMAGE_TYPE_KERNEL, MPF_UIMAGE_COMP_LZMA,
                           payload, payload_len, NULL, 0);
}

typedef struct {
  guint64  last_sent;
  guint64  total;
  guint    n_progress;
  gboolean monotonic;
  gboolean waiting;
  GPtrArray *log;
} Watch;

static void
progress_cb (MpfWebFlasher *f, guint64 sent, guint64 total, Watch *w)
{
  if (sent < w->last_sent)
    w->monotonic = FALSE;
  w->last_sent = sent;
  w->total = total;
  w->n_progress++;
}

static void
waiting_cb (MpfWebFlasher *f, Watch *w)
{
  w->waiting = TRUE;
}

static void
log_cb (MpfWebFlasher *f, const char *line, Watch *w)
{
  g_ptr_array_add (w->log, g_strdup (line));
}

static void
watch (MpfWebFlasher *f, Watch *w)
{
  memset (w, 0, sizeof *w);
  w->monotonic = TRUE;
  w->log = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (f, "upload-progress", G_CALLBACK (progress_cb), w);
  g_signal_connect (f, "waiting-for-verdict", G_CALLBACK (waiting_cb), w);
  g_signal_connect (f, "log", G_CALLBACK (log_cb), w);
}

static MpfWebFlasher *
goahead_for (TestWebRouter *r, MpfFamily family)
{
  return MPF_WEB_FLASHER (mpf_web_flasher_goahead_new (twr_get_address (r), family));
}

/* ---- the multipart body, byte for byte ---- */

static void
test_multipart_bytes (void)
{
  static const char expected[] =
    "--BOUNDARY\r\n"
    "Content-Disposition: form-data; name=\"filename\"; filename=\"firmware.bin\"\r\n"
    "Content-Type: application/octet-stream\r\n"
    "\r\n"
    "DA\r\nTA"
    "\r\n--BOUNDARY--\r\n";
  g_autoptr(GBytes) data = g_bytes_new_static ("DA\r\nTA", 6);
  g_autoptr(GBytes) body = mpf_web_flasher_build_multipart ("BOUNDARY", "filename", "firmware.bin", data);
  g_autoptr(GBytes) file = NULL;
  g_autofree char *why = NULL;

  g_assert_cmpmem (g_bytes_get_data (body, NULL), g_bytes_get_size (body), expected, sizeof expected - 1);
  /* The SDK's own reading of it gives back exactly the data. */
  g_assert_true (twr_sdk_parse_upload (g_bytes_get_data (body, NULL), g_bytes_get_size (body), &file, &why));
  g_assert_null (why);
  g_assert_cmpmem (g_bytes_get_data (file, NULL), g_bytes_get_size (file), "DA\r\nTA", 6);
}

static void
test_sdk_parser_refuses (void)
{
  /* The hand parser really is narrow: a field before the file part, or a
   * second header line, is not what upload.cgi reads. */
  static const char field_first[] =
    "--B\r\nContent-Disposition: form-data; name=\"UploadFirmwareSubmit\"\r\n\r\nApply\r\n"
    "--B\r\nContent-Disposition: form-data; name=\"filename\"; filename=\"f\"\r\n"
    "Content-Type: application/octet-stream\r\n\r\nDATA\r\n--B--\r\n";
  static const char two_headers[] =
    "--B\r\nContent-Disposition: form-data; name=\"filename\"; filename=\"f\"\r\n"
    "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\r\nDATA\r\n--B--\r\n";
  static const char no_header[] =
    "--B\r\nContent-Disposition: form-data; name=\"filename\"; filename=\"f\"\r\n\r\nDATA\r\n--B--\r\n";
  const char *const bodies[] = { field_first, two_headers, no_header };

  for (gsize i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(GBytes) file = NULL;
      g_autofree char *why = NULL;

      g_assert_false (twr_sdk_parse_upload ((const guint8 *) bodies[i], strlen (bodies[i]), &file, &why));
      g_assert_nonnull (why);
      g_assert_null (file);
    }
}

static void
test_soup_multipart_adds_content_type (void)
{
  /* What libsoup's SoupMultipart gives for a file part, against the SDK's
   * reading (we build the body ourselves so its bytes are fixed and tested,
   * whatever a later libsoup does). */
  g_autoptr(SoupMultipart) mp = soup_multipart_new (SOUP_FORM_MIME_TYPE_MULTIPART);
  g_autoptr(GBytes) data = g_bytes_new_static ("DATA", 4);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GBytes) file = NULL;
  g_autofree char *why = NULL;
  SoupMessageHeaders *headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_MULTIPART);
  const char *text;
  const char *part;

  soup_multipart_append_form_file (mp, "filename", "firmware.bin", "application/octet-stream", data);
  soup_multipart_to_message (mp, headers, &body);
  text = g_bytes_get_data (body, NULL);
  part = g_strstr_len (text, (gssize) g_bytes_get_size (body), "Content-Disposition");
  g_assert_nonnull (part);
  /* libsoup writes exactly one Content-Type line per file part. */
  g_assert_nonnull (g_strstr_len (part, (gssize) g_bytes_get_size (body) - (part - text), "\r\nContent-Type: application/octet-stream\r\n\r\nDATA"));
  /* ...and nothing else, so for one file part its body has the same shape
   * as ours and the SDK's reading of it gives the data back. */
  g_assert_true (twr_sdk_parse_upload (g_bytes_get_data (body, NULL), g_bytes_get_size (body), &file, &why));
  g_assert_cmpmem (g_bytes_get_data (file, NULL), g_bytes_get_size (file), "DATA", 4);
  soup_message_headers_unref (headers);
}

static void
test_pick_boundary_and_md5 (void)
{
  g_autoptr(GBytes) data = make_image ("Linux Kernel Image", 4096);
  g_autofree char *b = mpf_web_flasher_pick_boundary (data);
  g_autofree char *h1 = mpf_web_flasher_md5_hex ("hame");
  g_autofree char *h2 = mpf_web_flasher_md5_hex ("admin");
  const guint8 *p = g_bytes_get_data (data, NULL);

  for (gsize i = 0; i + strlen (b) <= g_bytes_get_size (data); i++)
    g_assert_false (memcmp (p + i, b, strlen (b)) == 0);
  g_assert_cmpstr (h1, ==, "d24cbd88d31dfcfdc244ed5fc0688a95");
  g_assert_cmpstr (h2, ==, "21232f297a57a5a743894a0e4a801fc3");
}

/* ---- GoAhead: login ---- */

static void
test_goahead_login_default (void)
{
  TestWebRouter *r = twr_new (TWR_HAME);
  g_autoptr(MpfWebFlasher) f = goahead_for (r, MPF_FAMILY_HAME_STOCK);
  g_autoptr(GError) error = NULL;
  g_autofree char *pw = login (f, NULL, &error);
  g_autofree char *admurl = twr_dup_admurl (r);

  g_assert_no_error (error);
  g_assert_cmpstr (pw, ==, "hame");
  g_assert_cmpuint (twr_get_failed_logins (r), ==, 0);
  /* The page's hidden field goes back as it was. */
  g_assert_cmpstr (admurl, ==, "/main.asp");
  twr_free (r);
}

static void
test_goahead_login_admin_batch (void)
{
  TestWebRouter *r = twr_new (TWR_HAME);
  g_autoptr(MpfWebFlasher) f = goahead_for (r, MPF_FAMILY_HAME_STOCK);
  g_autoptr(GError) error = NULL;
  g_autofree char *pw = NULL;

  twr_set_password (r, "admin");
  pw = login (f, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pw, ==, "admin");
  g_assert_cmpuint (twr_get_failed_logins (r), ==, 1);
  twr_free (r);
}

static void
test_goahead_wrong_then_right (void)
{
  static const char *const mine[] = { "s3cret", NULL };
  TestWebRouter *r = twr_new (TWR_HAME);
  g_autoptr(MpfWebFlasher) f = goahead_for (r, MPF_FAMILY_HAME_STOCK);
  g_autoptr(GError) error = NULL;
  g_autofree char *pw = NULL;
  Watch w;

  watch (f, &w);
  twr_set_password (r, "s3cret");
  pw = login (f, NULL, &error);
  g_assert_null (pw);
  g_assert_error (error, MPF_WEB_FLASHER_ERROR, MPF_WEB_FLASHER_ERROR_WRONG_PASSWORD);
  g_assert_cmpuint (twr_get_failed_logins (r), ==, 2);
  /* The log never shows a password. */
  for (guint i = 0; i < w.log->len; i++)
    {
      g_assert_null (strstr (g_ptr_array_index (w.log, i), "hame"));
      g_assert_null (strstr (g_ptr_array_index (w.log, i), "s3cret"));
    }

  g_clear_error (&error);
  pw = login (f, mine, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pw, ==, "s3cret");
  g_ptr_array_unref (w.log);
  twr_free (r);
}

static void
test_goahead_unreachable (void)
{
  g_autoptr(GSocket) s = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autofree char *address = NULL;
  g_autoptr(MpfWebFlasher) f = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pw = NULL;

  g_assert_true (g_socket_bind (s, any, FALSE, NULL));
  bound = g_socket_get_local_address (s, NULL);
  address = g_strdup_printf ("127.0.0.1:%u", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  f = MPF_WEB_FLASHER (mpf_web_flasher_goahead_new (address, MPF_FAMILY_HAME_STOCK));
  pw = login (f, NULL, &error);
  g_assert_null (pw);
  g_assert_error (error, MPF_WEB_FLASHER_ERROR, MPF_WEB_FLASHER_ERROR_UNREACHABLE);
}

/* ---- GoAhead: upload ---- */

static void
test_goahead_hame_success (void)
{
  TestWebRouter *r = twr_new (TWR_HAME);
  g_autoptr(MpfWebFlasher) f = goahead_for (r, MPF_FAMILY_HAME_STOCK);
  g_autoptr(GBytes) image = make_image ("Linux Kernel Image", 4 * 1024 * 1024 - 64);
  g_autoptr(GBytes) got = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *violation = NULL;
  Watch w;

  login_ok (f);

  g_assert_no_error (error);
  watch (f, &w);
  g_assert_true (upload (f, image, NULL, &error));
  g_assert_no_error (error);
  violation = twr_dup_violation (r);
  g_assert_null (violation);
  got = twr_dup_file (r);
  g_assert_true (g_bytes_equal (got, image));
  g_assert_true (twr_get_flashing (r));
  /* Progress from libsoup's write signals, up to the whole body. */
  g_assert_cmpuint (w.n_progress, >, 1);
  g_assert_true (w.monotonic);
  g_assert_cmpuint (w.last_sent, ==, w.total);
  g_assert_cmpuint (w.total, >, g_bytes_get_size (image));
  g_assert_true (w.waiting);
  g_ptr_array_unref (w.log);
  twr_free (r);
}

static void
test_goahead_sdk_wording (void)
{
  TestWebRouter *r = twr_new (TWR_HAME);
  g_autoptr(MpfWebFlasher) f = goahead_for (r, MPF_FAMILY_HAME_STOCK);
  g_autoptr(GBytes) image = make_image ("Linux Kernel Image", 70000);
  g_autoptr(GError) error = NULL;

  login_ok (f);

  twr_set_upload (r, TWR_UPLOAD_SDK_WORDING);
  g_assert_true (upload (f, image, NULL, &error));
  g_assert_no_error (error);
  twr_free (r);
}

static void
test_goahead_refusals (void)
{
  static const struct {
    TwrUpload mode;
    int       code;
  } cases[] = {
    { TWR_UPLOAD_NOT_VALID, MPF_WEB_FLASHER_ERROR_REFUSED_NOT_VALID },
    { TWR_UPLOAD_CORRUPTED, MPF_WEB_FLASHER_ERROR_REFUSED_CORRUPTED },
    { TWR_UPLOAD_TOO_BIG, MPF_WEB_FLASHER_ERROR_REFUSED_TOO_BIG },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      TestWebRouter *r = twr_new (TWR_HAME);
      g_autoptr(MpfWebFlasher) f = goahead_for (r, MPF_FAMILY_HAME_STOCK);
      g_autoptr(GBytes) image = make_image ("Linux Kernel Image", 50000);
      g_autoptr(GError) error = NULL;

      login_ok (f);
      twr_set_upload (r, cases[i].mode);
      g_assert_false (upload (f, image, NULL, &error));
      g_assert_error (error, MPF_WEB_FLASHER_ERROR, cases[i].code);
      g_test_message ("%s", error->message);
      g_assert_cmpuint (strlen (error->message), >, 20);
      g_assert_false (twr_get_flashing (r));
      twr_free (r);
    }
}

static void
test_goahead_needs_rename (void)
{
  TestWebRouter *r = twr_new (TWR_HAME);
  g_autoptr(MpfWebFlasher) f = goahead_for (r, MPF_FAMILY_HAME_STOCK);
  g_autoptr(GBytes) image = make_image ("MIPS OpenWrt Linux-3.10.49", 60000);
  g_autoptr(GBytes) got = NULL;
  g_autoptr(GError) error = NULL;
  MpfUImage hdr;

  login_ok (f);

  /* Not without asking: the caller must request the rename. */
  g_assert_false (upload (f, image, NULL, &error));
  g_assert_error (error, MPF_WEB_FLASHER_ERROR, MPF_WEB_FLASHER_ERROR_NEEDS_RENAME);
  g_assert_null (twr_dup_file (r));
  g_clear_error (&error);

  mpf_web_flasher_goahead_set_allow_rename (MPF_WEB_FLASHER_GOAHEAD (f), TRUE);
  g_assert_true (upload (f, image, NULL, &error));
  g_assert_no_error (error);
  got = twr_dup_file (r);
  g_assert_true (mpf_uimage_parse (g_bytes_get_data (got, NULL), g_bytes_get_size (got), &hdr, NULL));
  g_assert_cmpstr (hdr.name, ==, "Linux Kernel Image");
  g_assert_true (hdr.header_crc_ok);
  g_assert_true (hdr.data_crc_ok);
  /* Only the name (and the header CRC) changed. */
  g_assert_cmpmem ((const guint8 *) g_bytes_get_data (got, NULL) + 64, g_bytes_get_size (got) - 64,
                   (const guint8 *) g_bytes_get_data (image, NULL) + 64, g_bytes_get_size (image) - 64);
  twr_free (r);
}

static void
test_goahead_wrong_format (void)
{
  TestWebRouter *r = twr_new (TWR_HAME);
  g_autoptr(MpfWebFlasher) f = goahead_for (r, MPF_FAMILY_HAME_STOCK);
  g_autoptr(GBytes) image = make_image ("Linux Kernel Image", 5000);
  g_autoptr(GBytes) encoded = mpf_poray_encode (mpf_board_lookup ("MPR-A1"), image, NULL);
  g_autoptr(GBytes) junk = g_bytes_new_static ("not an image at all, not even close to one....................", 64);
  g_autoptr(GError) error = NULL;

  login_ok (f);

  g_assert_nonnull (encoded);
  g_assert_false (upload (f, encoded, NULL, &error));
  g_assert_error (error, MPF_WEB_FLASHER_ERROR, MPF_WEB_FLASHER_ERROR_WRONG_FORMAT);
  g_clear_error (&error);
  g_assert_false (upload (f, junk, NULL, &error));
  g_assert_error (error, MPF_WEB_FLASHER_ERROR, MPF_WEB_FLASHER_ERROR_WRONG_FORMAT);
  g_assert_null (twr_dup_file (r));
  twr_free (r);
}

static void
test_goahead_mprl8_encodes (void)
{
  TestWebRouter *r = twr_new (TWR_MPRL8);
  g_autoptr(MpfWebFlasher) f = goahead_for (r, MPF_FAMILY_MPRL8_STOCK);
  g_autoptr(GBytes) image = make_image ("MIPS OpenWrt Linux-3.10.49", 300001);
  g_autoptr(GBytes) expected = mpf_poray_encode (mpf_board_lookup ("MPR-L8"), image, NULL);
  g_autoptr(GBytes) got = NULL;
  g_autoptr(GBytes) got2 = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pw = login (f, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (pw, ==, "admin");
  g_assert_true (upload (f, image, NULL, &error));
  g_assert_no_error (error);
  got = twr_dup_file (r);
  g_assert_true (g_bytes_equal (got, expected));

  /* An already encoded file goes as it is. */
  g_assert_true (upload (f, expected, NULL, &error));
  got2 = twr_dup_file (r);
  g_assert_true (g_bytes_equal (got2, expected));
  twr_free (r);
}

static void
test_goahead_dropped (void)
{
  TestWebRouter *r = twr_new (TWR_HAME);
  g_autoptr(MpfWebFlasher) f = goahead_for (r, MPF_FAMILY_HAME_STOCK);
  g_autoptr(GBytes) image = make_image ("Linux Kernel Image", 4 * 1024 * 1024 - 64);
  g_autoptr(GError) error = NULL;

  login_ok (f);

  twr_set_upload (r, TWR_UPLOAD_DROP);
  g_assert_false (upload (f, image, NULL, &error));
  g_assert_error (error, MPF_WEB_FLASHER_ERROR, MPF_WEB_FLASHER_ERROR_CONNECTION_DROPPED);
  g_assert_nonnull (strstr (error->message, "16 MiB"));
  g_assert_false (twr_get_flashing (r));
  twr_free (r);
}

static void
test_goahead_verdict_timeout (void)
{
  TestWebRouter *r = twr_new (TWR_HAME);
  g_autoptr(MpfWebFlasher) f = goahead_for (r, MPF_FAMILY_HAME_STOCK);
  g_autoptr(GBytes) image = make_image ("Linux Kernel Image", 100000);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) got = NULL;
  Watch w;

  login_ok (f);

  watch (f, &w);
  twr_set_upload (r, TWR_UPLOAD_HANG);
  g_object_set (f, "verdict-timeout-ms", 200, NULL);
  g_assert_false (upload (f, image, NULL, &error));
  g_assert_error (error, MPF_WEB_FLASHER_ERROR, MPF_WEB_FLASHER_ERROR_TIMEOUT);
  g_assert_true (w.waiting);
  /* The router did get the whole image: the message says to wait and check. */
  got = twr_dup_file (r);
  g_assert_true (g_bytes_equal (got, image));
  g_ptr_array_unref (w.log);
  twr_free (r);
}

static void
cancel_on_waiting_cb (MpfWebFlasher *f, gpointer cancellable)
{
  g_cancellable_cancel (cancellable);
}

static void
test_goahead_cancel (void)
{
  TestWebRouter *r = twr_new (TWR_HAME);
  g_autoptr(MpfWebFlasher) f = goahead_for (r, MPF_FAMILY_HAME_STOCK);
  g_autoptr(GBytes) image = make_image ("Linux Kernel Image", 100000);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  login_ok (f);

  twr_set_upload (r, TWR_UPLOAD_HANG);
  g_signal_connect (f, "waiting-for-verdict", G_CALLBACK (cancel_on_waiting_cb), cancellable);
  g_assert_false (upload (f, image, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  twr_free (r);
}

static void
test_goahead_stalled_upload (void)
{
  /* A peer that accepts the connection and never reads: the body stops
   * moving and the silence limit ends the upload with a timeout. */
  g_autoptr(GSocket) s = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GBytes) image = make_image ("Linux Kernel Image", 8 * 1024 * 1024);
  g_autofree char *address = NULL;
  g_autoptr(MpfWebFlasher) f = NULL;
  g_autoptr(GError) error = NULL;
  Watch w;

  g_assert_true (g_socket_bind (s, any, FALSE, NULL));
  g_assert_true (g_socket_listen (s, NULL));
  bound = g_socket_get_local_address (s, NULL);
  address = g_strdup_printf ("127.0.0.1:%u", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  f = MPF_WEB_FLASHER (mpf_web_flasher_goahead_new (address, MPF_FAMILY_HAME_STOCK));
  g_object_set (f, "timeout-ms", 300, "verdict-timeout-ms", 300, NULL);
  watch (f, &w);
  g_assert_false (upload (f, image, NULL, &error));
  g_assert_error (error, MPF_WEB_FLASHER_ERROR, MPF_WEB_FLASHER_ERROR_TIMEOUT);
  g_assert_true (w.monotonic);
  g_ptr_array_unref (w.log);
}

static void
test_luci_cancel_login (void)
{
  TestWebRouter *r = twr_new (TWR_OPENWRT);
  g_autoptr(MpfWebFlasher) f = MPF_WEB_FLASHER (mpf_web_flasher_luci_new (twr_get_address (r)));
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pw = NULL;

  g_cancellable_cancel (cancellable);
  mpf_web_flasher_login_async (f, NULL, cancellable, done_cb, &res);
  pw = mpf_web_flasher_login_finish (f, wait_result (&res), &error);
  g_assert_null (pw);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (mpf_web_flasher_luci_get_token (MPF_WEB_FLASHER_LUCI (f)));
  twr_free (r);
}

static void
test_goahead_not_logged_in (void)
{
  TestWebRouter *r = twr_new (TWR_HAME);
  g_autoptr(MpfWebFlasher) f = goahead_for (r, MPF_FAMILY_HAME_STOCK);
  g_autoptr(GBytes) image = make_image ("Linux Kernel Image", 1000);
  g_autoptr(GError) error = NULL;

  g_assert_false (upload (f, image, NULL, &error));
  g_assert_error (error, MPF_WEB_FLASHER_ERROR, MPF_WEB_FLASHER_ERROR_NOT_LOGGED_IN);
  twr_free (r);
}

/* ---- LuCI ---- */

static void
test_luci_flash (void)
{
  TestWebRouter *r = twr_new (TWR_OPENWRT);
  g_autoptr(MpfWebFlasher) f = MPF_WEB_FLASHER (mpf_web_flasher_luci_new (twr_get_address (r)));
  g_autoptr(GBytes) image = make_image ("MIPS OpenWrt Linux-3.10.49", 3 * 1024 * 1024 + 12345);
  g_autoptr(GBytes) got = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pw = login (f, NULL, &error);
  g_autofree char *violation = NULL;
  Watch w;

  g_assert_no_error (error);
  g_assert_cmpstr (pw, ==, "");
  g_assert_nonnull (mpf_web_flasher_luci_get_token (MPF_WEB_FLASHER_LUCI (f)));
  watch (f, &w);
  g_assert_true (upload (f, image, NULL, &error));
  g_assert_no_error (error);
  violation = twr_dup_violation (r);
  g_assert_null (violation);
  got = twr_dup_file (r);
  g_assert_true (g_bytes_equal (got, image));
  g_assert_true (twr_get_flashing (r));
  g_assert_cmpuint (twr_get_auth_rejections (r), ==, 0);
  g_assert_cmpuint (w.last_sent, ==, w.total);
  g_assert_true (w.waiting);
  g_ptr_array_unref (w.log);
  twr_free (r);
}

static void
test_luci_wrong_then_right (void)
{
  static const char *const mine[] = { "openwrt-pw", NULL };
  TestWebRouter *r = twr_new (TWR_OPENWRT);
  g_autoptr(MpfWebFlasher) f = MPF_WEB_FLASHER (mpf_web_flasher_luci_new (twr_get_address (r)));
  g_autoptr(GError) error = NULL;
  g_autofree char *pw = NULL;

  twr_set_password (r, "openwrt-pw");
  pw = login (f, NULL, &error);
  g_assert_error (error, MPF_WEB_FLASHER_ERROR, MPF_WEB_FLASHER_ERROR_WRONG_PASSWORD);
  g_assert_cmpuint (twr_get_failed_logins (r), ==, 2);
  g_clear_error (&error);
  pw = login (f, mine, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pw, ==, "openwrt-pw");
  twr_free (r);
}

static void
test_luci_token_in_location (void)
{
  TestWebRouter *r = twr_new (TWR_OPENWRT);
  g_autoptr(MpfWebFlasher) f = MPF_WEB_FLASHER (mpf_web_flasher_luci_new (twr_get_address (r)));
  g_autoptr(GBytes) image = make_image ("MIPS OpenWrt Linux-3.10.49", 20000);
  g_autoptr(GError) error = NULL;
  g_autofree char *pw = NULL;

  twr_set_token_style (r, TWR_TOKEN_LOCATION_ONLY);
  pw = login (f, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (upload (f, image, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (twr_get_auth_rejections (r), ==, 0);
  twr_free (r);
}

static void
test_luci_stale_session (void)
{
  /* Both cookie and token are checked: a second login (new session) makes
   * the first flasher's pair stale, and it must say so, not flash. */
  TestWebRouter *r = twr_new (TWR_OPENWRT);
  g_autoptr(MpfWebFlasher) a = MPF_WEB_FLASHER (mpf_web_flasher_luci_new (twr_get_address (r)));
  g_autoptr(MpfWebFlasher) b = MPF_WEB_FLASHER (mpf_web_flasher_luci_new (twr_get_address (r)));
  g_autoptr(GBytes) image = make_image ("MIPS OpenWrt Linux-3.10.49", 20000);
  g_autoptr(GError) error = NULL;

  login_ok (a);

  login_ok (b);

  g_assert_no_error (error);
  g_assert_false (upload (a, image, NULL, &error));
  g_assert_error (error, MPF_WEB_FLASHER_ERROR, MPF_WEB_FLASHER_ERROR_NOT_LOGGED_IN);
  g_assert_cmpuint (twr_get_auth_rejections (r), ==, 1);
  g_assert_false (twr_get_flashing (r));
  g_clear_error (&error);
  g_assert_true (upload (b, image, NULL, &error));
  g_assert_no_error (error);
  twr_free (r);
}

static void
test_luci_md5_mismatch (void)
{
  TestWebRouter *r = twr_new (TWR_OPENWRT);
  g_autoptr(MpfWebFlasher) f = MPF_WEB_FLASHER (mpf_web_flasher_luci_new (twr_get_address (r)));
  g_autoptr(GBytes) image = make_image ("MIPS OpenWrt Linux-3.10.49", 20000);
  g_autoptr(GError) error = NULL;

  login_ok (f);

  twr_set_upload (r, TWR_UPLOAD_MD5_LIE);
  g_assert_false (upload (f, image, NULL, &error));
  g_assert_error (error, MPF_WEB_FLASHER_ERROR, MPF_WEB_FLASHER_ERROR_CHECKSUM_MISMATCH);
  /* Step 2 never sent. */
  g_assert_false (twr_get_flashing (r));
  twr_free (r);
}

static void
test_luci_refused (void)
{
  TestWebRouter *r = twr_new (TWR_OPENWRT);
  g_autoptr(MpfWebFlasher) f = MPF_WEB_FLASHER (mpf_web_flasher_luci_new (twr_get_address (r)));
  g_autoptr(GBytes) image = make_image ("Linux Kernel Image", 20000);
  g_autoptr(GBytes) encoded = mpf_poray_encode (mpf_board_lookup ("MPR-L8"), image, NULL);
  g_autoptr(GError) error = NULL;

  login_ok (f);

  twr_set_upload (r, TWR_UPLOAD_NOT_VALID);
  g_assert_false (upload (f, image, NULL, &error));
  g_assert_error (error, MPF_WEB_FLASHER_ERROR, MPF_WEB_FLASHER_ERROR_REFUSED_NOT_VALID);
  g_assert_false (twr_get_flashing (r));
  g_clear_error (&error);
  /* An encoded file is refused before anything is sent. */
  g_assert_false (upload (f, encoded, NULL, &error));
  g_assert_error (error, MPF_WEB_FLASHER_ERROR, MPF_WEB_FLASHER_ERROR_WRONG_FORMAT);
  twr_free (r);
}

static void
test_luci_dropped (void)
{
  TestWebRouter *r = twr_new (TWR_OPENWRT);
  g_autoptr(MpfWebFlasher) f = MPF_WEB_FLASHER (mpf_web_flasher_luci_new (twr_get_address (r)));
  g_autoptr(GBytes) image = make_image ("MIPS OpenWrt Linux-3.10.49", 4 * 1024 * 1024 - 64);
  g_autoptr(GError) error = NULL;

  login_ok (f);

  twr_set_upload (r, TWR_UPLOAD_DROP);
  g_assert_false (upload (f, image, NULL, &error));
  g_assert_error (error, MPF_WEB_FLASHER_ERROR, MPF_WEB_FLASHER_ERROR_CONNECTION_DROPPED);
  twr_free (r);
}

static void
test_new_for_family (void)
{
  static const struct {
    MpfFamily family;
    int       type;   /* 0 GoAhead, 1 LuCI, 2 no web path */
  } cases[] = {
    { MPF_FAMILY_HAME_STOCK, 0 }, { MPF_FAMILY_MPRL8_STOCK, 0 }, { MPF_FAMILY_STOCK, 0 },
    { MPF_FAMILY_OPENWRT, 1 }, { MPF_FAMILY_UNKNOWN, 2 }, { MPF_FAMILY_BOOTLOADER, 2 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(MpfWebFlasher) f = mpf_web_flasher_new_for_family (cases[i].family, "192.168.169.1");
      g_autofree char *address = NULL;

      if (cases[i].type == 2)
        {
          g_assert_null (f);
          continue;
        }
      g_assert_true (cases[i].type == 0 ? MPF_IS_WEB_FLASHER_GOAHEAD (f) : MPF_IS_WEB_FLASHER_LUCI (f));
      g_object_get (f, "address", &address, NULL);
      g_assert_cmpstr (address, ==, "192.168.169.1");
      if (cases[i].type == 0)
        g_assert_cmpint (mpf_web_flasher_goahead_get_family (MPF_WEB_FLASHER_GOAHEAD (f)), ==,
                         cases[i].family == MPF_FAMILY_MPRL8_STOCK ? MPF_FAMILY_MPRL8_STOCK
                                                                   : MPF_FAMILY_HAME_STOCK);
    }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/web/multipart/bytes", test_multipart_bytes);
  g_test_add_func ("/web/multipart/sdk-parser-refuses", test_sdk_parser_refuses);
  g_test_add_func ("/web/multipart/soup-multipart", test_soup_multipart_adds_content_type);
  g_test_add_func ("/web/boundary-and-md5", test_pick_boundary_and_md5);
  g_test_add_func ("/web/new-for-family", test_new_for_family);
  g_test_add_func ("/web/goahead/login-default", test_goahead_login_default);
  g_test_add_func ("/web/goahead/login-admin-batch", test_goahead_login_admin_batch);
  g_test_add_func ("/web/goahead/wrong-then-right", test_goahead_wrong_then_right);
  g_test_add_func ("/web/goahead/unreachable", test_goahead_unreachable);
  g_test_add_func ("/web/goahead/hame-success", test_goahead_hame_success);
  g_test_add_func ("/web/goahead/sdk-wording", test_goahead_sdk_wording);
  g_test_add_func ("/web/goahead/refusals", test_goahead_refusals);
  g_test_add_func ("/web/goahead/needs-rename", test_goahead_needs_rename);
  g_test_add_func ("/web/goahead/wrong-format", test_goahead_wrong_format);
  g_test_add_func ("/web/goahead/mprl8-encodes", test_goahead_mprl8_encodes);
  g_test_add_func ("/web/goahead/dropped", test_goahead_dropped);
  g_test_add_func ("/web/goahead/verdict-timeout", test_goahead_verdict_timeout);
  g_test_add_func ("/web/goahead/cancel", test_goahead_cancel);
  g_test_add_func ("/web/goahead/not-logged-in", test_goahead_not_logged_in);
  g_test_add_func ("/web/goahead/stalled-upload", test_goahead_stalled_upload);
  g_test_add_func ("/web/luci/flash", test_luci_flash);
  g_test_add_func ("/web/luci/wrong-then-right", test_luci_wrong_then_right);
  g_test_add_func ("/web/luci/token-in-location", test_luci_token_in_location);
  g_test_add_func ("/web/luci/stale-session", test_luci_stale_session);
  g_test_add_func ("/web/luci/md5-mismatch", test_luci_md5_mismatch);
  g_test_add_func ("/web/luci/refused", test_luci_refused);
  g_test_add_func ("/web/luci/dropped", test_luci_dropped);
  g_test_add_func ("/web/luci/cancel-login", test_luci_cancel_login);
  return g_test_run ();
}
