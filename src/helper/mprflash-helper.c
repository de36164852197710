/* mprflash-helper: the only privileged program of mprflash. Reads one JSON
 * request per line on stdin, answers and reports events on stdout (see
 * PROTOCOL.md). On stdin EOF, quit, SIGTERM/SIGINT/SIGHUP or a fatal error
 * it removes every address it added and closes every socket. */

#include "config.h"

#include <errno.h>
#include <glib-unix.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "mpf-helper-caps.h"
#include "mpf-helper-netlink.h"
#include "mpf-helper-protocol.h"
#include "mpf-helper-session.h"

typedef struct {
  GMainLoop        *loop;
  MpfHelperSession *session;
  GByteArray       *inbuf;
  gboolean          discarding; /* inside an over-long line */
  int               exit_code;
} Helper;

static void
write_all (Helper *h, const char *line)
{
  gsize len = strlen (line);

  while (len > 0)
    {
      ssize_t n = write (STDOUT_FILENO, line, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          /* The client is gone: nobody to serve, undo everything. */
          h->exit_code = 1;
          g_main_loop_quit (h->loop);
          return;
        }
      line += n;
      len -= (gsize) n;
    }
}

static void
output_cb (const char *line, gpointer user_data)
{
  write_all (user_data, line);
}

static void
fatal_cb (gpointer user_data)
{
  Helper *h = user_data;

  h->exit_code = 1;
  g_main_loop_quit (h->loop);
}

static void
handle_line (Helper *h, const char *line, gsize len)
{
  g_auto(MpfHelperRequest) req = { 0 };
  g_autoptr(GError) error = NULL;

  /* Tolerate CRLF and blank lines between requests. */
  if (len > 0 && line[len - 1] == '\r')
    len--;
  if (len == 0)
    return;
  if (!mpf_helper_request_parse (line, len, &req, &error))
    {
      g_autofree char *reply = mpf_helper_reply_error (req.id, error);

      write_all (h, reply);
      return;
    }
  mpf_helper_session_handle (h->session, &req);
  if (req.op == MPF_HELPER_OP_QUIT)
    g_main_loop_quit (h->loop);
}

static void
too_long (Helper *h)
{
  g_autoptr(GError) error = g_error_new (MPF_HELPER_ERROR, MPF_HELPER_ERROR_TOO_BIG,
                                         _("Request line longer than %u bytes"),
                                         MPF_HELPER_MAX_LINE);
  g_autofree char *reply = mpf_helper_reply_error (-1, error);

  write_all (h, reply);
}

static gboolean
stdin_cb (int fd, GIOCondition cond, gpointer user_data)
{
  Helper *h = user_data;
  guint8 buf[65536];
  ssize_t n;
  gsize start = 0;

  n = read (fd, buf, sizeof buf);
  if (n < 0 && (errno == EINTR || errno == EAGAIN))
    return G_SOURCE_CONTINUE;
  if (n <= 0)
    {
      g_main_loop_quit (h->loop);
      return G_SOURCE_REMOVE;
    }

  for (gsize i = 0; i < (gsize) n; i++)
    {
      if (buf[i] != '\n')
        continue;
      if (h->discarding)
        h->discarding = FALSE;
      else
        {
          g_byte_array_append (h->inbuf, buf + start, (guint) (i - start));
          if (h->inbuf->len > MPF_HELPER_MAX_LINE)
            too_long (h);
          else
            handle_line (h, (const char *) h->inbuf->data, h->inbuf->len);
          g_byte_array_set_size (h->inbuf, 0);
        }
      start = i + 1;
      if (!g_main_loop_is_running (h->loop))
        return G_SOURCE_REMOVE;
    }
  if (!h->discarding && start < (gsize) n)
    {
      g_byte_array_append (h->inbuf, buf + start, (guint) ((gsize) n - start));
      if (h->inbuf->len > MPF_HELPER_MAX_LINE)
        {
          /* Answer once, then skip to the next newline without buffering. */
          too_long (h);
          g_byte_array_set_size (h->inbuf, 0);
          h->discarding = TRUE;
        }
    }
  return G_SOURCE_CONTINUE;
}

/* Exit 128 + the signal's number, as a shell would report it: a client
 * that was interrupted too (Ctrl+C reaches the whole foreground group) can
 * tell this from a failure. */
static gboolean
quit_on_signal (Helper *h, int signo)
{
  h->exit_code = 128 + signo;
  g_main_loop_quit (h->loop);
  return G_SOURCE_CONTINUE;
}

static gboolean
sigterm_cb (gpointer user_data)
{
  return quit_on_signal (user_data, SIGTERM);
}

static gboolean
sigint_cb (gpointer user_data)
{
  return quit_on_signal (user_data, SIGINT);
}

static gboolean
sighup_cb (gpointer user_data)
{
  return quit_on_signal (user_data, SIGHUP);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  Helper h = { 0 };

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (argc > 1)
    {
      g_printerr ("%s\n", _("mprflash-helper takes no arguments; it speaks JSON on stdin/stdout (see PROTOCOL.md)."));
      return 2;
    }

  /* A vanished client shows up as EPIPE from write(), not as a signal. */
  signal (SIGPIPE, SIG_IGN);

  /* Whatever powers we were started with, keep only the three network
   * capabilities; each is dropped later once its socket is open. */
  if (!mpf_helper_caps_limit (&error))
    {
      g_printerr ("mprflash-helper: %s\n", error->message);
      return 1;
    }

  h.loop = g_main_loop_new (NULL, FALSE);
  h.inbuf = g_byte_array_new ();
  h.session = mpf_helper_session_new (output_cb, fatal_cb, &h);

  g_unix_fd_add (STDIN_FILENO, G_IO_IN | G_IO_HUP | G_IO_ERR, stdin_cb, &h);
  g_unix_signal_add (SIGTERM, sigterm_cb, &h);
  g_unix_signal_add (SIGINT, sigint_cb, &h);
  g_unix_signal_add (SIGHUP, sighup_cb, &h);

  g_main_loop_run (h.loop);

  /* Undo everything before we go: addresses first, then sockets. */
  mpf_helper_session_free (h.session);
  g_byte_array_unref (h.inbuf);
  g_main_loop_unref (h.loop);
  return h.exit_code;
}
