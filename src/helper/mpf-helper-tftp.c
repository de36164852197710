#include "config.h"

#include "mpf-helper-tftp.h"
#include "mpf-tftp-events.h"

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

static void
emit_cb (const char *event, JsonObject *o, gpointer user_data)
{
  MpfHelperTftp *self = user_data;

  self->sink.emit (event, o, self->sink.user_data);
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
  /* Engine signals become protocol events (PROTOCOL.md, "TFTP events"). */
  mpf_tftp_events_connect (self->engine, emit_cb, self);
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
      mpf_tftp_events_disconnect (self->engine);
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
