#include "config.h"

#include "mpf-helper-frame.h"

#include <string.h>

#define ETH_HLEN 14

static guint16
be16 (const guint8 *p)
{
  return (guint16) (p[0] << 8 | p[1]);
}

static guint32
ip_at (const guint8 *p)
{
  guint32 v;

  memcpy (&v, p, 4);
  return v;
}

const char *
mpf_helper_seen_kind_name (MpfHelperSeenKind kind)
{
  switch (kind)
    {
    case MPF_HELPER_SEEN_ARP_REQUEST: return "arp-request";
    case MPF_HELPER_SEEN_ARP_REPLY:   return "arp-reply";
    case MPF_HELPER_SEEN_IPV4:        return "ipv4";
    case MPF_HELPER_SEEN_TFTP_RRQ:    return "tftp-rrq";
    case MPF_HELPER_SEEN_NONE:
    default:                          return "none";
    }
}

static gboolean
classify_arp (const guint8 *arp, gsize len, MpfHelperSeen *out)
{
  guint16 op;

  /* Ethernet/IPv4 ARP only: htype 1, ptype 0x0800, hlen 6, plen 4. */
  if (len < 28 || be16 (arp) != 1 || be16 (arp + 2) != 0x0800 || arp[4] != 6 || arp[5] != 4)
    return FALSE;
  op = be16 (arp + 6);
  if (op == 1)
    out->kind = MPF_HELPER_SEEN_ARP_REQUEST;
  else if (op == 2)
    out->kind = MPF_HELPER_SEEN_ARP_REPLY;
  else
    return FALSE;
  out->ip = ip_at (arp + 14);
  out->target = ip_at (arp + 24);
  return TRUE;
}

/* The bootloader's request is parsed by UDP length, never by trusting NULs
 * (RECOVERY.md): count the strings that fit, keep a printable copy of the
 * first one. */
static void
parse_rrq (const guint8 *p, gsize len, MpfHelperSeen *out)
{
  gsize o = 0;

  out->kind = MPF_HELPER_SEEN_TFTP_RRQ;
  for (gsize i = 2; i < len; i++)
    {
      if (p[i] == 0)
        {
          out->n_fields++;
          continue;
        }
      if (out->n_fields == 0 && o < sizeof out->file - 1)
        out->file[o++] = (p[i] >= 0x20 && p[i] < 0x7f) ? (char) p[i] : '?';
    }
  out->file[o] = '\0';
}

static gboolean
classify_ipv4 (const guint8 *ip, gsize len, MpfHelperSeen *out)
{
  gsize ihl, total;

  if (len < 20 || (ip[0] >> 4) != 4)
    return FALSE;
  ihl = (gsize) (ip[0] & 0x0f) * 4;
  total = be16 (ip + 2);
  if (ihl < 20 || total < ihl || total > len)
    return FALSE;
  out->kind = MPF_HELPER_SEEN_IPV4;
  out->ip = ip_at (ip + 12);

  /* UDP, not a fragment, to port 69, opcode 1. */
  if (ip[9] == 17 && (be16 (ip + 6) & 0x3fff) == 0 && total >= ihl + 8)
    {
      const guint8 *udp = ip + ihl;
      gsize ulen = be16 (udp + 4);

      if (ulen >= 8 + 2 && ihl + ulen <= total && be16 (udp + 2) == 69 && be16 (udp + 8) == 1)
        {
          out->src_port = be16 (udp);
          parse_rrq (udp + 8, ulen - 8, out);
        }
    }
  return TRUE;
}

gboolean
mpf_helper_frame_classify (const guint8  *frame,
                           gsize          len,
                           const guint8   own_mac[6],
                           MpfHelperSeen *out)
{
  guint16 type;

  memset (out, 0, sizeof *out);
  if (len < ETH_HLEN)
    return FALSE;
  if (memcmp (frame + 6, own_mac, 6) == 0)
    return FALSE;
  memcpy (out->mac, frame + 6, 6);
  type = be16 (frame + 12);
  if (type == 0x0806)
    return classify_arp (frame + ETH_HLEN, len - ETH_HLEN, out);
  if (type == 0x0800)
    return classify_ipv4 (frame + ETH_HLEN, len - ETH_HLEN, out);
  return FALSE;
}

void
mpf_helper_frame_build_arp_probe (const guint8 own_mac[6],
                                  guint32      target_ip,
                                  guint8       out[MPF_HELPER_ARP_PROBE_LEN])
{
  static const guint8 arp_hdr[8] = { 0, 1, 8, 0, 6, 4, 0, 1 };

  memset (out, 0, MPF_HELPER_ARP_PROBE_LEN);
  memset (out, 0xff, 6);                 /* broadcast */
  memcpy (out + 6, own_mac, 6);
  out[12] = 0x08; out[13] = 0x06;        /* ARP */
  memcpy (out + 14, arp_hdr, 8);         /* Ethernet/IPv4 request */
  memcpy (out + 22, own_mac, 6);         /* sender MAC */
                                         /* sender IP 0.0.0.0: a probe */
                                         /* target MAC zero */
  memcpy (out + 38, &target_ip, 4);
}
