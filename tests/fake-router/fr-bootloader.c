/* fr-bootloader.c — the Hame U-Boot 1.1.7 recovery client, as RECOVERY.md
 * describes it from the real code run under emulation.
 *
 * Phases, restarted forever: ARP for 192.168.1.55 (own raw ARP frames, so
 * the who-has is on the wire at every restart as on the real unit), then the
 * read request from a fresh port, then the 512-byte lock-step with the real
 * handler's quirks, then the container parser, the flash write, opcode 9 and
 * the reset. Single-threaded on the default GMainContext.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <gio/gio.h>
#include <zlib.h>

#include "fr-bootloader.h"
#include "fr-container.h"

#define ROUTER_IP       "192.168.1.2"
#define ROUTER_CIDR     "192.168.1.2/24"
#define SERVER_IP       "192.168.1.55"
#define TFTP_PORT       69
#define BLOCK_SIZE      512
#define MAX_BLOCKS      65535u
#define CRC_SPAN        0x20000u   /* the bootloader's first 128 KiB */
#define OLD_SOCKETS_MAX 8
/* [I] U-Boot 1.1.x: an ARP request every ARP_TIMEOUT, restart after a few. */
#define ARP_INTERVAL_MS 1000u
#define ARP_TRIES       5u
#define RESET_AFTER_MS  2000u

enum {
  TFTP_RRQ = 1, TFTP_WRQ = 2, TFTP_DATA = 3, TFTP_ACK = 4, TFTP_ERROR = 5, TFTP_OACK = 6,
  TFTP_STOP_TIMERS = 7, TFTP_RENAME = 8, TFTP_DONE = 9,
};

typedef enum {
  PHASE_ARP,       /* who-has 192.168.1.55 */
  PHASE_TRANSFER,  /* read request sent, DATA accepted */
  PHASE_WRITING,   /* file complete: parser and flash, the network is ignored */
  PHASE_FINISHED,  /* opcode 9 sent, waiting for the reset */
  PHASE_HALTED,    /* crashed or waiting for a power cut: nothing more happens */
} Phase;

typedef struct {
  GSocket *socket;
  GSource *source;
} Endpoint;

struct _FrBootloader {
  FrDevice     *dev;
  GCancellable *cancellable;
  Phase         phase;

  gboolean  loopback;
  char     *ifname;
  int       disable_ipv6_saved;   /* -1: untouched */
  char     *mac12;
  gint32    crc;
  char     *filename;
  guint     first_timeout_ms;
  guint     timeout_ms;
  guint     attempt;              /* read requests since recovery started */

  /* ARP */
  Endpoint  arp;
  int       ifindex;
  guint8    hwaddr[6];
  guint     arp_tries;
  guint     arp_timer;

  /* TFTP */
  Endpoint  udp;
  GPtrArray *old;                 /* Endpoint*: earlier ports, drained silently */
  GInetAddress *server_ip;
  guint16   server_rrq_port;
  guint16   local_port;
  gboolean  locked;
  guint16   server_port;
  gboolean  have_last;
  guint16   last_block;
  guint     timeouts;             /* cumulative since the read request */
  gboolean  timers_stopped;       /* opcode 7 */
  guint     timer;
  GBytes   *last_sent;            /* resent on timeout: the request or the last ACK */
  guint     received;             /* UDP packets this transfer (drop-every-nth) */
  guint     n_blocks;
  GByteArray *ram;                /* the download buffer */

  /* after the download */
  FrContainer *container;
  guint     next_entry;
};

static void restart (FrBootloader *bl, const char *why);
static void arp_start (FrBootloader *bl);

/* ---- small helpers ------------------------------------------------------ */

static void
endpoint_close (Endpoint *ep)
{
  if (ep->source != NULL)
    {
      g_source_destroy (ep->source);
      g_clear_pointer (&ep->source, g_source_unref);
    }
  if (ep->socket != NULL)
    g_socket_close (ep->socket, NULL);
  g_clear_object (&ep->socket);
}

static void
endpoint_free (gpointer p)
{
  endpoint_close (p);
  g_free (p);
}

static guint
env_ms (const char *name, guint fallback)
{
  const char *v = g_getenv (name);
  guint64 ms;

  if (v == NULL || !g_ascii_string_to_unsigned (v, 10, 1, 600000, &ms, NULL))
    return fallback;
  return (guint) ms;
}

static void
stop_timer (FrBootloader *bl)
{
  g_clear_handle_id (&bl->timer, g_source_remove);
}

static gint32
bootloader_crc (FrDevice *dev)
{
  g_autofree guint8 *buf = g_malloc (CRC_SPAN);

  if (!fr_device_flash_read (dev, 0, buf, CRC_SPAN, NULL))
    memset (buf, 0xff, CRC_SPAN);
  /* Printed as a signed decimal by the bootloader. */
  return (gint32) (guint32) crc32 (0, buf, CRC_SPAN);
}

/* The real bootloader has no IPv6: keep the kernel from sending router
 * solicitations and the like from "U-Boot" while recovery runs. */
static void
set_disable_ipv6 (FrBootloader *bl, int value)
{
  g_autofree char *path = NULL;
  g_autofree char *old = NULL;

  if (bl->ifname == NULL)
    return;
  path = g_strdup_printf ("/proc/sys/net/ipv6/conf/%s/disable_ipv6", bl->ifname);
  if (value >= 0 && bl->disable_ipv6_saved < 0 && g_file_get_contents (path, &old, NULL, NULL))
    bl->disable_ipv6_saved = atoi (old);
  if (value < 0)
    value = bl->disable_ipv6_saved;
  if (value >= 0)
    {
      g_autofree char *text = g_strdup_printf ("%d\n", value);
      g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_NONE, 0644, NULL);
    }
}

/* ---- sending ------------------------------------------------------------ */

static void
send_udp (FrBootloader *bl, GBytes *packet, guint16 port)
{
  g_autoptr(GSocketAddress) to = g_inet_socket_address_new (bl->server_ip, port);
  g_autoptr(GError) error = NULL;
  gsize len;
  const guint8 *data = g_bytes_get_data (packet, &len);

  if (bl->udp.socket == NULL)
    return;
  if (g_socket_send_to (bl->udp.socket, to, (const char *) data, len, NULL, &error) < 0)
    fr_device_log_event (bl->dev, "bootloader", "send to port %u failed: %s", port,
                         error->message);
}

static GBytes *
make_request (FrBootloader *bl)
{
  const FrFaults *faults = fr_device_get_faults (bl->dev);
  g_autoptr(GByteArray) p = g_byte_array_new ();
  g_autofree char *crc = g_strdup_printf ("%" G_GINT32_FORMAT, bl->crc);
  const char *fields[] = { bl->filename, "octet", "timeout", "5", crc, "6", NULL };
  static const guint8 op[] = { 0, TFTP_RRQ };

  /* [I] An older bootloader sends no fingerprint: the CRC and its "6" are
   * one option pair, so both go. */
  if (faults->old_bootloader_no_crc)
    fields[4] = NULL;
  g_byte_array_append (p, op, 2);
  for (guint i = 0; fields[i] != NULL; i++)
    g_byte_array_append (p, (const guint8 *) fields[i], strlen (fields[i]) + 1);
  return g_byte_array_free_to_bytes (g_steal_pointer (&p));
}

static void
send_ack (FrBootloader *bl, guint16 block)
{
  guint8 ack[4] = { 0, TFTP_ACK, block >> 8, block & 0xff };

  g_clear_pointer (&bl->last_sent, g_bytes_unref);
  bl->last_sent = g_bytes_new (ack, sizeof ack);
  send_udp (bl, bl->last_sent, bl->server_port);
}

/* ---- timeouts ----------------------------------------------------------- */

static gboolean timeout_cb (gpointer data);

static void
arm_timer (FrBootloader *bl, guint ms)
{
  stop_timer (bl);
  if (!bl->timers_stopped)
    bl->timer = g_timeout_add (ms, timeout_cb, bl);
}

static gboolean
timeout_cb (gpointer data)
{
  FrBootloader *bl = data;

  bl->timer = 0;
  bl->timeouts++;
  if (bl->timeouts > FR_BOOTLOADER_TIMEOUT_BUDGET)
    {
      fr_device_log_event (bl->dev, "bootloader",
                           "timeout %u: budget of %u exhausted, restart", bl->timeouts,
                           FR_BOOTLOADER_TIMEOUT_BUDGET);
      restart (bl, "timeouts");
      return G_SOURCE_REMOVE;
    }
  fr_device_log_event (bl->dev, "bootloader", "timeout %u: resend %s", bl->timeouts,
                       bl->locked || bl->have_last ? "ack" : "request");
  send_udp (bl, bl->last_sent, bl->locked ? bl->server_port : bl->server_rrq_port);
  arm_timer (bl, bl->timeout_ms);
  return G_SOURCE_REMOVE;
}

/* ---- after the download: parser, flash, opcode 9 ------------------------ */

static void write_next_entry (FrBootloader *bl);

static void
finish (FrBootloader *bl)
{
  guint8 done[2 + 12] = { 0, TFTP_DONE };
  g_autoptr(GBytes) packet = NULL;

  memcpy (done + 2, bl->mac12, 12);
  packet = g_bytes_new (done, sizeof done);
  bl->phase = PHASE_FINISHED;
  /* Once, no NUL, to the port that served the DATA. */
  send_udp (bl, packet, bl->server_port);
  fr_device_log_event (bl->dev, "bootloader", "opcode 9 sent once to %s:%u (%s)", SERVER_IP,
                       bl->server_port, bl->mac12);
  fr_device_clear_update_flag (bl->dev);
  fr_device_log_event (bl->dev, "bootloader", "reset in ~%u ms (device time, scaled)", RESET_AFTER_MS);
  fr_device_request_reboot_after_ms (bl->dev, RESET_AFTER_MS);
}

static void
write_done_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GError) error = NULL;

  if (!fr_device_flash_write_finish (FR_DEVICE (source), result, &error))
    {
      /* Cancelled: stop() may already have freed us. A power cut: stop()
       * follows from an idle. Touch nothing in either case. */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
          || g_error_matches (error, FR_DEVICE_ERROR, FR_DEVICE_ERROR_POWER_CUT)
          || g_error_matches (error, FR_DEVICE_ERROR, FR_DEVICE_ERROR_POWERED_OFF))
        return;
      FrBootloader *bl = data;
      /* The real parser ignores flash errors and still reports success. */
      fr_device_log_event (bl->dev, "bootloader", "flash write error ignored: %s",
                           error->message);
    }
  write_next_entry (data);
}

static void
write_next_entry (FrBootloader *bl)
{
  while (bl->next_entry < bl->container->entries->len)
    {
      FrContainerEntry *e = &g_array_index (bl->container->entries, FrContainerEntry,
                                            bl->next_entry++);
      g_autoptr(GBytes) payload = NULL;

      if (e->skipped)
        {
          fr_device_log_event (bl->dev, "bootloader",
                               "entry type %u length 0x%x skipped: larger than 0x%x "
                               "(silently on the real unit; opcode 9 still follows)",
                               e->type, e->length, FR_CONTAINER_FIRMWARE_MAX);
          continue;
        }
      if (e->length == 0)
        continue;
      fr_device_log_event (bl->dev, "bootloader", "writing entry type %u length 0x%x at 0x%x",
                           e->type, e->length, e->flash_offset);
      payload = g_bytes_new (bl->ram->data + e->data_start, e->length);
      fr_device_flash_write_async (bl->dev, e->flash_offset, payload, bl->cancellable,
                                   write_done_cb, bl);
      return;
    }
  finish (bl);
}

/* The real parser crashes here. The simulated unit refuses loudly and then
 * hangs like a crashed CPU: no timers, no answers (not even ARP), until it
 * is power-cycled. */
static void
crash (FrBootloader *bl, const char *why)
{
  fr_device_log_event (bl->dev, "bootloader", "container REFUSED, nothing written: %s", why);
  fr_device_log_event (bl->dev, "bootloader",
                       "simulated crash: the unit hangs until it is power-cycled");
  bl->phase = PHASE_HALTED;
  stop_timer (bl);
  endpoint_close (&bl->udp);
  endpoint_close (&bl->arp);
  g_ptr_array_set_size (bl->old, 0);
  fr_device_set_addresses (bl->dev, NULL, NULL);
}

static void
downloaded (FrBootloader *bl)
{
  g_autoptr(GError) error = NULL;

  bl->phase = PHASE_WRITING;
  stop_timer (bl);
  bl->container = fr_container_parse (bl->ram->data, bl->ram->len, &error);
  if (bl->container == NULL)
    {
      crash (bl, error->message);
      return;
    }
  fr_device_log_event (bl->dev, "bootloader",
                       "container: %u entr%s, word0 %u, crc %s (neither is checked)",
                       bl->container->n_entries, bl->container->n_entries == 1 ? "y" : "ies",
                       bl->container->word0, bl->container->crc_matches ? "matches" : "differs");
  bl->next_entry = 0;
  write_next_entry (bl);
}

/* ---- the TFTP packet table (RECOVERY.md) --------------------------------- */

static void
handle_data (FrBootloader *bl, const guint8 *p, gsize len, guint16 src_port)
{
  const FrFaults *faults = fr_device_get_faults (bl->dev);
  guint16 block;
  gsize payload = len - 4;

  if (len < 4)
    return;
  block = (guint16) (p[2] << 8 | p[3]);
  if (!bl->have_last)
    {
      /* [I, upstream U-Boot 1.1.x] The first DATA must be block 1. */
      if (block != 1)
        {
          fr_device_log_event (bl->dev, "bootloader",
                               "first DATA is block %u, not 1: restart", block);
          restart (bl, "first-block");
          return;
        }
      if (!bl->locked)
        {
          bl->locked = TRUE;
          bl->server_port = src_port;
        }
      fr_device_log_event (bl->dev, "bootloader", "DATA block 1 from port %u: locked",
                           bl->server_port);
    }
  else if (block == bl->last_block)
    {
      /* No ACK, and the timer is not re-armed. */
      fr_device_log_event (bl->dev, "bootloader", "duplicate DATA block %u ignored, no ACK",
                           block);
      return;
    }
  else if (block != (guint16) (bl->last_block + 1))
    fr_device_log_event (bl->dev, "bootloader",
                         "DATA block %u after block %u: written at 0x%x without an order "
                         "check (the image is now corrupt)",
                         block, bl->last_block, (guint) ((block - 1u) * BLOCK_SIZE));

  if (block == 0)
    {
      /* (0 - 1) x 512 would land before the real one's buffer. */
      fr_device_log_event (bl->dev, "bootloader",
                           "DATA block 0: the real unit would write before its buffer; "
                           "not simulated, ignored");
      return;
    }
  if (faults->power_cut_at_block != 0 && block == faults->power_cut_at_block)
    {
      guint at = faults->power_cut_at_block;

      fr_device_set_fault (bl->dev, "power-cut-at-block", "0", NULL);
      fr_device_log_event (bl->dev, "bootloader", "fault: power cut at DATA block %u", at);
      bl->phase = PHASE_HALTED;
      stop_timer (bl);
      fr_device_power_cut (bl->dev, "power-cut-at-block");
      return;
    }

  gsize offset = (gsize) (block - 1) * BLOCK_SIZE;
  if (bl->ram->len < offset + payload)
    {
      gsize old_len = bl->ram->len;
      g_byte_array_set_size (bl->ram, offset + payload);
      memset (bl->ram->data + old_len, 0, offset + payload - old_len);
    }
  memcpy (bl->ram->data + offset, p + 4, payload);
  bl->have_last = TRUE;
  bl->last_block = block;
  bl->n_blocks++;
  send_ack (bl, block);
  if (payload < BLOCK_SIZE)
    {
      fr_device_log_event (bl->dev, "bootloader",
                           "end of file at block %u: %u blocks, %u bytes, ACKed", block,
                           bl->n_blocks, bl->ram->len);
      downloaded (bl);
      return;
    }
  arm_timer (bl, bl->timeout_ms);
}

static void
handle_packet (FrBootloader *bl, const guint8 *p, gsize len, guint16 src_port)
{
  const FrFaults *faults = fr_device_get_faults (bl->dev);
  guint16 op;

  if (bl->phase != PHASE_TRANSFER)
    return; /* out of the TFTP loop: nobody reads the network */
  bl->received++;
  if (faults->drop_every_nth > 0 && bl->received % faults->drop_every_nth == 0)
    {
      fr_device_log_event (bl->dev, "bootloader", "fault: dropped received packet %u",
                           bl->received);
      return;
    }
  if (len < 2)
    return;
  if (bl->locked && src_port != bl->server_port)
    {
      fr_device_log_event (bl->dev, "bootloader", "packet from port %u ignored (locked to %u)",
                           src_port, bl->server_port);
      return;
    }
  op = (guint16) (p[0] << 8 | p[1]);
  switch (op)
    {
    case TFTP_DATA:
      handle_data (bl, p, len, src_port);
      break;
    case TFTP_ERROR:
      {
        guint code = len >= 4 ? (guint) (p[2] << 8 | p[3]) : 0;
        g_autofree char *msg = len > 4 ? g_strndup ((const char *) p + 4, len - 4) : g_strdup ("");
        g_autofree char *escaped = g_strescape (msg, NULL);

        fr_device_log_event (bl->dev, "bootloader", "ERROR %u \"%s\": restart at once", code,
                             escaped);
        restart (bl, "error");
      }
      break;
    case TFTP_OACK:
      if (!bl->locked)
        {
          bl->locked = TRUE;
          bl->server_port = src_port;
        }
      fr_device_log_event (bl->dev, "bootloader", "OACK from port %u: ACK 0", src_port);
      send_ack (bl, 0);
      arm_timer (bl, bl->timeout_ms);
      break;
    case TFTP_STOP_TIMERS:
      fr_device_log_event (bl->dev, "bootloader", "opcode 7: all timers stopped, waiting forever");
      bl->timers_stopped = TRUE;
      stop_timer (bl);
      break;
    case TFTP_RENAME:
      {
        const char *name = (const char *) p + 2;
        g_autofree char *copy = g_strndup (name, strnlen (name, len - 2));

        fr_device_log_event (bl->dev, "bootloader", "opcode 8: restart requesting \"%s\"", copy);
        g_free (bl->filename);
        bl->filename = g_steal_pointer (&copy);
        restart (bl, "opcode 8");
      }
      break;
    default:
      fr_device_log_event (bl->dev, "bootloader", "opcode %u from port %u ignored", op,
                           src_port);
      break;
    }
}

static gboolean
udp_readable_cb (GSocket *socket, GIOCondition condition, gpointer data)
{
  FrBootloader *bl = data;
  guint8 buf[2048];

  for (;;)
    {
      g_autoptr(GSocketAddress) from = NULL;
      gssize n = g_socket_receive_from (socket, &from, (char *) buf, sizeof buf, NULL, NULL);

      if (n < 0)
        break;
      /* Only the current port's socket is listened to; restart() may have
       * replaced it inside handle_packet. */
      if (socket != bl->udp.socket)
        continue;
      if (from == NULL || !G_IS_INET_SOCKET_ADDRESS (from))
        continue;
      GInetSocketAddress *sa = G_INET_SOCKET_ADDRESS (from);
      if (!g_inet_address_equal (g_inet_socket_address_get_address (sa), bl->server_ip))
        continue;
      handle_packet (bl, buf, (gsize) n, g_inet_socket_address_get_port (sa));
      if (bl->udp.socket != socket)
        break; /* restarted or halted: this socket is now an old one */
    }
  return G_SOURCE_CONTINUE;
}

/* Old ports are kept open and drained, so late packets to them vanish
 * silently as on the real unit instead of drawing ICMP port-unreachable. */
static gboolean
old_readable_cb (GSocket *socket, GIOCondition condition, gpointer data)
{
  char buf[2048];

  while (g_socket_receive (socket, buf, sizeof buf, NULL, NULL) >= 0)
    ;
  return G_SOURCE_CONTINUE;
}

static gboolean
open_udp (FrBootloader *bl, GError **error)
{
  g_autoptr(GInetAddress) local_ip = g_inet_address_new_from_string (
    bl->loopback ? "127.0.0.1" : ROUTER_IP);

  for (guint tries = 0; tries < 32; tries++)
    {
      /* 1024 + (timer % 3072): a new port in 1024..4095 at every restart. */
      guint16 port = (guint16) (1024 + g_random_int_range (0, 3072));
      g_autoptr(GSocketAddress) addr = NULL;
      g_autoptr(GSocket) sock = NULL;
      g_autoptr(GError) local_error = NULL;

      if (port == bl->local_port)
        continue;
      sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
                           G_SOCKET_PROTOCOL_UDP, error);
      if (sock == NULL)
        return FALSE;
      g_socket_set_blocking (sock, FALSE);
      addr = g_inet_socket_address_new (local_ip, port);
      if (!g_socket_bind (sock, addr, FALSE, &local_error))
        {
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
            continue;
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      bl->local_port = port;
      bl->udp.socket = g_steal_pointer (&sock);
      bl->udp.source = g_socket_create_source (bl->udp.socket, G_IO_IN, NULL);
      g_source_set_callback (bl->udp.source, G_SOURCE_FUNC (udp_readable_cb), bl, NULL);
      g_source_attach (bl->udp.source, NULL);
      return TRUE;
    }
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE, "no free client port");
  return FALSE;
}

static void
retire_udp (FrBootloader *bl)
{
  Endpoint *old;

  if (bl->udp.socket == NULL)
    return;
  old = g_new0 (Endpoint, 1);
  old->socket = g_steal_pointer (&bl->udp.socket);
  g_source_destroy (bl->udp.source);
  g_clear_pointer (&bl->udp.source, g_source_unref);
  old->source = g_socket_create_source (old->socket, G_IO_IN, NULL);
  g_source_set_callback (old->source, G_SOURCE_FUNC (old_readable_cb), NULL, NULL);
  g_source_attach (old->source, NULL);
  g_ptr_array_add (bl->old, old);
  if (bl->old->len > OLD_SOCKETS_MAX)
    g_ptr_array_remove_index (bl->old, 0);
}

static void
send_request (FrBootloader *bl)
{
  g_autoptr(GError) error = NULL;

  bl->phase = PHASE_TRANSFER;
  if (!open_udp (bl, &error))
    {
      fr_device_log_event (bl->dev, "bootloader", "cannot open a client port: %s",
                           error->message);
      crash (bl, "no socket");
      return;
    }
  bl->attempt++;
  g_clear_pointer (&bl->last_sent, g_bytes_unref);
  bl->last_sent = make_request (bl);
  fr_device_log_event (bl->dev, "bootloader",
                       "read request %u from port %u for \"%s\" (%zu bytes%s)", bl->attempt,
                       bl->local_port, bl->filename, g_bytes_get_size (bl->last_sent),
                       fr_device_get_faults (bl->dev)->old_bootloader_no_crc
                         ? ", old bootloader: no CRC field" : "");
  send_udp (bl, bl->last_sent, bl->server_rrq_port);
  arm_timer (bl, bl->first_timeout_ms);
}

/* Everything again: new port, new ARP, new request, empty buffer. */
static void
restart (FrBootloader *bl, const char *why)
{
  fr_device_log_event (bl->dev, "bootloader", "restart (%s)", why);
  stop_timer (bl);
  retire_udp (bl);
  bl->locked = FALSE;
  bl->server_port = 0;
  bl->have_last = FALSE;
  bl->last_block = 0;
  bl->timeouts = 0;
  bl->timers_stopped = FALSE;
  bl->received = 0;
  bl->n_blocks = 0;
  g_byte_array_set_size (bl->ram, 0);
  arp_start (bl);
}

/* ---- ARP ---------------------------------------------------------------- */

typedef struct __attribute__ ((packed)) {
  guint16 htype, ptype;
  guint8  hlen, plen;
  guint16 op;
  guint8  sha[6], spa[4], tha[6], tpa[4];
} ArpPacket;

static void
arp_send (FrBootloader *bl)
{
  ArpPacket a = { 0 };
  struct sockaddr_ll to = { 0 };

  a.htype = htons (1);
  a.ptype = htons (ETH_P_IP);
  a.hlen = 6;
  a.plen = 4;
  a.op = htons (1);
  memcpy (a.sha, bl->hwaddr, 6);
  inet_pton (AF_INET, ROUTER_IP, a.spa);
  inet_pton (AF_INET, SERVER_IP, a.tpa);
  to.sll_family = AF_PACKET;
  to.sll_protocol = htons (ETH_P_ARP);
  to.sll_ifindex = bl->ifindex;
  to.sll_halen = 6;
  memset (to.sll_addr, 0xff, 6);
  if (sendto (g_socket_get_fd (bl->arp.socket), &a, sizeof a, 0, (struct sockaddr *) &to,
              sizeof to) < 0)
    fr_device_log_event (bl->dev, "bootloader", "ARP send failed: %s", g_strerror (errno));
}

static gboolean
arp_timer_cb (gpointer data)
{
  FrBootloader *bl = data;

  if (++bl->arp_tries > ARP_TRIES)
    {
      fr_device_log_event (bl->dev, "bootloader", "no ARP reply after %u tries: start again",
                           ARP_TRIES);
      bl->arp_tries = 1;
    }
  arp_send (bl);
  return G_SOURCE_CONTINUE;
}

static gboolean
arp_readable_cb (GSocket *socket, GIOCondition condition, gpointer data)
{
  FrBootloader *bl = data;
  ArpPacket a;
  guint8 server[4];

  inet_pton (AF_INET, SERVER_IP, server);
  for (;;)
    {
      gssize n = recv (g_socket_get_fd (socket), &a, sizeof a, MSG_DONTWAIT);

      if (n < 0)
        break;
      if (bl->phase != PHASE_ARP || n < (gssize) sizeof a || ntohs (a.op) != 2
          || memcmp (a.spa, server, 4) != 0)
        continue;
      fr_device_log_event (bl->dev, "bootloader",
                           "ARP reply: %s is at %02x:%02x:%02x:%02x:%02x:%02x", SERVER_IP,
                           a.sha[0], a.sha[1], a.sha[2], a.sha[3], a.sha[4], a.sha[5]);
      g_clear_handle_id (&bl->arp_timer, g_source_remove);
      send_request (bl);
      break;
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
open_arp (FrBootloader *bl, GError **error)
{
  struct sockaddr_ll sll = { 0 };
  struct ifreq ifr = { 0 };
  int fd;

  bl->ifindex = (int) if_nametoindex (bl->ifname);
  if (bl->ifindex == 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "interface %s: %s",
                   bl->ifname, g_strerror (errno));
      return FALSE;
    }
  fd = socket (AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, htons (ETH_P_ARP));
  if (fd < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "ARP socket: %s",
                   g_strerror (errno));
      return FALSE;
    }
  g_strlcpy (ifr.ifr_name, bl->ifname, sizeof ifr.ifr_name);
  sll.sll_family = AF_PACKET;
  sll.sll_protocol = htons (ETH_P_ARP);
  sll.sll_ifindex = bl->ifindex;
  if (ioctl (fd, SIOCGIFHWADDR, &ifr) < 0
      || bind (fd, (struct sockaddr *) &sll, sizeof sll) < 0)
    {
      int saved = errno;
      close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "ARP socket on %s: %s",
                   bl->ifname, g_strerror (saved));
      return FALSE;
    }
  memcpy (bl->hwaddr, ifr.ifr_hwaddr.sa_data, 6);
  bl->arp.socket = g_socket_new_from_fd (fd, error);
  if (bl->arp.socket == NULL)
    {
      close (fd);
      return FALSE;
    }
  bl->arp.source = g_socket_create_source (bl->arp.socket, G_IO_IN, NULL);
  g_source_set_callback (bl->arp.source, G_SOURCE_FUNC (arp_readable_cb), bl, NULL);
  g_source_attach (bl->arp.source, NULL);
  return TRUE;
}

static void
arp_start (FrBootloader *bl)
{
  if (bl->loopback || bl->arp.socket == NULL)
    {
      /* No Ethernet to ARP on: straight to the request. */
      send_request (bl);
      return;
    }
  bl->phase = PHASE_ARP;
  bl->arp_tries = 1;
  fr_device_log_event (bl->dev, "bootloader", "ARP who-has %s tell %s", SERVER_IP, ROUTER_IP);
  arp_send (bl);
  g_clear_handle_id (&bl->arp_timer, g_source_remove);
  bl->arp_timer = g_timeout_add (ARP_INTERVAL_MS, arp_timer_cb, bl);
}

/* ---- life cycle --------------------------------------------------------- */

FrBootloader *
fr_bootloader_start (FrDevice *dev, GError **error)
{
  const FrFaults *faults = fr_device_get_faults (dev);
  FrBootloader *bl = g_new0 (FrBootloader, 1);
  const char *const addrs[] = { ROUTER_CIDR, NULL };

  bl->dev = dev;
  bl->cancellable = g_cancellable_new ();
  bl->loopback = fr_device_is_loopback (dev);
  bl->ifname = g_strdup (fr_device_get_interface (dev));
  bl->disable_ipv6_saved = -1;
  bl->old = g_ptr_array_new_with_free_func (endpoint_free);
  bl->ram = g_byte_array_new ();
  bl->mac12 = fr_device_factory_mac12 (dev);
  bl->filename = g_strdup (bl->mac12);
  bl->crc = bootloader_crc (dev);
  bl->first_timeout_ms = env_ms ("MPF_FR_TFTP_FIRST_TIMEOUT_MS", FR_BOOTLOADER_FIRST_TIMEOUT_MS);
  bl->timeout_ms = env_ms ("MPF_FR_TFTP_TIMEOUT_MS", FR_BOOTLOADER_TIMEOUT_MS);
  bl->server_ip = g_inet_address_new_from_string (bl->loopback ? "127.0.0.1" : SERVER_IP);
  bl->server_rrq_port = bl->loopback ? (guint16) env_ms ("MPF_FR_TFTP_SERVER_PORT", TFTP_PORT)
                                     : TFTP_PORT;

  set_disable_ipv6 (bl, 1);
  if (faults->dead_ethernet)
    {
      /* Nothing ever leaves, nothing is answered: no address, no socket. */
      fr_device_set_addresses (dev, NULL, NULL);
      fr_device_log_event (dev, "bootloader",
                           "recovery with dead Ethernet (fault): nothing will be sent or answered");
      bl->phase = PHASE_HALTED;
      return bl;
    }
  if (!fr_device_set_addresses (dev, addrs, error)
      || (!bl->loopback && !open_arp (bl, error)))
    {
      fr_bootloader_stop (bl);
      return NULL;
    }
  fr_device_log_event (dev, "bootloader",
                       "recovery: %s, server %s, MAC %s, CRC %" G_GINT32_FORMAT
                       ", timeouts %u/%u ms",
                       ROUTER_CIDR, SERVER_IP, bl->mac12, bl->crc, bl->first_timeout_ms,
                       bl->timeout_ms);
  arp_start (bl);
  return bl;
}

void
fr_bootloader_stop (FrBootloader *bl)
{
  if (bl == NULL)
    return;
  g_cancellable_cancel (bl->cancellable);
  stop_timer (bl);
  g_clear_handle_id (&bl->arp_timer, g_source_remove);
  endpoint_close (&bl->udp);
  endpoint_close (&bl->arp);
  g_ptr_array_unref (bl->old);
  set_disable_ipv6 (bl, -1);
  g_clear_object (&bl->cancellable);
  g_clear_object (&bl->server_ip);
  g_clear_pointer (&bl->last_sent, g_bytes_unref);
  g_byte_array_unref (bl->ram);
  fr_container_free (bl->container);
  g_free (bl->ifname);
  g_free (bl->mac12);
  g_free (bl->filename);
  g_free (bl);
}
