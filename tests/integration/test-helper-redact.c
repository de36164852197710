/* The session capture's redaction and cut (src/helper/mpf-helper-redact.c)
 * on crafted frames: every secret the web flashers send or receive is
 * overwritten with 'x' at the same length, the rest of the frame is left
 * as it was, and the TCP checksum still adds up. */
#include "config.h"

#include <string.h>

#include "mpf-helper-redact.h"

static const guint8 own_mac[6] = { 0x02, 0, 0, 0, 0, 0x55 };
static const guint8 router_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };

#define HDRS (14 + 20 + 20)

/* An Ethernet/IPv4/TCP frame from @src carrying @payload. */
static GByteArray *
tcp_frame (const guint8 src[6], const char *payload)
{
  gsize plen = strlen (payload);
  GByteArray *f = g_byte_array_sized_new ((guint) (HDRS + plen));
  guint8 h[HDRS] = { 0 };
  gsize total = 20 + 20 + plen;

  memcpy (h, src == own_mac ? router_mac : own_mac, 6);
  memcpy (h + 6, src, 6);
  h[12] = 0x08;
  h[14] = 0x45;
  h[16] = (guint8) (total >> 8);
  h[17] = (guint8) total;
  h[14 + 8] = 64;
  h[14 + 9] = 6;
  memcpy (h + 14 + 12, (guint8[]) { 192, 168, 169, 55, 192, 168, 169, 1 }, 8);
  h[34 + 0] = 0xc0; h[34 + 1] = 0x01;  /* ports 49153 -> 80 */
  h[34 + 3] = 80;
  h[34 + 12] = 5 << 4;                 /* data offset 20 */
  h[34 + 13] = 0x18;                   /* PSH ACK */
  g_byte_array_append (f, h, sizeof h);
  g_byte_array_append (f, (const guint8 *) payload, (guint) plen);
  return f;
}

static gboolean
contains (GByteArray *f, const char *needle)
{
  gsize n = strlen (needle);

  for (gsize i = 0; i + n <= f->len; i++)
    if (memcmp (f->data + i, needle, n) == 0)
      return TRUE;
  return FALSE;
}

/* The one's complement sum over pseudo header and segment is 0xffff when
 * the checksum field is right. */
static gboolean
tcp_checksum_ok (GByteArray *f)
{
  const guint8 *ip = f->data + 14;
  gsize tcp_len = f->len - 14 - 20;
  guint32 sum = 0;

  for (gsize i = 12; i < 20; i += 2)
    sum += (guint32) (ip[i] << 8 | ip[i + 1]);
  sum += 6 + (guint32) tcp_len;
  for (gsize i = 0; i + 1 < tcp_len; i += 2)
    sum += (guint32) (ip[20 + i] << 8 | ip[20 + i + 1]);
  if (tcp_len & 1)
    sum += (guint32) ip[20 + tcp_len - 1] << 8;
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  return sum == 0xffff;
}

/* Redacts @payload in a frame; checks that each of @gone is gone, each of
 * @kept is still there, and the length and checksum hold. */
static void
check (const guint8 src[6], const char *payload, const char *const *gone, const char *const *kept)
{
  g_autoptr(GByteArray) f = tcp_frame (src, payload);
  guint len = f->len;
  gsize n;

  for (guint i = 0; gone[i] != NULL; i++)
    g_assert_true (contains (f, gone[i]));
  n = mpf_helper_redact_frame (f->data, f->len);
  g_assert_cmpuint (f->len, ==, len);
  g_assert_cmpuint (n, >, 0);
  for (guint i = 0; gone[i] != NULL; i++)
    if (contains (f, gone[i]))
      g_error ("“%s” still in: %.*s", gone[i], (int) (f->len - HDRS), f->data + HDRS);
  for (guint i = 0; kept[i] != NULL; i++)
    if (!contains (f, kept[i]))
      g_error ("“%s” lost in: %.*s", kept[i], (int) (f->len - HDRS), f->data + HDRS);
  g_assert_true (tcp_checksum_ok (f));
}

#define V(...) ((const char *const[]) { __VA_ARGS__, NULL })

static void
test_hame_login (void)
{
  g_autofree char *md5 = g_compute_checksum_for_string (G_CHECKSUM_MD5, "hame", -1);
  g_autofree char *body = g_strdup_printf ("admurl=%%2Fhome.asp&admpass=%s", md5);
  g_autofree char *req = g_strdup_printf ("POST /goform/signin HTTP/1.1\r\nHost: 192.168.169.1\r\n"
                                          "Content-Type: application/x-www-form-urlencoded\r\n"
                                          "Content-Length: %zu\r\n\r\n%s", strlen (body), body);

  check (own_mac, req, V (md5), V ("POST /goform/signin", "admurl=%2Fhome.asp&admpass=", "Content-Length:"));
}

static void
test_luci_login (void)
{
  check (own_mac,
         "POST /cgi-bin/luci HTTP/1.1\r\nHost: 192.168.1.1\r\n\r\n"
         "username=root&password=S3cret%21&luci_username=root&luci_password=S3cret%21",
         V ("S3cret"), V ("username=root&password=", "&luci_username=root&luci_password=xxxxxxxxx"));
}

static void
test_headers (void)
{
  check (router_mac,
         "HTTP/1.1 302 Found\r\nSet-Cookie: sysauth=0123abcd; path=/cgi-bin/luci/;stok=4567ef\r\n"
         "Location: /cgi-bin/luci/;stok=4567ef/admin/status\r\nContent-Length: 0\r\n\r\n",
         V ("0123abcd", "4567ef"), V ("Set-Cookie: x", "\r\nLocation: /cgi-bin/luci/;stok=", "/admin/status\r\n"));
  check (own_mac,
         "GET /cgi-bin/luci/;stok=feedbeef/admin/system/flashops HTTP/1.1\r\n"
         "Cookie: sysauth=c0ffee\r\nauthorization: Basic cm9vdDpzZWNyZXQ=\r\nAccept: */*\r\n\r\n",
         V ("feedbeef", "c0ffee", "cm9vdDpzZWNyZXQ="),
         V ("/admin/system/flashops HTTP/1.1", "Cookie: xxxxxxxxxxxxxx\r\n", "Accept: */*"));
}

static void
test_json_html_multipart (void)
{
  check (own_mac, "{\"method\":\"login\",\"params\":{\"password\": \"hun\\\"ter2\", \"user\":\"root\"}}",
         V ("hun", "ter2"), V ("\"password\": \"", "\"user\":\"root\""));
  check (router_mac, "<form><input type=\"password\" name=\"pw\" value=\"hunter2\">"
         "<input name='admpass' value='swordfish'><input name=\"ssid\" value=\"Hame\"></form>",
         V ("hunter2", "swordfish"), V ("value=\"Hame\"", "name=\"pw\" value=\"xxxxxxx\""));
  check (own_mac, "--b\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\nhunter2\r\n--b\r\n"
         "Content-Disposition: form-data; name=\"keep\"\r\n\r\n1\r\n--b--\r\n",
         V ("hunter2"), V ("name=\"keep\"\r\n\r\n1\r\n--b--"));
}

static void
test_nothing_secret (void)
{
  const char *text = "GET /home.asp?bypass=1&passage=2&admurl=x HTTP/1.1\r\nX-Cookie-Note: 1\r\n"
                     "\r\n<label for=\"password\">Password</label> compass=north";
  g_autoptr(GByteArray) f = tcp_frame (own_mac, text);

  g_assert_cmpuint (mpf_helper_redact_frame (f->data, f->len), ==, 0);
  g_assert_cmpint (memcmp (f->data + HDRS, text, strlen (text)), ==, 0);
}

static GByteArray *
udp_frame (const guint8 src[6], guint16 opcode, gsize data_len)
{
  g_autoptr(GByteArray) f = tcp_frame (src, "");
  g_autofree guint8 *body = g_malloc0 (8 + 4 + data_len);
  gsize total = 20 + 8 + 4 + data_len;

  g_byte_array_set_size (f, 14 + 20);
  f->data[14 + 9] = 17;
  f->data[16] = (guint8) (total >> 8);
  f->data[17] = (guint8) total;
  body[4] = (guint8) ((8 + 4 + data_len) >> 8);
  body[5] = (guint8) (8 + 4 + data_len);
  body[9] = (guint8) opcode;
  g_byte_array_append (f, body, (guint) (8 + 4 + data_len));
  return g_steal_pointer (&f);
}

static void
test_keep (void)
{
  g_autoptr(GByteArray) data = udp_frame (own_mac, 3, 512);
  g_autoptr(GByteArray) ack = udp_frame (router_mac, 4, 0);
  g_autofree char *big = g_strnfill (1400, 'A');
  g_autoptr(GByteArray) out = tcp_frame (own_mac, big);
  g_autoptr(GByteArray) in = tcp_frame (router_mac, big);
  static const guint8 arp[42] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x08, 0x06 };

  g_assert_cmpuint (mpf_helper_capture_keep (data->data, data->len, own_mac), ==,
                    14 + 20 + 8 + 4 + MPF_HELPER_CAPTURE_TFTP_KEEP);
  g_assert_cmpuint (mpf_helper_capture_keep (ack->data, ack->len, own_mac), ==, ack->len);
  g_assert_cmpuint (mpf_helper_capture_keep (out->data, out->len, own_mac), ==,
                    HDRS + MPF_HELPER_CAPTURE_TCP_OUT_KEEP);
  g_assert_cmpuint (mpf_helper_capture_keep (in->data, in->len, own_mac), ==, in->len);
  g_assert_cmpuint (mpf_helper_capture_keep (arp, sizeof arp, own_mac), ==, sizeof arp);
}

/* Cut and malformed frames: never read or write outside them. */
static void
test_malformed (void)
{
  g_autoptr(GByteArray) f = tcp_frame (own_mac, "password=hunter2&x=1");

  for (gsize len = 0; len <= f->len; len++)
    {
      g_autofree guint8 *copy = g_memdup2 (f->data, len);

      mpf_helper_redact_frame (copy, len);
      mpf_helper_capture_keep (copy, len, own_mac);
    }
  f->data[14] = 0x4f; /* IHL past the frame */
  g_assert_cmpuint (mpf_helper_redact_frame (f->data, f->len), ==, 0);
  {
    guint8 tail[] = "x\"password";
    guint8 tag[] = "<input name=\"pass\"";

    mpf_helper_redact_payload (tail, sizeof tail - 1);
    g_assert_cmpuint (mpf_helper_redact_payload (tag, sizeof tag - 1), ==, 0);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/helper/redact/hame-login", test_hame_login);
  g_test_add_func ("/helper/redact/luci-login", test_luci_login);
  g_test_add_func ("/helper/redact/headers", test_headers);
  g_test_add_func ("/helper/redact/json-html-multipart", test_json_html_multipart);
  g_test_add_func ("/helper/redact/nothing-secret", test_nothing_secret);
  g_test_add_func ("/helper/redact/keep", test_keep);
  g_test_add_func ("/helper/redact/malformed", test_malformed);
  return g_test_run ();
}
