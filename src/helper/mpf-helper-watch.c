#include "config.h"

#include "mpf-helper-watch.h"
#include "mpf-helper-frame.h"

#include <arpa/inet.h>
#include <glib-unix.h>
#include <glib/gi18n.h>
#include <pcap/pcap.h>
#include <stdio.h>

/* The same observation is reported at most this often: the bootloader
 * repeats its ARP many times a second. */
#define SEEN_REPEAT_US (G_USEC_PER_SEC)
#define SEEN_TABLE_MAX 256

struct _MpfHelperWatch {
  MpfHelperIface iface;
  MpfHelperSink  sink;
  pcap_t        *pcap;
  guint          source;
  gboolean       started;
  MpfHelperCapture *capture; /* not owned; NULL until capture-start */
  GHashTable    *last_seen; /* key string -> gint64 time */
};

static void
report (MpfHelperWatch *self, const MpfHelperSeen *seen)
{
  g_autoptr(JsonObject) o = json_object_new ();
  char mac[18], ip[INET_ADDRSTRLEN], target[INET_ADDRSTRLEN];
  g_autofree char *key = NULL;
  gint64 now = g_get_monotonic_time ();
  gpointer last;

  g_snprintf (mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x",
              seen->mac[0], seen->mac[1], seen->mac[2],
              seen->mac[3], seen->mac[4], seen->mac[5]);
  inet_ntop (AF_INET, &seen->ip, ip, sizeof ip);
  inet_ntop (AF_INET, &seen->target, target, sizeof target);

  key = g_strdup_printf ("%s|%s|%d|%s|%u|%s", mac, ip, seen->kind, target,
                         seen->src_port, seen->file);
  if (g_hash_table_lookup_extended (self->last_seen, key, NULL, &last)
      && now - *(gint64 *) last < SEEN_REPEAT_US)
    return;
  if (g_hash_table_size (self->last_seen) >= SEEN_TABLE_MAX)
    g_hash_table_remove_all (self->last_seen);
  g_hash_table_insert (self->last_seen, g_steal_pointer (&key), g_memdup2 (&now, sizeof now));

  json_object_set_string_member (o, "kind", mpf_helper_seen_kind_name (seen->kind));
  json_object_set_string_member (o, "mac", mac);
  json_object_set_string_member (o, "ip", ip);
  switch (seen->kind)
    {
    case MPF_HELPER_SEEN_ARP_REQUEST:
    case MPF_HELPER_SEEN_ARP_REPLY:
      json_object_set_string_member (o, "target", target);
      break;
    case MPF_HELPER_SEEN_TFTP_RRQ:
      json_object_set_string_member (o, "file", seen->file);
      json_object_set_int_member (o, "port", seen->src_port);
      json_object_set_int_member (o, "fields", seen->n_fields);
      break;
    case MPF_HELPER_SEEN_IPV4:
    case MPF_HELPER_SEEN_NONE:
    default:
      break;
    }
  self->sink.emit ("seen", o, self->sink.user_data);
}

static void
packet_cb (u_char *user, const struct pcap_pkthdr *hdr, const u_char *bytes)
{
  MpfHelperWatch *self = (MpfHelperWatch *) user;
  MpfHelperSeen seen;

  if (self->capture != NULL)
    mpf_helper_capture_add (self->capture, hdr, bytes);
  /* The classifier ignores our own frames (seen once capturing). */
  if (self->started && mpf_helper_frame_classify (bytes, hdr->caplen, self->iface.mac, &seen))
    report (self, &seen);
}

static gboolean
readable_cb (int fd, GIOCondition cond, gpointer user_data)
{
  MpfHelperWatch *self = user_data;

  if (cond & (G_IO_ERR | G_IO_HUP | G_IO_NVAL))
    goto fail;
  /* Drain what is queued; unstarted watches still read so the kernel
   * buffer does not fill with stale frames. */
  if (pcap_dispatch (self->pcap, 64, packet_cb, (u_char *) self) == PCAP_ERROR)
    goto fail;
  return G_SOURCE_CONTINUE;

fail:
  self->source = 0;
  self->sink.fatal (_("Packet capture stopped (was the interface removed?)"), self->sink.user_data);
  return G_SOURCE_REMOVE;
}

MpfHelperWatch *
mpf_helper_watch_open (const MpfHelperIface *iface,
                       const MpfHelperSink  *sink,
                       GError              **error)
{
  char errbuf[PCAP_ERRBUF_SIZE] = "";
  struct bpf_program prog;
  MpfHelperWatch *self;
  pcap_t *p;
  int fd;

  p = pcap_create (iface->name, errbuf);
  if (p == NULL)
    goto fail;
  pcap_set_snaplen (p, MPF_HELPER_CAPTURE_SNAPLEN);
  /* Promiscuous: the router's frames to other hosts still reveal it. */
  pcap_set_promisc (p, 1);
  pcap_set_immediate_mode (p, 1);
  if (pcap_activate (p) < 0)
    {
      g_strlcpy (errbuf, pcap_geterr (p), sizeof errbuf);
      goto fail;
    }
  /* Frames we send (probes, TFTP) are not news; the session capture
   * turns both directions on (mpf_helper_watch_set_capture). */
  pcap_setdirection (p, PCAP_D_IN);
  if (pcap_compile (p, &prog, "arp or ip", 1, PCAP_NETMASK_UNKNOWN) < 0)
    {
      g_strlcpy (errbuf, pcap_geterr (p), sizeof errbuf);
      goto fail;
    }
  if (pcap_setfilter (p, &prog) < 0)
    {
      pcap_freecode (&prog);
      g_strlcpy (errbuf, pcap_geterr (p), sizeof errbuf);
      goto fail;
    }
  pcap_freecode (&prog);
  if (pcap_setnonblock (p, 1, errbuf) < 0 || (fd = pcap_get_selectable_fd (p)) < 0)
    goto fail;

  self = g_new0 (MpfHelperWatch, 1);
  self->iface = *iface;
  self->sink = *sink;
  self->pcap = p;
  self->last_seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->source = g_unix_fd_add (fd, G_IO_IN | G_IO_ERR | G_IO_HUP, readable_cb, self);
  return self;

fail:
  if (p != NULL)
    pcap_close (p);
  g_set_error (error, MPF_HELPER_ERROR, MPF_HELPER_ERROR_FAILED,
               _("Could not capture on %s: %s"), iface->name, errbuf);
  return NULL;
}

void
mpf_helper_watch_start (MpfHelperWatch *self)
{
  self->started = TRUE;
}

void
mpf_helper_watch_set_capture (MpfHelperWatch *self, MpfHelperCapture *capture)
{
  self->capture = capture;
  /* Only sets a flag in libpcap (Linux filters the direction in user
   * space): no privilege needed after the handle is open. */
  pcap_setdirection (self->pcap, capture != NULL ? PCAP_D_INOUT : PCAP_D_IN);
}

gboolean
mpf_helper_watch_probe (MpfHelperWatch *self,
                        guint           mask,
                        guint          *n_sent,
                        GError        **error)
{
  const char *const *targets = mpf_helper_probe_targets ();

  *n_sent = 0;
  for (guint i = 0; targets[i] != NULL; i++)
    {
      guint8 frame[MPF_HELPER_ARP_PROBE_LEN];
      struct in_addr in;

      if (!(mask & (1u << i)))
        continue;
      inet_pton (AF_INET, targets[i], &in);
      mpf_helper_frame_build_arp_probe (self->iface.mac, in.s_addr, frame);
      if (pcap_inject (self->pcap, frame, sizeof frame) < 0)
        {
          g_set_error (error, MPF_HELPER_ERROR, MPF_HELPER_ERROR_FAILED,
                       _("Could not send an ARP probe on %s: %s"),
                       self->iface.name, pcap_geterr (self->pcap));
          return FALSE;
        }
      (*n_sent)++;
    }
  return TRUE;
}

void
mpf_helper_watch_free (MpfHelperWatch *self)
{
  if (self == NULL)
    return;
  if (self->source != 0)
    g_source_remove (self->source);
  pcap_close (self->pcap);
  g_hash_table_unref (self->last_seen);
  g_free (self);
}
