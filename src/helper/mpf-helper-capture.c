#include "config.h"

#include "mpf-helper-capture.h"
#include "mpf-helper-protocol.h"
#include "mpf-helper-redact.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Per stored frame: the size a pcap file spends on its record header. */
#define RECORD_OVERHEAD 16

typedef struct {
  struct pcap_pkthdr hdr;
  guint8             data[];
} Record;

struct _MpfHelperCapture {
  guint8   own_mac[6];
  GQueue   head;        /* Record*, kept for good */
  GQueue   tail;        /* Record*, oldest first give way */
  gsize    head_bytes;
  gsize    tail_bytes;
  guint64  dropped;
  guint64  redacted;
};

MpfHelperCapture *
mpf_helper_capture_new (const guint8 own_mac[6])
{
  MpfHelperCapture *self = g_new0 (MpfHelperCapture, 1);

  memcpy (self->own_mac, own_mac, 6);
  g_queue_init (&self->head);
  g_queue_init (&self->tail);
  return self;
}

static gsize
record_size (const Record *r)
{
  return RECORD_OVERHEAD + r->hdr.caplen;
}

void
mpf_helper_capture_add (MpfHelperCapture         *self,
                        const struct pcap_pkthdr *hdr,
                        const guint8             *bytes)
{
  gsize len = MIN (hdr->caplen, MPF_HELPER_CAPTURE_SNAPLEN);
  g_autofree guint8 *copy = g_memdup2 (bytes, len);
  gsize keep;
  Record *r;

  /* Redact the whole frame first (a secret may sit past the cut), then
   * cut: what is stored never held a secret. */
  if (mpf_helper_redact_frame (copy, len) > 0)
    self->redacted++;
  keep = mpf_helper_capture_keep (copy, len, self->own_mac);

  r = g_malloc (sizeof *r + keep);
  r->hdr.ts = hdr->ts;
  r->hdr.caplen = (bpf_u_int32) keep;
  r->hdr.len = hdr->len;
  memcpy (r->data, copy, keep);

  if (self->head_bytes + record_size (r) <= MPF_HELPER_CAPTURE_HEAD && self->tail.length == 0)
    {
      g_queue_push_tail (&self->head, r);
      self->head_bytes += record_size (r);
      return;
    }
  g_queue_push_tail (&self->tail, r);
  self->tail_bytes += record_size (r);
  while (self->head_bytes + self->tail_bytes > MPF_HELPER_CAPTURE_MAX && self->tail.length > 1)
    {
      Record *old = g_queue_pop_head (&self->tail);

      self->tail_bytes -= record_size (old);
      self->dropped++;
      g_free (old);
    }
}

static void
dump_queue (GQueue *q, pcap_dumper_t *dumper)
{
  for (GList *l = q->head; l != NULL; l = l->next)
    {
      Record *r = l->data;

      pcap_dump ((u_char *) dumper, &r->hdr, r->data);
    }
}

GBytes *
mpf_helper_capture_dump (MpfHelperCapture *self, GError **error)
{
  pcap_t *dead = pcap_open_dead (DLT_EN10MB, MPF_HELPER_CAPTURE_SNAPLEN);
  pcap_dumper_t *dumper;
  char *buf = NULL;
  size_t size = 0;
  FILE *f;

  if (dead == NULL || (f = open_memstream (&buf, &size)) == NULL)
    goto fail;
  dumper = pcap_dump_fopen (dead, f);
  if (dumper == NULL)
    {
      fclose (f);
      free (buf);
      goto fail;
    }
  dump_queue (&self->head, dumper);
  dump_queue (&self->tail, dumper);
  /* Closes the memstream, which makes buf/size final. */
  pcap_dump_close (dumper);
  pcap_close (dead);
  {
    GBytes *bytes = g_bytes_new (buf, size);

    free (buf);
    return bytes;
  }

fail:
  if (dead != NULL)
    pcap_close (dead);
  g_set_error_literal (error, MPF_HELPER_ERROR, MPF_HELPER_ERROR_FAILED,
                       _("Could not write the packet capture"));
  return NULL;
}

guint
mpf_helper_capture_get_packets (MpfHelperCapture *self)
{
  return self->head.length + self->tail.length;
}

guint64
mpf_helper_capture_get_dropped (MpfHelperCapture *self)
{
  return self->dropped;
}

guint64
mpf_helper_capture_get_redacted (MpfHelperCapture *self)
{
  return self->redacted;
}

void
mpf_helper_capture_free (MpfHelperCapture *self)
{
  if (self == NULL)
    return;
  g_queue_clear_full (&self->head, g_free);
  g_queue_clear_full (&self->tail, g_free);
  g_free (self);
}
