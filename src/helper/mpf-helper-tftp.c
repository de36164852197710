#include "config.h"

#include "mpf-helper-tftp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <glib-unix.h>
#include <glib/gi18n.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct _MpfHelperTftp {
  MpfHelperIface iface;
  MpfHelperSink  sink;
  char           ip[INET_ADDRSTRLEN];
  int            fd[2];       /* indexed by MpfTftpSocket */
  guint          watch[2];
  GSource       *timer;       /* fires at the engine's next deadline */
  MpfTftpEngine *engine;
};

static void
schedule (MpfHelperTftp *self)
{
  gint64 deadline = self->engine != NULL ? mpf_tftp_engine_get_next_deadline (self->engine) : -1;

  g_source_set_ready_time (self->timer, deadline);
}

static gboolean
timer_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  g_source_set_ready_time (source, -1);
  return callback (user_data);
}

static GSourceFuncs timer_funcs = { .dispatch = timer_dispatch };

static gboolean
timer_cb (gpointer user_data)
{
  MpfHelperTftp *self = user_data;

  if (self->engine != NULL)
    {
      g_autoptr(MpfTftpEngine) engine = g_object_ref (self->engine);

      mpf_tftp_engine_tick (engine, g_get_monotonic_time ());
    }
  schedule (self);
  return G_SOURCE_CONTINUE;
}

static void
send_cb (MpfTftpSocket from, guint transfer_id, const char *address, guint16 port,
         const guint8 *data, gsize len, gpointer user_data)
{
  MpfHelperTftp *self = user_data;
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons (port) };

  if (inet_pton (AF_INET, address, &sa.sin_addr) != 1)
    return;
  /* A lost datagram is the engine's business (it resends); nothing to do. */
  (void) sendto (self->fd[from], data, len, 0, (struct sockaddr *) &sa, sizeof sa);
}

static gboolean
readable_cb (int fd, GIOCondition cond, gpointer user_data)
{
  MpfHelperTftp *self = user_data;
  static guint8 buf[65536];

  for (;;)
    {
      struct sockaddr_in sa;
      socklen_t salen = sizeof sa;
      char peer[INET_ADDRSTRLEN];
      ssize_t n = recvfrom (fd, buf, sizeof buf, 0, (struct sockaddr *) &sa, &salen);

      if (n < 0)
        {
          if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
            break;
          /* ICMP port unreachable from a vanished client: not fatal. */
          if (errno == ECONNREFUSED || errno == EHOSTUNREACH || errno == ENETUNREACH)
            continue;
          self->sink.fatal (_("The TFTP socket failed"), self->sink.user_data);
          return G_SOURCE_REMOVE;
        }
      if (self->engine == NULL || sa.sin_family != AF_INET)
        continue;
      inet_ntop (AF_INET, &sa.sin_addr, peer, sizeof peer);
      {
        g_autoptr(MpfTftpEngine) engine = g_object_ref (self->engine);

        mpf_tftp_engine_receive (engine, buf, (gsize) n, peer, ntohs (sa.sin_port),
                                 g_get_monotonic_time ());
      }
    }
  schedule (self);
  return G_SOURCE_CONTINUE;
}

static int
open_socket (const MpfHelperIface *iface, const char *ip, guint16 port, GError **error)
{
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons (port) };
  int fd, one = 1;

  inet_pton (AF_INET, ip, &sa.sin_addr);
  fd = socket (AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    goto fail;
  /* Only the peer on the chosen interface is served. */
  if (setsockopt (fd, SOL_SOCKET, SO_BINDTODEVICE, iface->name, (socklen_t) strlen (iface->name)) < 0)
    goto fail;
  setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind (fd, (struct sockaddr *) &sa, sizeof sa) < 0)
    goto fail;
  return fd;

fail:
  {
    int err = errno;

    if (fd >= 0)
      close (fd);
    if (err == EADDRNOTAVAIL)
      g_set_error (error, MPF_HELPER_ERROR, MPF_HELPER_ERROR_STATE,
                   _("%s is not configured on %s: add the address first"), ip, iface->name);
    else
      g_set_error (error, MPF_HELPER_ERROR, MPF_HELPER_ERROR_FAILED,
                   _("Could not open the TFTP port on %s:%u: %s"), ip, port, g_strerror (err));
    return -1;
  }
}

MpfHelperTftp *
mpf_helper_tftp_open (const MpfHelperIface *iface,
                      const char           *ip,
                      const MpfHelperSink  *sink,
                      GError              **error)
{
  MpfHelperTftp *self;
  int lfd, tfd;

  lfd = open_socket (iface, ip, MPF_TFTP_PORT, error);
  if (lfd < 0)
    return NULL;
  tfd = open_socket (iface, ip, 0, error);
  if (tfd < 0)
    {
      close (lfd);
      return NULL;
    }

  self = g_new0 (MpfHelperTftp, 1);
  self->iface = *iface;
  self->sink = *sink;
  g_strlcpy (self->ip, ip, sizeof self->ip);
  self->fd[MPF_TFTP_SOCKET_LISTEN] = lfd;
  self->fd[MPF_TFTP_SOCKET_TRANSFER] = tfd;
  for (int i = 0; i < 2; i++)
    self->watch[i] = g_unix_fd_add (self->fd[i], G_IO_IN, readable_cb, self);
  self->timer = g_source_new (&timer_funcs, sizeof (GSource));
  g_source_set_callback (self->timer, timer_cb, self, NULL);
  g_source_set_ready_time (self->timer, -1);
  g_source_attach (self->timer, NULL);
  return self;
}

const char *
mpf_helper_tftp_get_ip (MpfHelperTftp *self)
{
  return self->ip;
}

/* Engine signals become protocol events (PROTOCOL.md, "TFTP events"). */

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
request_cb (MpfTftpEngine *engine, const MpfTftpRequest *r, MpfHelperTftp *self)
{
  g_autoptr(JsonObject) o = json_object_new ();

  add_request (o, r);
  self->sink.emit ("tftp-request", o, self->sink.user_data);
}

static void
restart_cb (MpfTftpEngine *engine, const MpfTftpRequest *r, guint restarts, MpfHelperTftp *self)
{
  g_autoptr(JsonObject) o = json_object_new ();

  add_request (o, r);
  json_object_set_int_member (o, "restarts", restarts);
  self->sink.emit ("tftp-restart", o, self->sink.user_data);
}

static void
progress_cb (MpfTftpEngine *engine, const MpfTftpProgress *p, MpfHelperTftp *self)
{
  g_autoptr(JsonObject) o = json_object_new ();

  add_progress (o, p);
  self->sink.emit ("tftp-progress", o, self->sink.user_data);
}

static void
complete_cb (MpfTftpEngine *engine, const MpfTftpProgress *p, MpfHelperTftp *self)
{
  g_autoptr(JsonObject) o = json_object_new ();

  add_progress (o, p);
  self->sink.emit ("tftp-complete", o, self->sink.user_data);
}

static void
flash_done_cb (MpfTftpEngine *engine, const char *mac12, MpfHelperTftp *self)
{
  g_autoptr(JsonObject) o = json_object_new ();

  json_object_set_string_member (o, "mac", mac12);
  self->sink.emit ("tftp-flash-done", o, self->sink.user_data);
}

static void
unsupported_cb (MpfTftpEngine *engine, const MpfTftpRequest *r, MpfHelperTftp *self)
{
  g_autoptr(JsonObject) o = json_object_new ();

  add_request (o, r);
  self->sink.emit ("tftp-unsupported-bootloader", o, self->sink.user_data);
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
refused_cb (MpfTftpEngine *engine, const MpfTftpRequest *r, MpfTftpRefusal why, MpfHelperTftp *self)
{
  g_autoptr(JsonObject) o = json_object_new ();

  add_request (o, r);
  json_object_set_string_member (o, "reason", refusal_name (why));
  self->sink.emit ("tftp-refused", o, self->sink.user_data);
}

static void
error_cb (MpfTftpEngine *engine, const GError *error, MpfHelperTftp *self)
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
  self->sink.emit ("tftp-error", o, self->sink.user_data);
}

gboolean
mpf_helper_tftp_start (MpfHelperTftp *self,
                       MpfTftpMode    mode,
                       GBytes        *bytes,
                       GError       **error)
{
  if (self->engine != NULL)
    {
      g_set_error_literal (error, MPF_HELPER_ERROR, MPF_HELPER_ERROR_STATE,
                           _("Already serving; stop first"));
      return FALSE;
    }
  self->engine = mpf_tftp_engine_new (mode, bytes);
  mpf_tftp_engine_set_send_func (self->engine, send_cb, self, NULL);
  g_signal_connect (self->engine, "request", G_CALLBACK (request_cb), self);
  g_signal_connect (self->engine, "restart", G_CALLBACK (restart_cb), self);
  g_signal_connect (self->engine, "progress", G_CALLBACK (progress_cb), self);
  g_signal_connect (self->engine, "transfer-complete", G_CALLBACK (complete_cb), self);
  g_signal_connect (self->engine, "flash-done", G_CALLBACK (flash_done_cb), self);
  g_signal_connect (self->engine, "unsupported-bootloader", G_CALLBACK (unsupported_cb), self);
  g_signal_connect (self->engine, "refused", G_CALLBACK (refused_cb), self);
  g_signal_connect (self->engine, "error", G_CALLBACK (error_cb), self);
  schedule (self);
  return TRUE;
}

gboolean
mpf_helper_tftp_is_serving (MpfHelperTftp *self)
{
  return self->engine != NULL;
}

void
mpf_helper_tftp_stop (MpfHelperTftp *self)
{
  if (self->engine != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->engine, self);
      g_clear_object (&self->engine);
    }
  schedule (self);
}

void
mpf_helper_tftp_free (MpfHelperTftp *self)
{
  if (self == NULL)
    return;
  mpf_helper_tftp_stop (self);
  g_source_destroy (self->timer);
  g_source_unref (self->timer);
  for (int i = 0; i < 2; i++)
    {
      g_source_remove (self->watch[i]);
      close (self->fd[i]);
    }
  g_free (self);
}
