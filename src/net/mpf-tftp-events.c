#include "config.h"

#include "mpf-tftp-events.h"

#define EVENTS_KEY "mpf-tftp-events"

typedef struct {
  MpfTftpEventFunc emit;
  gpointer         user_data;
} Events;

static void
add_request (JsonObject *o, const MpfTftpRequest *r)
{
  json_object_set_string_member (o, "file", r->filename);
  json_object_set_string_member (o, "mode", r->mode);
  if (r->mac12 != NULL)
    json_object_set_string_member (o, "mac", r->mac12);
  if (r->has_crc)
    json_object_set_int_member (o, "crc", r->crc);
  json_object_set_string_member (o, "peer", r->peer_address);
  json_object_set_int_member (o, "port", r->peer_port);
  if (r->blksize)
    json_object_set_int_member (o, "blksize", r->blksize);
  if (r->windowsize)
    json_object_set_int_member (o, "windowsize", r->windowsize);
  if (r->timeout_s)
    json_object_set_int_member (o, "timeout", r->timeout_s);
  if (r->tsize)
    json_object_set_boolean_member (o, "tsize", TRUE);
}

static void
add_progress (JsonObject *o, const MpfTftpProgress *p)
{
  json_object_set_int_member (o, "bytes", (gint64) p->bytes_acked);
  json_object_set_int_member (o, "total", (gint64) p->total_bytes);
  json_object_set_int_member (o, "blocks", (gint64) p->blocks_acked);
  json_object_set_int_member (o, "total_blocks", (gint64) p->total_blocks);
  json_object_set_int_member (o, "retransmissions", p->retransmissions);
  json_object_set_int_member (o, "restarts", p->restarts);
  json_object_set_int_member (o, "elapsed_us", p->now_us - p->started_us);
}

static void
request_cb (MpfTftpEngine *engine, const MpfTftpRequest *r, Events *ev)
{
  g_autoptr(JsonObject) o = json_object_new ();

  add_request (o, r);
  ev->emit ("tftp-request", o, ev->user_data);
}

static void
restart_cb (MpfTftpEngine *engine, const MpfTftpRequest *r, guint restarts, Events *ev)
{
  g_autoptr(JsonObject) o = json_object_new ();

  add_request (o, r);
  json_object_set_int_member (o, "restarts", restarts);
  ev->emit ("tftp-restart", o, ev->user_data);
}

static void
progress_cb (MpfTftpEngine *engine, const MpfTftpProgress *p, Events *ev)
{
  g_autoptr(JsonObject) o = json_object_new ();

  add_progress (o, p);
  ev->emit ("tftp-progress", o, ev->user_data);
}

static void
complete_cb (MpfTftpEngine *engine, const MpfTftpProgress *p, Events *ev)
{
  g_autoptr(JsonObject) o = json_object_new ();

  add_progress (o, p);
  ev->emit ("tftp-complete", o, ev->user_data);
}

static void
flash_done_cb (MpfTftpEngine *engine, const char *mac12, Events *ev)
{
  g_autoptr(JsonObject) o = json_object_new ();

  json_object_set_string_member (o, "mac", mac12);
  ev->emit ("tftp-flash-done", o, ev->user_data);
}

static void
unsupported_cb (MpfTftpEngine *engine, const MpfTftpRequest *r, Events *ev)
{
  g_autoptr(JsonObject) o = json_object_new ();

  add_request (o, r);
  ev->emit ("tftp-unsupported-bootloader", o, ev->user_data);
}

static const char *
refusal_name (MpfTftpRefusal why)
{
  switch (why)
    {
    case MPF_TFTP_REFUSAL_WRITE_REQUEST:      return "write-request";
    case MPF_TFTP_REFUSAL_WRONG_FILE:         return "wrong-file";
    case MPF_TFTP_REFUSAL_BAD_MODE:           return "bad-mode";
    case MPF_TFTP_REFUSAL_MAC_ALREADY_SERVED: return "mac-already-served";
    case MPF_TFTP_REFUSAL_BUSY:               return "busy";
    default:                                  return "other";
    }
}

static void
refused_cb (MpfTftpEngine *engine, const MpfTftpRequest *r, MpfTftpRefusal why, Events *ev)
{
  g_autoptr(JsonObject) o = json_object_new ();

  add_request (o, r);
  json_object_set_string_member (o, "reason", refusal_name (why));
  ev->emit ("tftp-refused", o, ev->user_data);
}

static void
error_cb (MpfTftpEngine *engine, const GError *error, Events *ev)
{
  g_autoptr(JsonObject) o = json_object_new ();
  const char *code = "failed";

  if (error->domain == MPF_TFTP_ERROR)
    switch (error->code)
      {
      case MPF_TFTP_ERROR_TIMEOUT:            code = "timeout"; break;
      case MPF_TFTP_ERROR_PEER_ERROR:         code = "peer-error"; break;
      case MPF_TFTP_ERROR_FLASH_DONE_TIMEOUT: code = "flash-done-timeout"; break;
      default: break;
      }
  json_object_set_string_member (o, "code", code);
  json_object_set_string_member (o, "message", error->message);
  ev->emit ("tftp-error", o, ev->user_data);
}

void
mpf_tftp_events_connect (MpfTftpEngine *engine, MpfTftpEventFunc emit, gpointer user_data)
{
  Events *ev = g_new0 (Events, 1);

  g_return_if_fail (MPF_IS_TFTP_ENGINE (engine));
  ev->emit = emit;
  ev->user_data = user_data;
  /* The engine owns the record: the handlers never outlive it. */
  g_object_set_data_full (G_OBJECT (engine), EVENTS_KEY, ev, g_free);
  g_signal_connect (engine, "request", G_CALLBACK (request_cb), ev);
  g_signal_connect (engine, "restart", G_CALLBACK (restart_cb), ev);
  g_signal_connect (engine, "progress", G_CALLBACK (progress_cb), ev);
  g_signal_connect (engine, "transfer-complete", G_CALLBACK (complete_cb), ev);
  g_signal_connect (engine, "flash-done", G_CALLBACK (flash_done_cb), ev);
  g_signal_connect (engine, "unsupported-bootloader", G_CALLBACK (unsupported_cb), ev);
  g_signal_connect (engine, "refused", G_CALLBACK (refused_cb), ev);
  g_signal_connect (engine, "error", G_CALLBACK (error_cb), ev);
}

void
mpf_tftp_events_disconnect (MpfTftpEngine *engine)
{
  Events *ev;

  g_return_if_fail (MPF_IS_TFTP_ENGINE (engine));
  ev = g_object_get_data (G_OBJECT (engine), EVENTS_KEY);
  if (ev == NULL)
    return;
  g_signal_handlers_disconnect_by_data (engine, ev);
  g_object_set_data (G_OBJECT (engine), EVENTS_KEY, NULL);
}
