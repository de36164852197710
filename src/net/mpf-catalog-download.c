#include "config.h"

#include <glib/gi18n.h>
#include <libsoup/soup.h>

#include "mpf-catalog-download.h"

#define CHUNK 65536

struct _MpfCatalogDownload
{
  GObject        parent_instance;
  char          *id;
  char          *url;
  char          *sha256;     /* NULL: not verified */
  gint64         size;       /* -1: unknown */
  gint64         total;      /* expected bytes, -1 unknown */
  gint64         received;
  double         fraction;
  SoupSession   *session;
  GInputStream  *in;
  GOutputStream *out;
  GFile         *part;
  GFile         *dest;
  GChecksum     *checksum;
};

G_DEFINE_FINAL_TYPE (MpfCatalogDownload, mpf_catalog_download, G_TYPE_OBJECT)

enum { PROP_0, PROP_FRACTION, N_PROPS };
static GParamSpec *props[N_PROPS];

static void
mpf_catalog_download_finalize (GObject *object)
{
  MpfCatalogDownload *self = MPF_CATALOG_DOWNLOAD (object);

  g_free (self->id);
  g_free (self->url);
  g_free (self->sha256);
  g_clear_object (&self->session);
  g_clear_object (&self->in);
  g_clear_object (&self->out);
  g_clear_object (&self->part);
  g_clear_object (&self->dest);
  g_clear_pointer (&self->checksum, g_checksum_free);
  G_OBJECT_CLASS (mpf_catalog_download_parent_class)->finalize (object);
}

static void
mpf_catalog_download_get_property (GObject *object, guint id, GValue *value, GParamSpec *pspec)
{
  if (id == PROP_FRACTION)
    g_value_set_double (value, MPF_CATALOG_DOWNLOAD (object)->fraction);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, id, pspec);
}

static void
mpf_catalog_download_class_init (MpfCatalogDownloadClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = mpf_catalog_download_finalize;
  object_class->get_property = mpf_catalog_download_get_property;
  props[PROP_FRACTION] = g_param_spec_double ("fraction", NULL, NULL, -1, 1, -1,
                                              G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
mpf_catalog_download_init (MpfCatalogDownload *self)
{
  self->fraction = -1;
  self->total = -1;
}

char *
mpf_catalog_download_cache_path (const char *entry_id)
{
  return g_build_filename (g_get_user_cache_dir (), "mprflash", "catalog", entry_id, NULL);
}

MpfCatalogDownload *
mpf_catalog_download_new (const MpfCatalogEntry *entry)
{
  MpfCatalogDownload *self = g_object_new (MPF_TYPE_CATALOG_DOWNLOAD, NULL);
  const char *base = g_getenv ("MPF_CATALOG_BASE_URL");

  self->id = g_strdup (entry->id);
  self->sha256 = g_strdup (entry->sha256);
  self->size = entry->size;
  if (base != NULL && *base != '\0' && entry->url != NULL)
    {
      g_autofree char *name = g_path_get_basename (entry->url);
      self->url = g_strdup_printf ("%s/%s", base, name);
    }
  else
    self->url = g_strdup (entry->url);
  return self;
}

double
mpf_catalog_download_get_fraction (MpfCatalogDownload *self)
{
  return self->fraction;
}

static void
set_fraction (MpfCatalogDownload *self)
{
  double f = self->total > 0 ? MIN (1.0, (double) self->received / (double) self->total) : -1;

  if (f != self->fraction)
    {
      self->fraction = f;
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_FRACTION]);
    }
}

static void
fail (GTask *task, GError *error)
{
  MpfCatalogDownload *self = g_task_get_source_object (task);

  /* A partial or wrong file must not look like a download later. */
  if (self->part != NULL)
    g_file_delete (self->part, NULL, NULL);
  g_task_return_error (task, error);
  g_object_unref (task);
}

static void read_next (GTask *task);

static void
moved_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  MpfCatalogDownload *self = g_task_get_source_object (task);
  GError *error = NULL;

  if (!g_file_move_finish (G_FILE (source), result, &error))
    {
      fail (task, error);
      return;
    }
  g_task_return_pointer (task, g_file_get_path (self->dest), g_free);
  g_object_unref (task);
}

static void
closed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  MpfCatalogDownload *self = g_task_get_source_object (task);
  GError *error = NULL;
  const char *got;

  if (!g_output_stream_close_finish (G_OUTPUT_STREAM (source), result, &error))
    {
      fail (task, error);
      return;
    }
  got = g_checksum_get_string (self->checksum);
  if (self->size >= 0 && self->received != self->size)
    {
      fail (task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                                       _("The download has the wrong size; it was thrown away.")));
      return;
    }
  if (self->sha256 != NULL && g_ascii_strcasecmp (got, self->sha256) != 0)
    {
      fail (task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                                       _("The download does not match the catalogue’s checksum; it was thrown away.")));
      return;
    }
  g_file_move_async (self->part, self->dest, G_FILE_COPY_OVERWRITE, G_PRIORITY_DEFAULT,
                     g_task_get_cancellable (task), NULL, NULL, moved_cb, task);
}

static void
written_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    {
      fail (task, error);
      return;
    }
  read_next (task);
}

static void
read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  MpfCatalogDownload *self = g_task_get_source_object (task);
  GError *error = NULL;
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  gsize len;
  const guint8 *data;

  if (bytes == NULL)
    {
      fail (task, error);
      return;
    }
  data = g_bytes_get_data (bytes, &len);
  if (len == 0)
    {
      g_output_stream_close_async (self->out, G_PRIORITY_DEFAULT, g_task_get_cancellable (task), closed_cb, task);
      return;
    }
  /* A file far bigger than any router's flash is not firmware. */
  if (self->received + (gint64) len > 64 * 1024 * 1024)
    {
      fail (task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                                       _("The download is far too big to be router firmware.")));
      return;
    }
  self->received += (gint64) len;
  g_checksum_update (self->checksum, data, (gssize) len);
  set_fraction (self);
  /* The bytes stay alive in the closure until written. */
  g_object_set_data_full (G_OBJECT (task), "chunk", g_bytes_ref (bytes), (GDestroyNotify) g_bytes_unref);
  g_output_stream_write_all_async (self->out, data, len, G_PRIORITY_DEFAULT,
                                   g_task_get_cancellable (task), written_cb, task);
}

static void
read_next (GTask *task)
{
  MpfCatalogDownload *self = g_task_get_source_object (task);

  g_input_stream_read_bytes_async (self->in, CHUNK, G_PRIORITY_DEFAULT, g_task_get_cancellable (task),
                                   read_cb, task);
}

static void
replaced_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  MpfCatalogDownload *self = g_task_get_source_object (task);
  GError *error = NULL;

  self->out = G_OUTPUT_STREAM (g_file_replace_finish (G_FILE (source), result, &error));
  if (self->out == NULL)
    {
      fail (task, error);
      return;
    }
  read_next (task);
}

static void
open_output (GTask *task)
{
  MpfCatalogDownload *self = g_task_get_source_object (task);
  g_autofree char *path = mpf_catalog_download_cache_path (self->id);
  g_autofree char *part = g_strconcat (path, ".part", NULL);
  g_autofree char *dir = g_path_get_dirname (path);

  if (self->total < 0 && self->size >= 0)
    self->total = self->size;
  set_fraction (self);
  /* Creating one directory in the user's cache: quick, and needed first. */
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      fail (task, g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, _("Cannot create %s."), dir));
      return;
    }
  self->dest = g_file_new_for_path (path);
  self->part = g_file_new_for_path (part);
  g_file_replace_async (self->part, NULL, FALSE, G_FILE_CREATE_PRIVATE, G_PRIORITY_DEFAULT,
                        g_task_get_cancellable (task), replaced_cb, task);
}

static void
sent_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  MpfCatalogDownload *self = g_task_get_source_object (task);
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  GError *error = NULL;

  self->in = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (self->in == NULL)
    {
      fail (task, error);
      return;
    }
  if (!SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (msg)))
    {
      fail (task, g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("The server answered “%u %s”."),
                               soup_message_get_status (msg), soup_message_get_reason_phrase (msg)));
      return;
    }
  self->total = soup_message_headers_get_content_length (soup_message_get_response_headers (msg));
  if (self->total == 0)
    self->total = -1;
  open_output (task);
}

static void
file_read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  MpfCatalogDownload *self = g_task_get_source_object (task);
  GError *error = NULL;

  self->in = G_INPUT_STREAM (g_file_read_finish (G_FILE (source), result, &error));
  if (self->in == NULL)
    {
      fail (task, error);
      return;
    }
  open_output (task);
}

void
mpf_catalog_download_run_async (MpfCatalogDownload *self, GCancellable *cancellable,
                                GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GUri) uri = NULL;
  const char *scheme;

  self->checksum = g_checksum_new (G_CHECKSUM_SHA256);
  uri = self->url != NULL ? g_uri_parse (self->url, G_URI_FLAGS_NONE, NULL) : NULL;
  scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
  if (g_strcmp0 (scheme, "file") == 0)
    {
      g_autoptr(GFile) file = g_file_new_for_uri (self->url);
      g_file_read_async (file, G_PRIORITY_DEFAULT, cancellable, file_read_cb, task);
    }
  else if (g_strcmp0 (scheme, "http") == 0 || g_strcmp0 (scheme, "https") == 0)
    {
      g_autoptr(SoupMessage) msg = soup_message_new (SOUP_METHOD_GET, self->url);

      self->session = soup_session_new_with_options ("user-agent", "mprflash/" PACKAGE_VERSION, NULL);
      soup_session_send_async (self->session, msg, G_PRIORITY_DEFAULT, cancellable, sent_cb, task);
    }
  else
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _("This catalogue entry has no download address."));
      g_object_unref (task);
    }
}

char *
mpf_catalog_download_run_finish (MpfCatalogDownload *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
