#include "config.h"

#include "mpf-helper-client.h"

#include <glib/gi18n.h>
#include <signal.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

/* Image chunks: the helper accepts up to 64 KiB decoded per request. */
#define CHUNK_SIZE (48 * 1024)

struct _MpfHelperClient {
  GObject           parent_instance;

  GSubprocess      *process;
  GOutputStream    *stdin_pipe;
  GDataInputStream *stdout_lines;
  GCancellable     *io_cancellable; /* our own reads/writes, cancelled on dispose */
  GQueue            write_queue;    /* GBytes lines waiting for the pipe */
  gboolean          writing;
  gboolean          running;
  gint64            next_id;
  GHashTable       *pending;        /* id -> GTask */
  JsonObject       *hello;
  GTask            *new_task;       /* the spawn, until hello */
  GPtrArray        *close_tasks;
  gboolean          close_requested;
  /* The end is reported once both happened, so that every reply and event
   * the helper wrote before exiting is delivered first. */
  gboolean          process_exited;
  gboolean          stdout_closed;
  int               exit_status;
};

G_DEFINE_QUARK (mpf-helper-client-error-quark, mpf_helper_client_error)
G_DEFINE_TYPE (MpfHelperClient, mpf_helper_client, G_TYPE_OBJECT)

enum { SIGNAL_EVENT, SIGNAL_EXITED, N_SIGNALS };
static guint signals[N_SIGNALS];

static const char *const error_codes[] = {
  "bad-request", "unknown-op", "bad-interface", "not-allowed", "too-big", "state", "failed",
  "bad-image",
};

static void read_next_line (MpfHelperClient *self);
static void write_next (MpfHelperClient *self);

static void
fail_pending (MpfHelperClient *self, const GError *error)
{
  g_autoptr(GList) tasks = g_hash_table_get_values (self->pending);

  /* Hold the tasks while the table lets go of them (keys freed too). */
  for (GList *l = tasks; l != NULL; l = l->next)
    g_object_ref (l->data);
  g_hash_table_remove_all (self->pending);
  for (GList *l = tasks; l != NULL; l = l->next)
    {
      g_autoptr(GTask) task = l->data;

      g_task_return_error (task, g_error_copy (error));
    }
}

static void
finish_exit (MpfHelperClient *self)
{
  g_autoptr(GPtrArray) closers = NULL;
  g_autoptr(GError) error = NULL;
  int status = self->exit_status;

  if (!self->process_exited || !self->stdout_closed || !self->running)
    return;
  g_object_ref (self);
  closers = g_steal_pointer (&self->close_tasks);
  self->running = FALSE;

  if (self->new_task != NULL)
    {
      g_autoptr(GTask) task = g_steal_pointer (&self->new_task);

      /* pkexec exits 126 when the dialog is dismissed, 127 when refused. */
      if (WIFEXITED (status) && (WEXITSTATUS (status) == 126 || WEXITSTATUS (status) == 127))
        g_task_return_new_error (task, MPF_HELPER_CLIENT_ERROR,
                                 MPF_HELPER_CLIENT_ERROR_NOT_AUTHORIZED,
                                 _("Administrator authentication was cancelled or refused"));
      else
        g_task_return_new_error (task, MPF_HELPER_CLIENT_ERROR, MPF_HELPER_CLIENT_ERROR_EXITED,
                                 _("The privileged helper stopped before it was ready"));
    }
  error = g_error_new_literal (MPF_HELPER_CLIENT_ERROR, MPF_HELPER_CLIENT_ERROR_EXITED,
                               _("The privileged helper has stopped"));
  fail_pending (self, error);
  for (guint i = 0; closers != NULL && i < closers->len; i++)
    g_task_return_boolean (g_ptr_array_index (closers, i), TRUE);
  g_signal_emit (self, signals[SIGNAL_EXITED], 0, status);
  g_object_unref (self);
}

static void
wait_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  MpfHelperClient *self = user_data;

  /* Cancelled only by dispose: self is gone then. */
  if (!g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL))
    return;
  self->exit_status = g_subprocess_get_status (G_SUBPROCESS (source));
  self->process_exited = TRUE;
  finish_exit (self);
}

static GError *
reply_error (JsonObject *reply)
{
  JsonObject *e = NULL;
  const char *code = NULL, *message = NULL;
  JsonNode *n = json_object_get_member (reply, "error");

  if (n != NULL && JSON_NODE_HOLDS_OBJECT (n))
    e = json_node_get_object (n);
  if (e != NULL)
    {
      code = json_object_get_string_member_with_default (e, "code", NULL);
      message = json_object_get_string_member_with_default (e, "message", NULL);
    }
  for (guint i = 0; code != NULL && i < G_N_ELEMENTS (error_codes); i++)
    if (strcmp (code, error_codes[i]) == 0)
      return g_error_new_literal (MPF_HELPER_CLIENT_ERROR, (int) i,
                                  message != NULL ? message : code);
  return g_error_new_literal (MPF_HELPER_CLIENT_ERROR, MPF_HELPER_CLIENT_ERROR_FAILED,
                              message != NULL ? message : _("The helper reported an error"));
}

static void
handle_line (MpfHelperClient *self, const char *line)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonObject *o;
  JsonNode *id;
  const char *event;

  if (!json_parser_load_from_data (parser, line, -1, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_debug ("helper said something that is not a JSON object: %s", line);
      return;
    }
  o = json_node_get_object (json_parser_get_root (parser));

  event = json_object_get_string_member_with_default (o, "event", NULL);
  if (event != NULL)
    {
      g_signal_emit (self, signals[SIGNAL_EVENT], g_quark_from_string (event), event, o);
      return;
    }

  id = json_object_get_member (o, "id");
  if (id != NULL && JSON_NODE_HOLDS_VALUE (id) && json_node_get_value_type (id) == G_TYPE_INT64)
    {
      gint64 key = json_node_get_int (id);
      gpointer stolen_key = NULL;
      GTask *task = NULL;

      if (g_hash_table_steal_extended (self->pending, &key, &stolen_key, (gpointer *) &task))
        {
          g_autoptr(GTask) owned = task;

          g_free (stolen_key);
          if (json_object_get_boolean_member_with_default (o, "ok", FALSE))
            g_task_return_pointer (owned, json_object_ref (o), (GDestroyNotify) json_object_unref);
          else
            g_task_return_error (owned, reply_error (o));
          return;
        }
    }
  g_debug ("helper reply matches no request: %s", line);
}

static void
read_line_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  MpfHelperClient *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result,
                                                    NULL, &error);
  if (line == NULL)
    {
      /* Cancelled by dispose: self is gone then. */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      self->stdout_closed = TRUE;
      finish_exit (self);
      return;
    }
  g_object_ref (self);
  handle_line (self, line);
  read_next_line (self);
  g_object_unref (self);
}

static void
read_next_line (MpfHelperClient *self)
{
  g_data_input_stream_read_line_async (self->stdout_lines, G_PRIORITY_DEFAULT,
                                       self->io_cancellable, read_line_cb, self);
}

static void
write_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  MpfHelperClient *self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error)
      && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return; /* dispose: self is gone */
  self->writing = FALSE;
  if (error != NULL)
    {
      /* The helper is gone (EPIPE) or we are closing: drop what is queued;
       * wait_cb fails the pending requests. */
      g_queue_clear_full (&self->write_queue, (GDestroyNotify) g_bytes_unref);
      return;
    }
  g_bytes_unref (g_queue_pop_head (&self->write_queue));
  write_next (self);
}

static void
write_next (MpfHelperClient *self)
{
  GBytes *head;

  if (self->writing || self->stdin_pipe == NULL)
    return;
  head = g_queue_peek_head (&self->write_queue);
  if (head == NULL)
    {
      /* close_async waits for the queue to drain before EOF. */
      if (self->close_requested)
        {
          g_output_stream_close (self->stdin_pipe, NULL, NULL);
          g_clear_object (&self->stdin_pipe);
        }
      return;
    }
  self->writing = TRUE;
  g_output_stream_write_all_async (self->stdin_pipe,
                                   g_bytes_get_data (head, NULL), g_bytes_get_size (head),
                                   G_PRIORITY_DEFAULT, self->io_cancellable, write_cb, self);
}

static void
send_request (MpfHelperClient *self, GTask *task, const char *op, JsonObject *args)
{
  g_autoptr(JsonObject) o = json_object_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  gint64 *key;

  if (args != NULL)
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *node;

      json_object_iter_init (&iter, args);
      while (json_object_iter_next (&iter, &name, &node))
        json_object_set_member (o, name, json_node_copy (node));
    }
  json_object_set_int_member (o, "id", self->next_id);
  json_object_set_string_member (o, "op", op);
  root = json_node_init_object (json_node_alloc (), o);
  text = json_to_string (root, FALSE);

  if (!self->running || self->close_requested)
    {
      g_task_return_new_error (task, MPF_HELPER_CLIENT_ERROR, MPF_HELPER_CLIENT_ERROR_EXITED,
                               _("The privileged helper has stopped"));
      return;
    }
  key = g_new (gint64, 1);
  *key = self->next_id++;
  g_hash_table_insert (self->pending, key, g_object_ref (task));
  g_queue_push_tail (&self->write_queue, g_bytes_new_take (g_strconcat (text, "\n", NULL),
                                                           strlen (text) + 1));
  write_next (self);
}

void
mpf_helper_client_call_async (MpfHelperClient     *self,
                              const char          *op,
                              JsonObject          *args,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (MPF_IS_HELPER_CLIENT (self));
  g_return_if_fail (op != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mpf_helper_client_call_async);
  /* Every request is answered at once, so a cancelled one simply finishes
   * with G_IO_ERROR_CANCELLED when its reply comes (GTask checks). */
  send_request (self, task, op, args);
}

JsonObject *
mpf_helper_client_call_finish (MpfHelperClient  *self,
                               GAsyncResult     *result,
                               GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Typed shortcuts: one reply, success or error. */

static void
bool_reply_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) reply = NULL;

  reply = mpf_helper_client_call_finish (MPF_HELPER_CLIENT (source), result, &error);
  if (reply == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
call_bool (MpfHelperClient *self, gpointer tag, const char *op, JsonObject *args,
           GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, tag);
  mpf_helper_client_call_async (self, op, args, cancellable, bool_reply_cb, task);
}

static JsonObject *
iface_args (const char *interface)
{
  JsonObject *o = json_object_new ();

  json_object_set_string_member (o, "interface", interface);
  return o;
}

void
mpf_helper_client_watch_async (MpfHelperClient *self, const char *interface,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(JsonObject) o = iface_args (interface);

  call_bool (self, mpf_helper_client_watch_async, "watch", o, cancellable, callback, user_data);
}

void
mpf_helper_client_arp_probe_async (MpfHelperClient *self, const char *interface,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(JsonObject) o = iface_args (interface);

  call_bool (self, mpf_helper_client_arp_probe_async, "arp-probe", o, cancellable, callback,
             user_data);
}

void
mpf_helper_client_addr_add_async (MpfHelperClient *self, const char *interface,
                                  const char *cidr, GCancellable *cancellable,
                                  GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(JsonObject) o = iface_args (interface);

  json_object_set_string_member (o, "address", cidr);
  call_bool (self, mpf_helper_client_addr_add_async, "addr-add", o, cancellable, callback,
             user_data);
}

void
mpf_helper_client_addr_del_async (MpfHelperClient *self, const char *interface,
                                  const char *cidr, GCancellable *cancellable,
                                  GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(JsonObject) o = iface_args (interface);

  json_object_set_string_member (o, "address", cidr);
  call_bool (self, mpf_helper_client_addr_del_async, "addr-del", o, cancellable, callback,
             user_data);
}

void
mpf_helper_client_serve_tftp_async (MpfHelperClient *self, const char *interface,
                                    const char *address, MpfHelperClientServeMode mode,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(JsonObject) o = iface_args (interface);

  if (address != NULL)
    json_object_set_string_member (o, "address", address);
  json_object_set_string_member (o, "mode",
                                 mode == MPF_HELPER_CLIENT_SERVE_RECOVERY ? "recovery" : "standard");
  call_bool (self, mpf_helper_client_serve_tftp_async, "serve-tftp", o, cancellable, callback,
             user_data);
}

void
mpf_helper_client_serve_stop_async (MpfHelperClient *self, GCancellable *cancellable,
                                    GAsyncReadyCallback callback, gpointer user_data)
{
  call_bool (self, mpf_helper_client_serve_stop_async, "serve-stop", NULL, cancellable,
             callback, user_data);
}

void
mpf_helper_client_capture_start_async (MpfHelperClient *self, const char *interface,
                                       GCancellable *cancellable,
                                       GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(JsonObject) o = iface_args (interface);

  call_bool (self, mpf_helper_client_capture_start_async, "capture-start", o, cancellable,
             callback, user_data);
}

/* The helper caps its store at 4 MiB; anything much bigger is not its pcap. */
#define MAX_CAPTURE_B64 (8 * 1024 * 1024)

static void
capture_dump_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  g_autoptr(JsonObject) reply = mpf_helper_client_call_finish (MPF_HELPER_CLIENT (source), result,
                                                               &error);
  const char *b64;
  guchar *raw;
  gsize len = 0;

  if (reply == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  b64 = json_object_get_string_member_with_default (reply, "pcap", NULL);
  if (b64 == NULL || strlen (b64) > MAX_CAPTURE_B64)
    {
      g_task_return_new_error (task, MPF_HELPER_CLIENT_ERROR, MPF_HELPER_CLIENT_ERROR_PROTOCOL,
                               _("The helper sent no usable packet capture"));
      return;
    }
  raw = g_base64_decode (b64, &len);
  g_task_return_pointer (task, g_bytes_new_take (raw, len), (GDestroyNotify) g_bytes_unref);
}

void
mpf_helper_client_capture_dump_async (MpfHelperClient *self, GCancellable *cancellable,
                                      GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, mpf_helper_client_capture_dump_async);
  mpf_helper_client_call_async (self, "capture-dump", NULL, cancellable, capture_dump_cb, task);
}

GBytes *
mpf_helper_client_capture_dump_finish (MpfHelperClient *self, GAsyncResult *result,
                                       GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
mpf_helper_client_finish (MpfHelperClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Image: "image" then the chunks, all queued at once; the last chunk's
 * reply says whether the helper got every byte with the right SHA-256. */

typedef struct {
  guint   outstanding;
  GError *error;
} ImageData;

static void
image_data_free (ImageData *d)
{
  g_clear_error (&d->error);
  g_free (d);
}

static void
image_reply_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  ImageData *d = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) reply = NULL;

  reply = mpf_helper_client_call_finish (MPF_HELPER_CLIENT (source), result, &error);
  if (reply == NULL && d->error == NULL)
    d->error = g_steal_pointer (&error);
  if (--d->outstanding > 0)
    return;
  if (d->error != NULL)
    g_task_return_error (task, g_steal_pointer (&d->error));
  else if (!json_object_get_boolean_member_with_default (reply, "complete", FALSE))
    g_task_return_new_error (task, MPF_HELPER_CLIENT_ERROR, MPF_HELPER_CLIENT_ERROR_PROTOCOL,
                             _("The helper did not confirm the whole image"));
  else
    g_task_return_boolean (task, TRUE);
}

void
mpf_helper_client_send_image_async (MpfHelperClient *self, GBytes *image,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(JsonObject) head = json_object_new ();
  g_autofree char *sha = NULL;
  ImageData *d = g_new0 (ImageData, 1);
  gsize size = g_bytes_get_size (image);
  const guint8 *data = g_bytes_get_data (image, NULL);

  g_task_set_source_tag (task, mpf_helper_client_send_image_async);
  g_task_set_task_data (task, d, (GDestroyNotify) image_data_free);
  if (size == 0)
    {
      g_task_return_new_error (task, MPF_HELPER_CLIENT_ERROR, MPF_HELPER_CLIENT_ERROR_BAD_REQUEST,
                               _("The image is empty"));
      return;
    }
  sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, image);
  json_object_set_int_member (head, "size", (gint64) size);
  json_object_set_string_member (head, "sha256", sha);
  d->outstanding = 1 + (guint) ((size + CHUNK_SIZE - 1) / CHUNK_SIZE);
  mpf_helper_client_call_async (self, "image", head, cancellable, image_reply_cb,
                                g_object_ref (task));
  for (gsize off = 0; off < size; off += CHUNK_SIZE)
    {
      g_autoptr(JsonObject) chunk = json_object_new ();
      g_autofree char *b64 = g_base64_encode (data + off, MIN (CHUNK_SIZE, size - off));

      json_object_set_string_member (chunk, "data", b64);
      mpf_helper_client_call_async (self, "image-data", chunk, cancellable, image_reply_cb,
                                    g_object_ref (task));
    }
}

void
mpf_helper_client_close_async (MpfHelperClient *self, GCancellable *cancellable,
                               GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, mpf_helper_client_close_async);
  if (!self->running)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (self->close_tasks == NULL)
    self->close_tasks = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (self->close_tasks, g_steal_pointer (&task));
  /* Queued requests go first, then EOF. */
  self->close_requested = TRUE;
  write_next (self);
}

JsonObject *
mpf_helper_client_get_hello (MpfHelperClient *self)
{
  g_return_val_if_fail (MPF_IS_HELPER_CLIENT (self), NULL);
  return self->hello;
}

gboolean
mpf_helper_client_is_running (MpfHelperClient *self)
{
  g_return_val_if_fail (MPF_IS_HELPER_CLIENT (self), FALSE);
  return self->running;
}

/* Spawning. */

static void
close_stdin (MpfHelperClient *self)
{
  if (self->stdin_pipe != NULL)
    g_output_stream_close (self->stdin_pipe, NULL, NULL);
  g_clear_object (&self->stdin_pipe);
}

static gboolean
has_file_caps (const char *path)
{
  return getxattr (path, "security.capability", NULL, 0) > 0;
}

static void
hello_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  MpfHelperClient *self = MPF_HELPER_CLIENT (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(GTask) task = NULL;

  reply = mpf_helper_client_call_finish (self, result, &error);
  task = g_steal_pointer (&self->new_task);
  if (task == NULL)
    return; /* wait_cb already reported the helper's exit */
  if (reply == NULL)
    {
      close_stdin (self);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (json_object_get_int_member_with_default (reply, "protocol", 0) != 1)
    {
      close_stdin (self);
      g_task_return_new_error (task, MPF_HELPER_CLIENT_ERROR, MPF_HELPER_CLIENT_ERROR_PROTOCOL,
                               _("The installed helper speaks another protocol version"));
      return;
    }
  self->hello = g_steal_pointer (&reply);
  g_task_return_pointer (task, g_object_ref (self), g_object_unref);
}

void
mpf_helper_client_new_async (GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(MpfHelperClient) self = g_object_new (MPF_TYPE_HELPER_CLIENT, NULL);
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr(GError) error = NULL;
  const char *env = g_getenv ("MPF_HELPER_PATH");
  g_autofree char *path = g_strdup (env != NULL && *env ? env : LIBEXECDIR "/mprflash-helper");
  const char *argv[3] = { NULL };

  g_task_set_source_tag (task, mpf_helper_client_new_async);

  /* Root, or a helper with file capabilities, runs directly; otherwise
   * polkit asks for the administrator password (action in data/). */
  if (geteuid () == 0 || has_file_caps (path))
    argv[0] = path;
  else
    {
      argv[0] = "pkexec";
      argv[1] = path;
    }

  self->process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDIN_PIPE
                                           | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  if (self->process == NULL)
    {
      g_task_return_new_error (task, MPF_HELPER_CLIENT_ERROR, MPF_HELPER_CLIENT_ERROR_SPAWN,
                               _("Could not start the privileged helper: %s"), error->message);
      return;
    }
  self->running = TRUE;
  self->stdin_pipe = g_object_ref (g_subprocess_get_stdin_pipe (self->process));
  self->stdout_lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (self->process));
  /* Lines can be long (events) but never unbounded: the helper's own. */
  g_buffered_input_stream_set_buffer_size (G_BUFFERED_INPUT_STREAM (self->stdout_lines), 65536);
  self->new_task = g_steal_pointer (&task);
  g_subprocess_wait_async (self->process, self->io_cancellable, wait_cb, self);
  read_next_line (self);
  mpf_helper_client_call_async (self, "hello", NULL, cancellable, hello_cb, NULL);
}

MpfHelperClient *
mpf_helper_client_new_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
mpf_helper_client_dispose (GObject *object)
{
  MpfHelperClient *self = MPF_HELPER_CLIENT (object);

  /* Closing stdin is the helper's signal to undo everything and exit. */
  g_cancellable_cancel (self->io_cancellable);
  if (self->stdin_pipe != NULL)
    g_output_stream_close (self->stdin_pipe, NULL, NULL);
  g_clear_object (&self->stdin_pipe);
  if (self->pending != NULL && g_hash_table_size (self->pending) > 0)
    {
      g_autoptr(GError) error = g_error_new_literal (MPF_HELPER_CLIENT_ERROR,
                                                     MPF_HELPER_CLIENT_ERROR_EXITED,
                                                     _("The privileged helper has stopped"));
      fail_pending (self, error);
    }
  g_clear_object (&self->stdout_lines);
  g_clear_object (&self->process);
  g_queue_clear_full (&self->write_queue, (GDestroyNotify) g_bytes_unref);

  G_OBJECT_CLASS (mpf_helper_client_parent_class)->dispose (object);
}

static void
mpf_helper_client_finalize (GObject *object)
{
  MpfHelperClient *self = MPF_HELPER_CLIENT (object);

  g_hash_table_unref (self->pending);
  g_clear_pointer (&self->hello, json_object_unref);
  g_clear_pointer (&self->close_tasks, g_ptr_array_unref);
  g_clear_object (&self->io_cancellable);

  G_OBJECT_CLASS (mpf_helper_client_parent_class)->finalize (object);
}

static void
mpf_helper_client_class_init (MpfHelperClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mpf_helper_client_dispose;

  /* Writing to a helper that has exited must give EPIPE, not kill the
   * program; GDBus makes the same process-wide choice. */
  {
    struct sigaction sa;

    if (sigaction (SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL)
      signal (SIGPIPE, SIG_IGN);
  }
  object_class->finalize = mpf_helper_client_finalize;

  signals[SIGNAL_EVENT] =
    g_signal_new ("event", G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, JSON_TYPE_OBJECT);
  signals[SIGNAL_EXITED] =
    g_signal_new ("exited", G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_INT);
}

static void
mpf_helper_client_init (MpfHelperClient *self)
{
  self->pending = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_object_unref);
  self->io_cancellable = g_cancellable_new ();
  g_queue_init (&self->write_queue);
}
