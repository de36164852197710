#include "config.h"

#include "mpf-helper-redact.h"

#include <string.h>

#define ETH_HLEN 14
/* How far a name may be from its tag's '<' or '>', or from a multipart
 * part's blank line: bounds the scans on hostile input. */
#define TAG_REACH 1024

/* Header lines whose whole value is a credential or a session. */
static const char *const secret_headers[] = {
  "authorization", "proxy-authorization", "cookie", "set-cookie", NULL,
};

/* Field names whose values are secrets. The Hame login sends the MD5 of
 * the password as admpass (WEB-UIS.md), LuCI username/password and
 * luci_username/luci_password; stok and sysauth are LuCI's session. */
static const struct {
  const char *name;
  gboolean    slash_ends; /* a URL token: '/' ends it (";stok=T/admin/...") */
} secret_fields[] = {
  { "admpass", FALSE }, { "admpwd", FALSE }, { "password", FALSE }, { "passwd", FALSE },
  { "pass", FALSE }, { "pwd", FALSE }, { "luci_password", FALSE }, { "http_passwd", FALSE },
  { "wpapsk", FALSE }, { "wpa_psk", FALSE }, { "stok", TRUE }, { "sysauth", TRUE },
};

static gboolean
is_word (guint8 c)
{
  return g_ascii_isalnum (c) || c == '_' || c == '-';
}

static gboolean
match_ci (const guint8 *p, gsize len, gsize at, const char *word)
{
  gsize n = strlen (word);

  return at + n <= len && g_ascii_strncasecmp ((const char *) p + at, word, n) == 0;
}

static gsize
blank (guint8 *p, gsize from, gsize to)
{
  gsize n = 0;

  for (gsize i = from; i < to; i++)
    if (p[i] != 'x')
      {
        p[i] = 'x';
        n++;
      }
  return n;
}

/* A bare value: up to one of @stops (or the end). */
static gsize
blank_until (guint8 *p, gsize len, gsize from, const char *stops)
{
  gsize end = from;

  while (end < len && p[end] != '\0' && strchr (stops, p[end]) == NULL)
    end++;
  return blank (p, from, end);
}

/* A quoted value starting at its opening quote; backslash escapes (JSON). */
static gsize
blank_quoted (guint8 *p, gsize len, gsize quote)
{
  gsize end = quote + 1;

  while (end < len && p[end] != p[quote])
    end += p[end] == '\\' ? 2 : 1;
  return blank (p, quote + 1, MIN (end, len));
}

static gsize
skip_space (const guint8 *p, gsize len, gsize i)
{
  while (i < len && (p[i] == ' ' || p[i] == '\t'))
    i++;
  return i;
}

/* `"password": "value"` (JSON). */
static gsize
redact_json (guint8 *p, gsize len, gsize after_quote)
{
  gsize i = skip_space (p, len, after_quote);

  if (i >= len || p[i] != ':')
    return 0;
  i = skip_space (p, len, i + 1);
  if (i < len && p[i] == '"')
    return blank_quoted (p, len, i);
  return blank_until (p, len, i, ",}] \t\r\n");
}

/* The value attribute of the tag around @at (an `<input type="password">`
 * or `<input name="admpass" value="...">`). */
static gsize
redact_tag (guint8 *p, gsize len, gsize at)
{
  gsize lt = at, gt = at;

  while (lt > 0 && at - lt < TAG_REACH && p[lt] != '<' && p[lt] != '>')
    lt--;
  if (p[lt] != '<')
    return 0;
  while (gt < len && gt - at < TAG_REACH && p[gt] != '>' && p[gt] != '<')
    gt++;
  for (gsize i = lt; i + 6 <= gt; i++)
    {
      gsize v;

      if (!match_ci (p, gt, i, "value") || is_word (p[i - 1]))
        continue;
      v = skip_space (p, gt, i + 5);
      if (v >= gt || p[v] != '=')
        continue;
      v = skip_space (p, gt, v + 1);
      if (v < gt && (p[v] == '"' || p[v] == '\''))
        return blank_quoted (p, gt, v);
      return blank_until (p, gt, v, " \t\r\n>");
    }
  return 0;
}

/* Content-Disposition: form-data; name="password"\r\n\r\nVALUE\r\n */
static gsize
redact_part (guint8 *p, gsize len, gsize after_quote)
{
  for (gsize i = after_quote; i + 4 <= len && i - after_quote < TAG_REACH; i++)
    {
      if (p[i] == '<' || p[i] == '>')
        return 0;
      if (memcmp (p + i, "\r\n\r\n", 4) == 0)
        return blank_until (p, len, i + 4, "\r\n");
    }
  return 0;
}

static gsize
redact_field (guint8 *p, gsize len, gsize at, gsize n, gboolean slash_ends)
{
  gsize j = at + n;
  gsize count = 0;

  if (j < len && p[j] == '=')
    return blank_until (p, len, j + 1, slash_ends ? "&; \t\r\n\"'<>,/?#" : "&; \t\r\n\"'<>,");
  if (at > 0 && j < len && (p[at - 1] == '"' || p[at - 1] == '\'') && p[j] == p[at - 1])
    {
      count += redact_json (p, len, j + 1);
      count += redact_tag (p, len, at);
      count += redact_part (p, len, j + 1);
    }
  return count;
}

gsize
mpf_helper_redact_payload (guint8 *p, gsize len)
{
  gsize count = 0;

  for (gsize i = 0; i < len; i++)
    {
      if (i == 0 || p[i - 1] == '\n')
        for (guint h = 0; secret_headers[h] != NULL; h++)
          {
            gsize n = strlen (secret_headers[h]);

            if (match_ci (p, len, i, secret_headers[h]) && i + n < len && p[i + n] == ':')
              {
                count += blank_until (p, len, skip_space (p, len, i + n + 1), "\r\n");
                break;
              }
          }
      if (i > 0 && is_word (p[i - 1]))
        continue;
      for (guint f = 0; f < G_N_ELEMENTS (secret_fields); f++)
        {
          gsize n = strlen (secret_fields[f].name);

          if (match_ci (p, len, i, secret_fields[f].name) && (i + n == len || !is_word (p[i + n])))
            count += redact_field (p, len, i, n, secret_fields[f].slash_ends);
        }
    }
  return count;
}

static guint16
be16 (const guint8 *p)
{
  return (guint16) (p[0] << 8 | p[1]);
}

static guint32
sum16 (const guint8 *p, gsize len, guint32 sum)
{
  for (gsize i = 0; i + 1 < len; i += 2)
    sum += be16 (p + i);
  if (len & 1)
    sum += (guint32) p[len - 1] << 8;
  return sum;
}

/* RFC 793 checksum over the pseudo header and the whole segment. */
static void
tcp_checksum (const guint8 *ip, guint8 *tcp, gsize tcp_len)
{
  guint32 sum = 0;

  tcp[16] = tcp[17] = 0;
  sum = sum16 (ip + 12, 8, sum);
  sum += 6 + (guint32) tcp_len;
  sum = sum16 (tcp, tcp_len, sum);
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  sum = ~sum & 0xffff;
  tcp[16] = (guint8) (sum >> 8);
  tcp[17] = (guint8) sum;
}

gsize
mpf_helper_redact_frame (guint8 *frame, gsize len)
{
  guint8 *ip;
  gsize ihl, total, avail, count;

  if (len < ETH_HLEN + 20 || be16 (frame + 12) != 0x0800)
    return 0;
  ip = frame + ETH_HLEN;
  avail = len - ETH_HLEN;
  ihl = (gsize) (ip[0] & 0x0f) * 4;
  total = be16 (ip + 2);
  if ((ip[0] >> 4) != 4 || ihl < 20 || total < ihl || ihl > avail)
    return 0;
  avail = MIN (avail, total);

  /* A later fragment has no transport header: all of it is payload. */
  if ((be16 (ip + 6) & 0x1fff) != 0)
    return mpf_helper_redact_payload (ip + ihl, avail - ihl);
  if (ip[9] == 6 && avail >= ihl + 20)
    {
      guint8 *tcp = ip + ihl;
      gsize off = (gsize) (tcp[12] >> 4) * 4;

      if (off < 20 || ihl + off > avail)
        return 0;
      count = mpf_helper_redact_payload (tcp + off, avail - ihl - off);
      if (count > 0 && avail == total && !(be16 (ip + 6) & 0x2000))
        tcp_checksum (ip, tcp, total - ihl);
      return count;
    }
  if (ip[9] == 17 && avail >= ihl + 8)
    return mpf_helper_redact_payload (ip + ihl + 8, avail - ihl - 8);
  return 0;
}

gsize
mpf_helper_capture_keep (const guint8 *frame, gsize len, const guint8 own_mac[6])
{
  const guint8 *ip;
  gsize ihl, total;

  if (len < ETH_HLEN + 20 || be16 (frame + 12) != 0x0800)
    return len;
  ip = frame + ETH_HLEN;
  ihl = (gsize) (ip[0] & 0x0f) * 4;
  total = be16 (ip + 2);
  if ((ip[0] >> 4) != 4 || ihl < 20 || total < ihl || ETH_HLEN + ihl > len
      || (be16 (ip + 6) & 0x1fff) != 0)
    return len;

  /* TFTP DATA (opcode 3) from any port: the lock-step transfer moves off
   * port 69, so the opcode is what tells it. */
  if (ip[9] == 17 && ETH_HLEN + ihl + 8 + 4 <= len)
    {
      const guint8 *udp = ip + ihl;

      if (be16 (udp + 8) == 3)
        return MIN (len, ETH_HLEN + ihl + 8 + 4 + MPF_HELPER_CAPTURE_TFTP_KEEP);
      return len;
    }
  /* What we send over TCP beyond the request's head is the uploaded image;
   * what the router sends (its pages) is what identification rules need. */
  if (ip[9] == 6 && ETH_HLEN + ihl + 20 <= len && memcmp (frame + 6, own_mac, 6) == 0)
    {
      gsize off = (gsize) (ip[ihl + 12] >> 4) * 4;

      return MIN (len, ETH_HLEN + ihl + MAX (off, 20) + MPF_HELPER_CAPTURE_TCP_OUT_KEEP);
    }
  return len;
}
