/* The helper's request parser and frame classifier, without privileges:
 * every malformed or disallowed request must become an error with the
 * right code (and never a crash), every valid one the right fields. */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>

#include "mpf-helper-frame.h"
#include "mpf-helper-protocol.h"

static gboolean
parse (const char *line, MpfHelperRequest *req, GError **error)
{
  return mpf_helper_request_parse (line, strlen (line), req, error);
}

static void
expect_error (const char *line, MpfHelperError code, gint64 id)
{
  g_auto(MpfHelperRequest) req = { 0 };
  g_autoptr(GError) error = NULL;

  g_assert_false (parse (line, &req, &error));
  g_assert_error (error, MPF_HELPER_ERROR, (gint) code);
  g_assert_cmpint (req.id, ==, id);
  g_assert_null (req.interface);
  g_assert_null (req.data);
}

static void
test_malformed (void)
{
  expect_error ("", MPF_HELPER_ERROR_BAD_REQUEST, -1);
  expect_error ("{", MPF_HELPER_ERROR_BAD_REQUEST, -1);
  expect_error ("not json", MPF_HELPER_ERROR_BAD_REQUEST, -1);
  expect_error ("[1,2]", MPF_HELPER_ERROR_BAD_REQUEST, -1);
  expect_error ("42", MPF_HELPER_ERROR_BAD_REQUEST, -1);
  expect_error ("{\"op\":\"hello\"}", MPF_HELPER_ERROR_BAD_REQUEST, -1);
  expect_error ("{\"id\":\"1\",\"op\":\"hello\"}", MPF_HELPER_ERROR_BAD_REQUEST, -1);
  expect_error ("{\"id\":-4,\"op\":\"hello\"}", MPF_HELPER_ERROR_BAD_REQUEST, -1);
  expect_error ("{\"id\":1.5,\"op\":\"hello\"}", MPF_HELPER_ERROR_BAD_REQUEST, -1);
  expect_error ("{\"id\":3}", MPF_HELPER_ERROR_BAD_REQUEST, 3);
  expect_error ("{\"id\":3,\"op\":7}", MPF_HELPER_ERROR_BAD_REQUEST, 3);
  expect_error ("{\"id\":3,\"op\":null}", MPF_HELPER_ERROR_BAD_REQUEST, 3);
  /* Bytes that are not UTF-8, and an embedded NUL. */
  expect_error ("{\"id\":1,\"op\":\"\xff\"}", MPF_HELPER_ERROR_BAD_REQUEST, -1);
  {
    g_auto(MpfHelperRequest) req = { 0 };
    g_autoptr(GError) error = NULL;
    const char nul[] = "{\"id\":1,\"op\":\"hello\"}\0x";

    g_assert_false (mpf_helper_request_parse (nul, sizeof nul - 1, &req, &error));
    g_assert_error (error, MPF_HELPER_ERROR, MPF_HELPER_ERROR_BAD_REQUEST);
  }
}

static void
test_unknown_op (void)
{
  expect_error ("{\"id\":9,\"op\":\"format-disk\"}", MPF_HELPER_ERROR_UNKNOWN_OP, 9);
  expect_error ("{\"id\":9,\"op\":\"HELLO\"}", MPF_HELPER_ERROR_UNKNOWN_OP, 9);
}

static void
test_interface_syntax (void)
{
  expect_error ("{\"id\":1,\"op\":\"watch\"}", MPF_HELPER_ERROR_BAD_REQUEST, 1);
  expect_error ("{\"id\":1,\"op\":\"watch\",\"interface\":5}", MPF_HELPER_ERROR_BAD_REQUEST, 1);
  expect_error ("{\"id\":1,\"op\":\"watch\",\"interface\":\"\"}", MPF_HELPER_ERROR_BAD_INTERFACE, 1);
  expect_error ("{\"id\":1,\"op\":\"watch\",\"interface\":\"../../etc\"}", MPF_HELPER_ERROR_BAD_INTERFACE, 1);
  expect_error ("{\"id\":1,\"op\":\"watch\",\"interface\":\"..\"}", MPF_HELPER_ERROR_BAD_INTERFACE, 1);
  expect_error ("{\"id\":1,\"op\":\"watch\",\"interface\":\"a/b\"}", MPF_HELPER_ERROR_BAD_INTERFACE, 1);
  expect_error ("{\"id\":1,\"op\":\"watch\",\"interface\":\"sixteen-chars-xx\"}", MPF_HELPER_ERROR_BAD_INTERFACE, 1);
  g_assert_true (mpf_helper_ifname_is_valid ("enp0s31f6"));
  g_assert_true (mpf_helper_ifname_is_valid ("veth-pc.1"));
  g_assert_false (mpf_helper_ifname_is_valid ("eth 0"));
}

static void
test_addresses (void)
{
  g_auto(MpfHelperRequest) req = { 0 };
  g_autoptr(GError) error = NULL;
  gsize n;
  const MpfHelperAddress *table = mpf_helper_allowed_addresses (&n);

  g_assert_true (parse ("{\"id\":2,\"op\":\"addr-add\",\"interface\":\"eth0\",\"address\":\"192.168.1.55/24\"}",
                        &req, &error));
  g_assert_no_error (error);
  g_assert_cmpint (req.op, ==, MPF_HELPER_OP_ADDR_ADD);
  g_assert_cmpstr (req.interface, ==, "eth0");
  g_assert_cmpstr (req.address->address, ==, "192.168.1.55");
  g_assert_cmpuint (req.address->prefix, ==, 24);

  /* Every row of the table is accepted, one per default subnet. */
  g_assert_cmpuint (n, ==, 3);
  for (gsize i = 0; i < n; i++)
    {
      g_autofree char *cidr = g_strdup_printf ("%s/%u", table[i].address, table[i].prefix);
      g_assert_true (mpf_helper_address_lookup (cidr) == &table[i]);
    }

  expect_error ("{\"id\":2,\"op\":\"addr-add\",\"interface\":\"eth0\",\"address\":\"10.0.0.1/8\"}",
                MPF_HELPER_ERROR_NOT_ALLOWED, 2);
  expect_error ("{\"id\":2,\"op\":\"addr-add\",\"interface\":\"eth0\",\"address\":\"192.168.1.55/16\"}",
                MPF_HELPER_ERROR_NOT_ALLOWED, 2);
  expect_error ("{\"id\":2,\"op\":\"addr-add\",\"interface\":\"eth0\",\"address\":\"192.168.1.55\"}",
                MPF_HELPER_ERROR_NOT_ALLOWED, 2);
  expect_error ("{\"id\":2,\"op\":\"addr-del\",\"interface\":\"eth0\",\"address\":\"192.168.1.1/24\"}",
                MPF_HELPER_ERROR_NOT_ALLOWED, 2);
  expect_error ("{\"id\":2,\"op\":\"addr-add\",\"interface\":\"eth0\"}", MPF_HELPER_ERROR_BAD_REQUEST, 2);
  expect_error ("{\"id\":2,\"op\":\"serve-tftp\",\"interface\":\"eth0\",\"mode\":\"standard\",\"address\":\"0.0.0.0\"}",
                MPF_HELPER_ERROR_NOT_ALLOWED, 2);
}

static void
test_probe_targets (void)
{
  g_autoptr(GError) error = NULL;

  {
    g_auto(MpfHelperRequest) req = { 0 };
    g_assert_true (parse ("{\"id\":1,\"op\":\"arp-probe\",\"interface\":\"eth0\"}", &req, &error));
    g_assert_cmphex (req.probe_mask, ==, 0xf);
  }
  {
    g_auto(MpfHelperRequest) req = { 0 };
    g_assert_true (parse ("{\"id\":1,\"op\":\"arp-probe\",\"interface\":\"eth0\",\"targets\":[\"192.168.1.2\"]}",
                          &req, &error));
    g_assert_cmphex (req.probe_mask, ==, 0x8);
  }
  expect_error ("{\"id\":1,\"op\":\"arp-probe\",\"interface\":\"eth0\",\"targets\":[\"8.8.8.8\"]}",
                MPF_HELPER_ERROR_NOT_ALLOWED, 1);
  expect_error ("{\"id\":1,\"op\":\"arp-probe\",\"interface\":\"eth0\",\"targets\":[]}",
                MPF_HELPER_ERROR_BAD_REQUEST, 1);
  expect_error ("{\"id\":1,\"op\":\"arp-probe\",\"interface\":\"eth0\",\"targets\":\"192.168.1.2\"}",
                MPF_HELPER_ERROR_BAD_REQUEST, 1);
}

#define SHA0 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static void
test_image (void)
{
  g_auto(MpfHelperRequest) req = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *max = g_strdup_printf ("{\"id\":5,\"op\":\"image\",\"size\":%u,\"sha256\":\"" SHA0 "\"}",
                                          MPF_HELPER_MAX_IMAGE);
  g_autofree char *over = g_strdup_printf ("{\"id\":5,\"op\":\"image\",\"size\":%u,\"sha256\":\"" SHA0 "\"}",
                                           MPF_HELPER_MAX_IMAGE + 1);

  g_assert_true (parse (max, &req, &error));
  g_assert_cmpuint (req.size, ==, MPF_HELPER_MAX_IMAGE);
  g_assert_cmphex (req.sha256[0], ==, 0xe3);
  g_assert_cmphex (req.sha256[31], ==, 0x55);

  expect_error (over, MPF_HELPER_ERROR_TOO_BIG, 5);
  expect_error ("{\"id\":5,\"op\":\"image\",\"size\":0,\"sha256\":\"" SHA0 "\"}", MPF_HELPER_ERROR_BAD_REQUEST, 5);
  expect_error ("{\"id\":5,\"op\":\"image\",\"size\":-1,\"sha256\":\"" SHA0 "\"}", MPF_HELPER_ERROR_BAD_REQUEST, 5);
  expect_error ("{\"id\":5,\"op\":\"image\",\"size\":10,\"sha256\":\"abc\"}", MPF_HELPER_ERROR_BAD_REQUEST, 5);
  expect_error ("{\"id\":5,\"op\":\"image\",\"size\":10}", MPF_HELPER_ERROR_BAD_REQUEST, 5);
  expect_error ("{\"id\":5,\"op\":\"image\",\"size\":10,\"path\":\"/etc/shadow\"}", MPF_HELPER_ERROR_BAD_REQUEST, 5);
}

static void
test_image_data (void)
{
  g_auto(MpfHelperRequest) req = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *big = g_malloc0 (MPF_HELPER_MAX_CHUNK + 3);
  g_autofree char *b64 = g_base64_encode (big, MPF_HELPER_MAX_CHUNK + 3);
  g_autofree char *over = g_strdup_printf ("{\"id\":6,\"op\":\"image-data\",\"data\":\"%s\"}", b64);

  g_assert_true (parse ("{\"id\":6,\"op\":\"image-data\",\"data\":\"AAEC\"}", &req, &error));
  g_assert_cmpuint (g_bytes_get_size (req.data), ==, 3);
  g_assert_cmphex (((const guint8 *) g_bytes_get_data (req.data, NULL))[2], ==, 2);

  expect_error (over, MPF_HELPER_ERROR_TOO_BIG, 6);
  expect_error ("{\"id\":6,\"op\":\"image-data\",\"data\":\"\"}", MPF_HELPER_ERROR_BAD_REQUEST, 6);
  expect_error ("{\"id\":6,\"op\":\"image-data\",\"data\":\"A A*\"}", MPF_HELPER_ERROR_BAD_REQUEST, 6);
  expect_error ("{\"id\":6,\"op\":\"image-data\",\"data\":[1]}", MPF_HELPER_ERROR_BAD_REQUEST, 6);
}

static void
test_serve (void)
{
  g_auto(MpfHelperRequest) req = { 0 };
  g_autoptr(GError) error = NULL;

  g_assert_true (parse ("{\"id\":7,\"op\":\"serve-tftp\",\"interface\":\"eth0\",\"mode\":\"recovery\"}",
                        &req, &error));
  g_assert_cmpint (req.mode, ==, MPF_HELPER_SERVE_RECOVERY);
  g_assert_cmpstr (req.address->address, ==, "192.168.1.55");
  expect_error ("{\"id\":7,\"op\":\"serve-tftp\",\"interface\":\"eth0\",\"mode\":\"raw\"}",
                MPF_HELPER_ERROR_BAD_REQUEST, 7);
  expect_error ("{\"id\":7,\"op\":\"serve-tftp\",\"interface\":\"eth0\"}", MPF_HELPER_ERROR_BAD_REQUEST, 7);
}

static void
test_capture (void)
{
  g_auto(MpfHelperRequest) start = { 0 };
  g_auto(MpfHelperRequest) dump = { 0 };
  g_autoptr(GError) error = NULL;

  g_assert_true (parse ("{\"id\":3,\"op\":\"capture-start\",\"interface\":\"eth0\"}", &start, &error));
  g_assert_cmpint (start.op, ==, MPF_HELPER_OP_CAPTURE_START);
  g_assert_cmpstr (start.interface, ==, "eth0");
  g_assert_true (parse ("{\"id\":4,\"op\":\"capture-dump\"}", &dump, &error));
  g_assert_cmpint (dump.op, ==, MPF_HELPER_OP_CAPTURE_DUMP);
  expect_error ("{\"id\":5,\"op\":\"capture-start\"}", MPF_HELPER_ERROR_BAD_REQUEST, 5);
  expect_error ("{\"id\":5,\"op\":\"capture-start\",\"interface\":\"a/b\"}",
                MPF_HELPER_ERROR_BAD_INTERFACE, 5);
}

static void
test_line_cap (void)
{
  g_autofree char *line = g_malloc (MPF_HELPER_MAX_LINE + 2);

  memset (line, ' ', MPF_HELPER_MAX_LINE + 1);
  line[MPF_HELPER_MAX_LINE + 1] = '\0';
  expect_error (line, MPF_HELPER_ERROR_TOO_BIG, -1);
}

static void
test_replies (void)
{
  g_autoptr(GError) error = g_error_new_literal (MPF_HELPER_ERROR, MPF_HELPER_ERROR_NOT_ALLOWED, "no");
  g_autofree char *e1 = mpf_helper_reply_error (4, error);
  g_autofree char *e2 = mpf_helper_reply_error (-1, error);
  g_autofree char *ok = mpf_helper_reply_ok (8, NULL);
  g_autoptr(JsonObject) f = json_object_new ();
  g_autofree char *ev = NULL;

  g_assert_cmpstr (e1, ==, "{\"id\":4,\"ok\":false,\"error\":{\"code\":\"not-allowed\",\"message\":\"no\"}}\n");
  g_assert_cmpstr (e2, ==, "{\"id\":null,\"ok\":false,\"error\":{\"code\":\"not-allowed\",\"message\":\"no\"}}\n");
  g_assert_cmpstr (ok, ==, "{\"id\":8,\"ok\":true}\n");
  json_object_set_string_member (f, "mac", "00:11:22:33:44:55");
  ev = mpf_helper_event ("seen", f);
  g_assert_cmpstr (ev, ==, "{\"mac\":\"00:11:22:33:44:55\",\"event\":\"seen\"}\n");
}

/* The bootloader's "who-has 192.168.1.55 tell 192.168.1.2". */
static const guint8 bootloader_arp[42] = {
  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x0c, 0x43, 0x30, 0x52, 0x77, 0x08, 0x06,
  0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,
  0x00, 0x0c, 0x43, 0x30, 0x52, 0x77, 192, 168, 1, 2,
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 192, 168, 1, 55,
};

static const guint8 own_mac[6] = { 0x02, 0, 0, 0, 0, 1 };

static void
test_frames (void)
{
  MpfHelperSeen seen;
  guint8 probe[MPF_HELPER_ARP_PROBE_LEN];
  guint8 frame[128] = { 0 };
  struct in_addr in;
  static const guint8 rrq[] = "\0\1" "9c417c75a478\0octet\0timeout\0" "5\0-386365873\0" "6";
  gsize ulen = 8 + sizeof rrq;

  g_assert_true (mpf_helper_frame_classify (bootloader_arp, sizeof bootloader_arp, own_mac, &seen));
  g_assert_cmpint (seen.kind, ==, MPF_HELPER_SEEN_ARP_REQUEST);
  g_assert_cmphex (seen.mac[5], ==, 0x77);
  inet_pton (AF_INET, "192.168.1.2", &in);
  g_assert_cmphex (seen.ip, ==, in.s_addr);
  inet_pton (AF_INET, "192.168.1.55", &in);
  g_assert_cmphex (seen.target, ==, in.s_addr);

  /* Our own frames are not news; short frames are ignored. */
  g_assert_false (mpf_helper_frame_classify (bootloader_arp, sizeof bootloader_arp, bootloader_arp + 6, &seen));
  g_assert_false (mpf_helper_frame_classify (bootloader_arp, 27, own_mac, &seen));
  for (gsize i = 0; i < sizeof bootloader_arp; i++)
    (void) mpf_helper_frame_classify (bootloader_arp, i, own_mac, &seen);

  /* The probe: broadcast, sender IP zero, target as asked. */
  inet_pton (AF_INET, "192.168.169.1", &in);
  mpf_helper_frame_build_arp_probe (own_mac, in.s_addr, probe);
  g_assert_cmphex (probe[0], ==, 0xff);
  g_assert_cmpmem (probe + 6, 6, own_mac, 6);
  g_assert_cmphex (probe[12], ==, 0x08);
  g_assert_cmphex (probe[13], ==, 0x06);
  g_assert_cmphex (probe[21], ==, 1);
  g_assert_cmpmem (probe + 22, 6, own_mac, 6);
  g_assert_cmpuint (probe[28] | probe[29] | probe[30] | probe[31], ==, 0);
  g_assert_cmpmem (probe + 38, 4, &in.s_addr, 4);
  /* ... and it reads back as an ARP request from 0.0.0.0. */
  g_assert_true (mpf_helper_frame_classify (probe, sizeof probe, bootloader_arp + 6, &seen));
  g_assert_cmpint (seen.kind, ==, MPF_HELPER_SEEN_ARP_REQUEST);
  g_assert_cmphex (seen.ip, ==, 0);

  /* The bootloader's TFTP read request inside Ethernet/IPv4/UDP. */
  memcpy (frame + 6, bootloader_arp + 6, 6);
  frame[12] = 0x08;
  frame[14] = 0x45;
  frame[16] = 0; frame[17] = (guint8) (20 + ulen);
  frame[23] = 17;
  memcpy (frame + 26, (guint8[]) { 192, 168, 1, 2, 192, 168, 1, 55 }, 8);
  frame[34] = 0x04; frame[35] = 0x57;         /* source port 1111 */
  frame[36] = 0; frame[37] = 69;
  frame[38] = 0; frame[39] = (guint8) ulen;
  memcpy (frame + 42, rrq, sizeof rrq);
  g_assert_true (mpf_helper_frame_classify (frame, 42 + sizeof rrq, own_mac, &seen));
  g_assert_cmpint (seen.kind, ==, MPF_HELPER_SEEN_TFTP_RRQ);
  g_assert_cmpstr (seen.file, ==, "9c417c75a478");
  g_assert_cmpuint (seen.n_fields, ==, 6);
  g_assert_cmpuint (seen.src_port, ==, 1111);

  /* Another UDP port: just IPv4. */
  frame[37] = 70;
  g_assert_true (mpf_helper_frame_classify (frame, 42 + sizeof rrq, own_mac, &seen));
  g_assert_cmpint (seen.kind, ==, MPF_HELPER_SEEN_IPV4);
  /* IP total length beyond the captured frame: rejected. */
  frame[17] = 200;
  g_assert_false (mpf_helper_frame_classify (frame, 42 + sizeof rrq, own_mac, &seen));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/helper-protocol/malformed", test_malformed);
  g_test_add_func ("/helper-protocol/unknown-op", test_unknown_op);
  g_test_add_func ("/helper-protocol/capture", test_capture);
  g_test_add_func ("/helper-protocol/interface-syntax", test_interface_syntax);
  g_test_add_func ("/helper-protocol/addresses", test_addresses);
  g_test_add_func ("/helper-protocol/probe-targets", test_probe_targets);
  g_test_add_func ("/helper-protocol/image", test_image);
  g_test_add_func ("/helper-protocol/image-data", test_image_data);
  g_test_add_func ("/helper-protocol/serve", test_serve);
  g_test_add_func ("/helper-protocol/line-cap", test_line_cap);
  g_test_add_func ("/helper-protocol/replies", test_replies);
  g_test_add_func ("/helper-frame/classify-and-probe", test_frames);
  return g_test_run ();
}
