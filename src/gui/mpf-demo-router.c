#include "config.h"

#include <signal.h>
#include <sys/prctl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "mpf-demo-router.h"

struct _MpfDemoRouter
{
  GObject      parent_instance;
  char        *program;
  char        *dir;
  char        *control;
  char        *flash;
  char        *log;
  char        *images[3];
  guint        http_port;
  guint        tftp_port;
  GSubprocess *router;
  /* start-up */
  guint        pending;
  GError      *error;
  guint        poll;
  guint        polls;
};

G_DEFINE_FINAL_TYPE (MpfDemoRouter, mpf_demo_router, G_TYPE_OBJECT)

static void
mpf_demo_router_dispose (GObject *object)
{
  MpfDemoRouter *self = MPF_DEMO_ROUTER (object);

  g_clear_handle_id (&self->poll, g_source_remove);
  if (self->router != NULL)
    {
      g_subprocess_send_signal (self->router, SIGTERM);
      g_clear_object (&self->router);
    }
  G_OBJECT_CLASS (mpf_demo_router_parent_class)->dispose (object);
}

static void
mpf_demo_router_finalize (GObject *object)
{
  MpfDemoRouter *self = MPF_DEMO_ROUTER (object);

  /* A handful of small files in our own temporary directory. */
  if (self->dir != NULL)
    {
      const char *files[] = { self->control, self->flash, self->log, self->images[0], self->images[1] };
      for (guint i = 0; i < G_N_ELEMENTS (files); i++)
        if (files[i] != NULL)
          g_unlink (files[i]);
      g_rmdir (self->dir);
    }
  g_free (self->program);
  g_free (self->dir);
  g_free (self->control);
  g_free (self->flash);
  g_free (self->log);
  g_free (self->images[0]);
  g_free (self->images[1]);
  g_clear_error (&self->error);
  G_OBJECT_CLASS (mpf_demo_router_parent_class)->finalize (object);
}

static void
mpf_demo_router_class_init (MpfDemoRouterClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = mpf_demo_router_dispose;
  G_OBJECT_CLASS (klass)->finalize = mpf_demo_router_finalize;
}

static void
mpf_demo_router_init (MpfDemoRouter *self)
{
}

static char *
find_program (void)
{
  const char *env = g_getenv ("MPF_DEMO_ROUTER");
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *installed = g_build_filename (LIBEXECDIR, "mprflash-demo-router", NULL);

  if (env != NULL && *env != '\0')
    return g_strdup (env);
  /* Run from the build tree: src/gui/mprflash next to tests/fake-router/. */
  if (exe != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (exe);
      g_autofree char *built = g_build_filename (dir, "..", "..", "tests", "fake-router", "mpf-fake-router", NULL);
      if (g_file_test (built, G_FILE_TEST_IS_EXECUTABLE))
        return g_steal_pointer (&built);
    }
  if (g_file_test (installed, G_FILE_TEST_IS_EXECUTABLE))
    return g_steal_pointer (&installed);
  return NULL;
}

/* A port nobody uses on loopback right now (the kernel picks it). */
static guint
free_port (GSocketType type, GSocketProtocol protocol, GError **error)
{
  g_autoptr(GSocket) sock = g_socket_new (G_SOCKET_FAMILY_IPV4, type, protocol, error);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  if (sock == NULL || !g_socket_bind (sock, any, FALSE, error))
    return 0;
  bound = g_socket_get_local_address (sock, error);
  if (bound == NULL)
    return 0;
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static void
child_setup (gpointer data)
{
  /* The simulator must not outlive the window if the app is killed. */
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static GSubprocessLauncher *
launcher_new (MpfDemoRouter *self)
{
  GSubprocessLauncher *l = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autofree char *port = g_strdup_printf ("%u", self->tftp_port);

  g_subprocess_launcher_setenv (l, "MPF_FR_TFTP_SERVER_PORT", port, TRUE);
  g_subprocess_launcher_set_child_setup (l, child_setup, NULL, NULL);
  g_subprocess_launcher_set_stdout_file_path (l, self->log);
  g_subprocess_launcher_set_flags (l, G_SUBPROCESS_FLAGS_STDERR_MERGE);
  return l;
}

static gboolean
poll_control_cb (gpointer user_data)
{
  GTask *task = user_data;
  MpfDemoRouter *self = g_task_get_source_object (task);

  if (g_file_test (self->control, G_FILE_TEST_EXISTS))
    {
      self->poll = 0;
      g_task_return_pointer (task, g_object_ref (self), g_object_unref);
      g_object_unref (task);
      return G_SOURCE_REMOVE;
    }
  if (++self->polls > 300 || g_task_return_error_if_cancelled (task))
    {
      self->poll = 0;
      if (!g_task_had_error (task))
        g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                                 _("The simulated router did not start."));
      g_object_unref (task);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
start_router (GTask *task)
{
  MpfDemoRouter *self = g_task_get_source_object (task);
  g_autoptr(GSubprocessLauncher) l = launcher_new (self);
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) extra = NULL;
  const char *scale = g_getenv ("MPF_DEMO_TIME_SCALE");
  const char *extra_s = g_getenv ("MPF_DEMO_ROUTER_ARGS");
  GError *error = NULL;

  g_ptr_array_add (argv, g_strdup (self->program));
  g_ptr_array_add (argv, g_strdup ("--flash"));
  g_ptr_array_add (argv, g_strdup (self->flash));
  g_ptr_array_add (argv, g_strdup ("--loopback"));
  g_ptr_array_add (argv, g_strdup ("--control"));
  g_ptr_array_add (argv, g_strdup (self->control));
  g_ptr_array_add (argv, g_strdup ("--http-port"));
  g_ptr_array_add (argv, g_strdup_printf ("%u", self->http_port));
  g_ptr_array_add (argv, g_strdup ("--time-scale"));
  g_ptr_array_add (argv, g_strdup (scale != NULL && *scale != '\0' ? scale : "0.1"));
  if (extra_s != NULL && *extra_s != '\0' && !g_shell_parse_argv (extra_s, NULL, &extra, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (extra[i]));
  g_ptr_array_add (argv, NULL);

  self->router = g_subprocess_launcher_spawnv (l, (const char *const *) argv->pdata, &error);
  if (self->router == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  self->poll = g_timeout_add (50, poll_control_cb, task);
}

static void
prepared_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  MpfDemoRouter *self = g_task_get_source_object (task);
  GError *error = NULL;

  if (!g_subprocess_wait_check_finish (G_SUBPROCESS (source), result, &error) && self->error == NULL)
    self->error = error;
  else
    g_clear_error (&error);
  if (--self->pending > 0)
    return;
  if (self->error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&self->error));
      g_object_unref (task);
      return;
    }
  start_router (task);
}

void
mpf_demo_router_start_async (GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(MpfDemoRouter) self = g_object_new (MPF_TYPE_DEMO_ROUTER, NULL);
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GSubprocessLauncher) l = NULL;
  const char *kinds[] = { "openwrt", "hame-stock" };
  const char *init = g_getenv ("MPF_DEMO_ROUTER_INIT");
  GError *error = NULL;

  g_task_set_source_tag (task, mpf_demo_router_start_async);
  self->program = find_program ();
  if (self->program == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                               _("The simulated router is not installed."));
      g_object_unref (task);
      return;
    }
  self->dir = g_dir_make_tmp ("mprflash-demo-XXXXXX", &error);
  if (self->dir == NULL
      || (self->http_port = free_port (G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error)) == 0
      || (self->tftp_port = free_port (G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, &error)) == 0)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  self->control = g_build_filename (self->dir, "control", NULL);
  self->flash = g_build_filename (self->dir, "flash.bin", NULL);
  self->log = g_build_filename (self->dir, "router.log", NULL);
  l = launcher_new (self);

  /* The router's flash (Hame stock, as from the shop) and the demo's two files. */
  if (init == NULL || *init == '\0')
    init = "hame-stock";
  self->pending = 1 + G_N_ELEMENTS (kinds);
  {
    GSubprocess *p = g_subprocess_launcher_spawn (l, &error, self->program, "--flash", self->flash,
                                                  "--init-flash", init, NULL);
    if (p == NULL)
      {
        g_task_return_error (task, error);
        g_object_unref (task);
        return;
      }
    g_subprocess_wait_check_async (p, cancellable, prepared_cb, task);
    g_object_unref (p);
  }
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autofree char *name = g_strdup_printf ("%s.bin", kinds[i]);
      GSubprocess *p;

      self->images[i] = g_build_filename (self->dir, name, NULL);
      p = g_subprocess_launcher_spawn (l, &error, self->program, "--make-image", kinds[i],
                                       "-o", self->images[i], NULL);
      if (p == NULL)
        {
          /* The ones already started still call back: let them end it. */
          self->error = error;
          self->pending -= G_N_ELEMENTS (kinds) - i;
          if (self->pending == 0)
            {
              g_task_return_error (task, g_steal_pointer (&self->error));
              g_object_unref (task);
            }
          return;
        }
      g_subprocess_wait_check_async (p, cancellable, prepared_cb, task);
      g_object_unref (p);
    }
}

MpfDemoRouter *
mpf_demo_router_start_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

const char *
mpf_demo_router_get_control (MpfDemoRouter *self)
{
  return self->control;
}

guint
mpf_demo_router_get_http_port (MpfDemoRouter *self)
{
  return self->http_port;
}

guint
mpf_demo_router_get_tftp_port (MpfDemoRouter *self)
{
  return self->tftp_port;
}

const char *const *
mpf_demo_router_get_images (MpfDemoRouter *self)
{
  return (const char *const *) self->images;
}

char *
mpf_demo_router_dup_log (MpfDemoRouter *self)
{
  char *text = NULL;

  g_file_get_contents (self->log, &text, NULL, NULL);
  return text;
}
