/* The TFTP wire parser and builders. */
#include "config.h"

#include <string.h>

#include "mpf-tftp-packet.h"

static void
test_parse_hame_request (void)
{
  static const guint8 rrq[] =
    "\0\1" "9c417c75a478\0" "octet\0" "timeout\0" "5\0" "-386365873\0" "6";
  char buf[sizeof rrq + 1];
  MpfTftpPacket pkt;
  const char *name, *value;

  g_assert_true (mpf_tftp_packet_parse (rrq, sizeof rrq, buf, &pkt));
  g_assert_cmpint (pkt.opcode, ==, MPF_TFTP_OP_RRQ);
  g_assert_cmpuint (pkt.n_strings, ==, 6);
  g_assert_cmpstr (mpf_tftp_packet_get_filename (&pkt), ==, "9c417c75a478");
  g_assert_cmpstr (mpf_tftp_packet_get_mode (&pkt), ==, "octet");
  g_assert_cmpuint (mpf_tftp_packet_get_n_options (&pkt), ==, 2);
  mpf_tftp_packet_get_option (&pkt, 1, &name, &value);
  g_assert_cmpstr (name, ==, "-386365873");
  g_assert_cmpstr (value, ==, "6");
}

static void
test_parse_by_length (void)
{
  /* No final NUL, and bytes past the length that must not be read. */
  static const guint8 rrq[] = "\0\1" "file\0" "octetXXXX";
  char buf[16];
  MpfTftpPacket pkt;

  g_assert_true (mpf_tftp_packet_parse (rrq, 2 + 5 + 5, buf, &pkt));
  g_assert_cmpstr (mpf_tftp_packet_get_mode (&pkt), ==, "octet");
  g_assert_cmpuint (pkt.n_strings, ==, 2);
  /* Name only, or an empty name: not a request. */
  g_assert_false (mpf_tftp_packet_parse (rrq, 2 + 5, buf, &pkt));
  g_assert_false (mpf_tftp_packet_parse ((const guint8 *) "\0\1\0octet\0", 9, buf, &pkt));
}

static void
test_parse_small (void)
{
  char buf[16];
  MpfTftpPacket pkt;

  g_assert_false (mpf_tftp_packet_parse ((const guint8 *) "", 0, buf, &pkt));
  g_assert_false (mpf_tftp_packet_parse ((const guint8 *) "\0", 1, buf, &pkt));
  g_assert_false (mpf_tftp_packet_parse ((const guint8 *) "\0\4\1", 3, buf, &pkt));
  g_assert_false (mpf_tftp_packet_parse ((const guint8 *) "\0\0", 2, buf, &pkt));
  g_assert_false (mpf_tftp_packet_parse ((const guint8 *) "\0\12", 2, buf, &pkt));
  g_assert_true (mpf_tftp_packet_parse ((const guint8 *) "\0\4\xff\xfe", 4, buf, &pkt));
  g_assert_cmpuint (pkt.block, ==, 0xfffe);
  g_assert_true (mpf_tftp_packet_parse ((const guint8 *) "\0\3\0\7", 4, buf, &pkt));
  g_assert_cmpuint (pkt.block, ==, 7);
  g_assert_cmpuint (pkt.payload_len, ==, 0);
  g_assert_true (mpf_tftp_packet_parse ((const guint8 *) "\0\11" "9c417c75a478", 14, buf, &pkt));
  g_assert_cmpint (pkt.opcode, ==, MPF_TFTP_OP_HAME_FLASH_DONE);
  g_assert_cmpmem (pkt.payload, pkt.payload_len, "9c417c75a478", 12);
  g_assert_true (mpf_tftp_packet_parse ((const guint8 *) "\0\5\0\5bad", 7, buf, &pkt));
  g_assert_cmpuint (pkt.error_code, ==, 5);
  g_assert_cmpmem (pkt.payload, pkt.payload_len, "bad", 3);
}

static void
test_build (void)
{
  guint8 out[64];
  const char *pairs[] = { "blksize", "1468", NULL };
  const char *req[] = { "f", "octet", NULL };

  g_assert_cmpuint (mpf_tftp_packet_build_ack (out, sizeof out, 0x1234), ==, 4);
  g_assert_cmpmem (out, 4, "\0\4\x12\x34", 4);
  g_assert_cmpuint (mpf_tftp_packet_build_data (out, sizeof out, 65535, (const guint8 *) "ab", 2), ==, 6);
  g_assert_cmpmem (out, 6, "\0\3\xff\xff" "ab", 6);
  g_assert_cmpuint (mpf_tftp_packet_build_data (out, 5, 1, (const guint8 *) "ab", 2), ==, 0);
  g_assert_cmpuint (mpf_tftp_packet_build_error (out, sizeof out, 5, "x"), ==, 6);
  g_assert_cmpmem (out, 6, "\0\5\0\5x\0", 6);
  g_assert_cmpuint (mpf_tftp_packet_build_oack (out, sizeof out, pairs), ==, 15);
  g_assert_cmpmem (out, 15, "\0\6blksize\0" "1468\0", 15);
  g_assert_cmpuint (mpf_tftp_packet_build_oack (out, 10, pairs), ==, 0);
  g_assert_cmpuint (mpf_tftp_packet_build_request (out, sizeof out, MPF_TFTP_OP_RRQ, req), ==, 10);
  g_assert_cmpmem (out, 10, "\0\1f\0octet\0", 10);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/tftp-packet/hame-request", test_parse_hame_request);
  g_test_add_func ("/tftp-packet/parse-by-length", test_parse_by_length);
  g_test_add_func ("/tftp-packet/small", test_parse_small);
  g_test_add_func ("/tftp-packet/build", test_build);
  return g_test_run ();
}
