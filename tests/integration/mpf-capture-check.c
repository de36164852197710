/* mpf-capture-check PCAP [FORBIDDEN...]: reads a session capture with
 * libpcap (as Wireshark or tcpdump would), prints what it holds as one line
 * of key=value counts, and fails when the file does not parse, a record is
 * inconsistent, or any FORBIDDEN string occurs anywhere in its bytes. */
#include "config.h"

#include <glib.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>

static guint16
be16 (const guint8 *p)
{
  return (guint16) (p[0] << 8 | p[1]);
}

/* Anywhere in the bytes, NULs included. */
static gboolean
contains (const char *data, gsize size, const char *needle)
{
  gsize n = strlen (needle);

  for (gsize i = 0; n > 0 && i + n <= size; i++)
    if (memcmp (data + i, needle, n) == 0)
      return TRUE;
  return FALSE;
}

int
main (int argc, char **argv)
{
  g_autofree char *data = NULL;
  g_autoptr(GError) error = NULL;
  char errbuf[PCAP_ERRBUF_SIZE] = "";
  struct pcap_pkthdr *hdr;
  const u_char *frame;
  gsize size;
  pcap_t *p;
  FILE *f;
  int rc;
  guint packets = 0, arp = 0, http = 0, signin = 0, tftp_rrq = 0, tftp_data = 0, tftp_ack = 0;
  guint max_tftp_data = 0;

  if (argc < 2)
    {
      g_printerr ("usage: %s PCAP [FORBIDDEN...]\n", argv[0]);
      return 2;
    }
  if (!g_file_get_contents (argv[1], &data, &size, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  for (int i = 2; i < argc; i++)
    if (contains (data, size, argv[i]))
      {
        g_printerr ("forbidden string “%s” is in the capture\n", argv[i]);
        return 1;
      }

  f = fmemopen (data, size, "rb");
  if (f == NULL)
    return 1;
  p = pcap_fopen_offline_with_tstamp_precision (f, PCAP_TSTAMP_PRECISION_MICRO, errbuf);
  if (p == NULL)
    {
      g_printerr ("not a pcap file: %s\n", errbuf);
      fclose (f);
      return 1;
    }
  if (pcap_datalink (p) != DLT_EN10MB)
    {
      g_printerr ("link type %d, not Ethernet\n", pcap_datalink (p));
      return 1;
    }
  while ((rc = pcap_next_ex (p, &hdr, &frame)) == 1)
    {
      packets++;
      if (hdr->caplen > hdr->len || hdr->caplen < 14)
        {
          g_printerr ("record %u: caplen %u, len %u\n", packets, hdr->caplen, hdr->len);
          return 1;
        }
      if (be16 (frame + 12) == 0x0806)
        arp++;
      else if (be16 (frame + 12) == 0x0800 && hdr->caplen >= 14 + 20)
        {
          const guint8 *ip = frame + 14;
          gsize ihl = (gsize) (ip[0] & 0x0f) * 4;
          const guint8 *l4 = ip + ihl;
          gsize l4len = hdr->caplen - 14 - ihl;

          if (ip[9] == 6 && l4len >= 20 && (be16 (l4) == 80 || be16 (l4 + 2) == 80))
            {
              gsize off = (gsize) (l4[12] >> 4) * 4;

              http++;
              if (l4len > off && g_strstr_len ((const char *) l4 + off, (gssize) (l4len - off),
                                               "POST /goform/signin") != NULL)
                signin++;
            }
          else if (ip[9] == 17 && l4len >= 8 + 2)
            {
              guint16 op = be16 (l4 + 8);

              if (be16 (l4 + 2) == 69 && op == 1)
                tftp_rrq++;
              else if (op == 3)
                {
                  tftp_data++;
                  max_tftp_data = MAX (max_tftp_data, hdr->caplen);
                }
              else if (op == 4)
                tftp_ack++;
            }
        }
    }
  if (rc != PCAP_ERROR_BREAK)
    {
      g_printerr ("reading record %u: %s\n", packets + 1, pcap_geterr (p));
      return 1;
    }
  pcap_close (p);
  printf ("packets=%u arp=%u http=%u signin=%u tftp_rrq=%u tftp_data=%u tftp_ack=%u max_tftp_data=%u\n",
          packets, arp, http, signin, tftp_rrq, tftp_data, tftp_ack, max_tftp_data);
  return 0;
}
