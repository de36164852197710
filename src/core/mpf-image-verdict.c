#include "config.h"

#include <string.h>
#include <glib/gi18n.h>
#include <gio/gio.h>

#include "mpf-error.h"
#include "mpf-image-verdict.h"
#include "mpf-poray.h"

struct _MpfImageVerdict
{
  GObject          parent_instance;

  MpfImageFormat   format;
  GBytes          *data;           /* the file as given */
  GBytes          *uimage_bytes;   /* == data, or the decoded payload */
  MpfUImage        uimage;
  gboolean         has_uimage;
  const MpfBoard  *board;
  const MpfBoard  *encoded_board;
  MpfFamily        family;
  char            *version;
  MpfImageVersionKind version_kind;
  char            *sha256;
  MpfCatalog      *catalog;        /* keeps @entry alive */
  const MpfCatalogEntry *entry;
  gint64           margin;
  gboolean         has_margin;
  GPtrArray       *problems;
  GPtrArray       *notes;
  GPtrArray       *signals;
};

G_DEFINE_FINAL_TYPE (MpfImageVerdict, mpf_image_verdict, G_TYPE_OBJECT)

#define SQUASHFS_MAGIC_LE "hsqs"     /* standard squashfs, as OpenWrt writes it */
#define SQUASHFS_MAGIC_SDK "shsq"    /* the Ralink SDK's LZMA squashfs */
#define OPENWRT_KERNEL_PREFIX "OpenWrt Linux-"

const char *
mpf_image_format_to_string (MpfImageFormat format)
{
  switch (format)
    {
    case MPF_IMAGE_FORMAT_UIMAGE: return "uimage";
    case MPF_IMAGE_FORMAT_ENCODED: return "encoded";
    case MPF_IMAGE_FORMAT_UNKNOWN:
    default: return "unknown";
    }
}

static void
problem_free (MpfImageProblem *problem)
{
  g_free (problem->message);
  g_free (problem);
}

static void
mpf_image_verdict_finalize (GObject *object)
{
  MpfImageVerdict *self = MPF_IMAGE_VERDICT (object);

  g_clear_pointer (&self->data, g_bytes_unref);
  g_clear_pointer (&self->uimage_bytes, g_bytes_unref);
  g_clear_pointer (&self->version, g_free);
  g_clear_pointer (&self->sha256, g_free);
  g_clear_object (&self->catalog);
  g_clear_pointer (&self->problems, g_ptr_array_unref);
  g_clear_pointer (&self->notes, g_ptr_array_unref);
  g_clear_pointer (&self->signals, g_ptr_array_unref);
  G_OBJECT_CLASS (mpf_image_verdict_parent_class)->finalize (object);
}

static void
mpf_image_verdict_class_init (MpfImageVerdictClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = mpf_image_verdict_finalize;
}

static void
mpf_image_verdict_init (MpfImageVerdict *self)
{
  self->problems = g_ptr_array_new_with_free_func ((GDestroyNotify) problem_free);
  self->notes = g_ptr_array_new_with_free_func ((GDestroyNotify) problem_free);
  self->signals = g_ptr_array_new_with_free_func (g_free);
}

static void
add_to (GPtrArray *list, int code, char *message)
{
  MpfImageProblem *p = g_new0 (MpfImageProblem, 1);

  p->code = code;
  p->message = message;
  g_ptr_array_add (list, p);
}

G_GNUC_PRINTF (3, 4)
static void
add_problem (MpfImageVerdict *self, int code, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  add_to (self->problems, code, g_strdup_vprintf (format, args));
  va_end (args);
}

static void
add_problem_error (MpfImageVerdict *self, const GError *error)
{
  add_to (self->problems, error->domain == MPF_IMAGE_ERROR ? error->code : MPF_IMAGE_ERROR_IO,
          g_strdup (error->message));
}

/* First occurrence of @needle (4 bytes) at or after @from. */
static gssize
find_magic (const guint8 *data, gsize len, gsize from, const char *needle)
{
  for (gsize i = from; i + 4 <= len; i++)
    {
      const guint8 *hit = memchr (data + i, needle[0], len - i - 3);
      if (hit == NULL)
        return -1;
      i = (gsize) (hit - data);
      if (memcmp (hit, needle, 4) == 0)
        return (gssize) i;
    }
  return -1;
}

static gboolean
magic_at (const guint8 *data, gsize len, guint64 offset, const char *magic)
{
  return offset + 4 <= len && memcmp (data + offset, magic, 4) == 0;
}

/* Weighs the signals of FORMATS.md; the name alone never decides, except
 * an explicit "OpenWrt" in it. */
static void
guess_family (MpfImageVerdict *self)
{
  const MpfUImage *img = &self->uimage;
  gsize len = 0;
  const guint8 *d = g_bytes_get_data (self->uimage_bytes, &len);
  guint64 kernel_end = (guint64) MPF_UIMAGE_HEADER_SIZE + img->data_size;
  int stock = 0, openwrt = 0;
  guint8 deadc0de[4] = { 0xde, 0xad, 0xc0, 0xde };

  if (strstr (img->name, "OpenWrt") != NULL)
    {
      openwrt += 3;
      g_ptr_array_add (self->signals, g_strdup (_("The image name says OpenWrt.")));
    }

  if (img->sdk_rootfs_offset != 0)
    {
      guint64 off = img->sdk_rootfs_offset;

      stock += 2;
      g_ptr_array_add (self->signals,
                       g_strdup_printf (_("Header bytes 60–63 hold a Ralink SDK root filesystem offset (%u)."),
                                        img->sdk_rootfs_offset));
      /* Seen both relative to the data and to the file start. */
      if (magic_at (d, len, MPF_UIMAGE_HEADER_SIZE + off, SQUASHFS_MAGIC_SDK) ||
          magic_at (d, len, off, SQUASHFS_MAGIC_SDK))
        {
          stock += 3;
          g_ptr_array_add (self->signals,
                           g_strdup (_("The vendor LZMA root filesystem (“shsq”) sits at that offset.")));
        }
    }
  else
    {
      openwrt += 1;
      g_ptr_array_add (self->signals, g_strdup (_("Header bytes 60–63 are zero (no Ralink SDK offset).")));
    }

  if (kernel_end == len)
    {
      stock += 2;
      g_ptr_array_add (self->signals, g_strdup (_("The checksummed data covers the whole file.")));
    }
  else if (kernel_end < len)
    {
      gssize at = find_magic (d, len, (gsize) kernel_end, SQUASHFS_MAGIC_LE);

      openwrt += 2;
      g_ptr_array_add (self->signals,
                       g_strdup_printf (_("%llu bytes follow the checksummed kernel."),
                                        (unsigned long long) (len - kernel_end)));
      if (at >= 0)
        {
          openwrt += 3;
          g_ptr_array_add (self->signals,
                           g_strdup_printf (_("A squashfs root filesystem (“hsqs”) follows the kernel at offset %zd."),
                                            at));
        }
      if (find_magic (d, len, (gsize) kernel_end, (const char *) deadc0de) >= 0)
        {
          openwrt += 1;
          g_ptr_array_add (self->signals, g_strdup (_("OpenWrt's “deadc0de” end-of-filesystem marker is present.")));
        }
    }

  if (img->entry == 0x80000000u)
    {
      openwrt += 1;
      g_ptr_array_add (self->signals, g_strdup (_("The entry point is 0x80000000, as OpenWrt's.")));
    }
  else if (img->entry != img->load)
    {
      stock += 1;
      g_ptr_array_add (self->signals,
                       g_strdup_printf (_("The entry point 0x%08x differs from the load address, as in stock images."),
                                        img->entry));
    }

  /* Weak signals alone (a plain mkimage file covers its whole length too)
   * must not decide: ask for a clear lead. */
  if (stock >= 3 && stock >= openwrt + 2)
    self->family = MPF_FAMILY_STOCK;
  else if (openwrt >= 3 && openwrt >= stock + 2)
    self->family = MPF_FAMILY_OPENWRT;
  else
    self->family = MPF_FAMILY_UNKNOWN;
}

/* Where the kernel version starts in names like "MIPS OpenWrt Linux-3.10.49"
 * or "Linux-2.6.36"; NULL when the name carries none. */
static const char *
kernel_version_start (const char *name)
{
  const char *p = strstr (name, OPENWRT_KERNEL_PREFIX);

  if (p != NULL)
    return p + strlen (OPENWRT_KERNEL_PREFIX);
  if (g_str_has_prefix (name, "Linux-"))
    return name + strlen ("Linux-");
  return NULL;
}

/* Such a name gives the kernel version, not the firmware release. */
static void
guess_version (MpfImageVerdict *self)
{
  const char *p = kernel_version_start (self->uimage.name);
  gsize n = 0;

  if (p == NULL || !g_ascii_isdigit (p[0]))
    return;
  while (g_ascii_isdigit (p[n]) || p[n] == '.')
    n++;
  self->version = g_strndup (p, n);
  self->version_kind = MPF_IMAGE_VERSION_KERNEL;
}

static void
judge_uimage (MpfImageVerdict *self)
{
  gsize len = 0;
  const guint8 *d = g_bytes_get_data (self->uimage_bytes, &len);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) problems = NULL;

  if (!mpf_uimage_parse (d, len, &self->uimage, &error))
    {
      add_problem_error (self, error);
      return;
    }
  self->has_uimage = TRUE;
  problems = mpf_uimage_collect_problems (&self->uimage);
  for (guint i = 0; i < problems->len; i++)
    add_problem_error (self, problems->pdata[i]);

  guess_family (self);
  guess_version (self);
}

static void
judge_board (MpfImageVerdict *self)
{
  const MpfBoard *board = self->board;
  gsize flash_size;

  if (board == NULL)
    return;

  if (self->format == MPF_IMAGE_FORMAT_ENCODED)
    {
      if (!board->has_poray)
        add_problem (self, MPF_IMAGE_ERROR_NO_ENCODED_FORMAT,
                     _("This file is encoded, but the %s takes only plain images; decode it first."),
                     board->display_name);
      else if (self->encoded_board != NULL &&
               memcmp (self->encoded_board->poray_key, board->poray_key, MPF_PORAY_KEY_LEN) != 0)
        add_problem (self, MPF_IMAGE_ERROR_WRONG_BOARD,
                     _("This file is encoded for the %s, not for the %s."),
                     self->encoded_board->display_name, board->display_name);
    }

  if (self->entry != NULL && !mpf_catalog_entry_has_board (self->entry, board->id))
    {
      g_autofree char *boards = g_strjoinv (", ", self->entry->boards);
      add_problem (self, MPF_IMAGE_ERROR_WRONG_BOARD,
                   _("This is a known image for %s, not for the %s."), boards, board->display_name);
    }

  flash_size = mpf_image_verdict_get_flash_size (self);
  if (flash_size == 0)
    return;
  self->has_margin = TRUE;
  self->margin = (gint64) board->firmware_size - (gint64) flash_size;
  if (self->margin < 0)
    add_problem (self, MPF_IMAGE_ERROR_TOO_BIG,
                 ngettext (
                              "The image is %zu bytes but the %s's firmware partition holds %u: too big by %lld byte.",
                              "The image is %zu bytes but the %s's firmware partition holds %u: too big by %lld bytes.",
                              (gulong) MIN (-self->margin, (gint64) G_MAXLONG)),
                 flash_size, board->display_name, board->firmware_size, (long long) -self->margin);
}

static void
add_notes (MpfImageVerdict *self)
{
  if (self->format == MPF_IMAGE_FORMAT_UNKNOWN)
    return;
  if (self->entry == NULL)
    add_to (self->notes, -1,
            g_strdup (_("Not verified: this file is not in mprflash's catalogue of known images.")));
  if (self->has_uimage && self->format == MPF_IMAGE_FORMAT_UIMAGE &&
      strcmp (self->uimage.name, MPF_UIMAGE_STOCK_NAME) != 0)
    add_to (self->notes, -1,
            g_strdup_printf (_("The Hame stock web page only accepts images named “%s”; this one must be renamed for that page (the bootloader ignores the name)."),
                             MPF_UIMAGE_STOCK_NAME));
}

static void
judge (MpfImageVerdict *self, MpfCatalog *catalog)
{
  gsize len = 0;
  const guint8 *d = g_bytes_get_data (self->data, &len);

  self->sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, self->data);
  if (catalog != NULL)
    {
      self->catalog = g_object_ref (catalog);
      self->entry = mpf_catalog_lookup_sha256 (catalog, self->sha256);
    }

  /* Flags and zero padding make an encoded header; the length may be wrong. */
  if (len >= MPF_PORAY_HEADER_SIZE && d[8] == 0x00 && d[9] == 0x00 && d[10] == 0x0e &&
      d[11] == 0x02 && !memcmp (d + 12, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16))
    {
      g_autoptr(GError) error = NULL;

      self->format = MPF_IMAGE_FORMAT_ENCODED;
      self->uimage_bytes = mpf_poray_decode (self->data, &self->encoded_board, &error);
      if (self->uimage_bytes == NULL)
        add_problem_error (self, error);
      else
        judge_uimage (self);
    }
  else
    {
      self->uimage_bytes = g_bytes_ref (self->data);
      judge_uimage (self);
      if (self->has_uimage)
        self->format = MPF_IMAGE_FORMAT_UIMAGE;
    }

  /* A catalogue match by hash wins over every heuristic. */
  if (self->entry != NULL)
    {
      self->family = self->entry->family;
      g_clear_pointer (&self->version, g_free);
      self->version = g_strdup (self->entry->version);
      self->version_kind = self->version != NULL ? MPF_IMAGE_VERSION_RELEASE : MPF_IMAGE_VERSION_NONE;
    }

  judge_board (self);
  add_notes (self);
}

MpfImageVerdict *
mpf_image_verdict_new_for_bytes (GBytes *data, const MpfBoard *board, MpfCatalog *catalog)
{
  MpfImageVerdict *self;

  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (catalog == NULL || MPF_IS_CATALOG (catalog), NULL);

  self = g_object_new (MPF_TYPE_IMAGE_VERDICT, NULL);
  self->board = board;
  self->data = g_bytes_ref (data);
  judge (self, catalog);
  return self;
}

/* Reads in chunks and stops past @cap, so a file that grew after the size
 * check is still never read whole. */
static GBytes *
read_capped (GFile *file, gsize cap, gboolean *too_big, GError **error)
{
  g_autoptr(GFileInputStream) in = g_file_read (file, NULL, error);
  g_autoptr(GByteArray) buf = NULL;
  guint8 chunk[64 * 1024];

  *too_big = FALSE;
  if (in == NULL)
    return NULL;
  buf = g_byte_array_new ();
  for (;;)
    {
      gssize got = g_input_stream_read (G_INPUT_STREAM (in), chunk, sizeof chunk, NULL, error);

      if (got < 0)
        return NULL;
      if (got == 0)
        break;
      g_byte_array_append (buf, chunk, (guint) got);
      if (buf->len > cap)
        {
          *too_big = TRUE;
          return NULL;
        }
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&buf));
}

MpfImageVerdict *
mpf_image_verdict_new_for_path (const char *path, const MpfBoard *board, MpfCatalog *catalog)
{
  g_autoptr(MpfImageVerdict) self = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *display = NULL;
  guint32 cap = mpf_board_max_flash_size ();
  gboolean too_big = FALSE;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (catalog == NULL || MPF_IS_CATALOG (catalog), NULL);

  file = g_file_new_for_path (path);
  display = g_filename_display_name (path);
  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_TYPE "," G_FILE_ATTRIBUTE_STANDARD_SIZE,
                            G_FILE_QUERY_INFO_NONE, NULL, &error);
  if (info != NULL)
    {
      GFileType type = g_file_info_get_file_type (info);

      if (type == G_FILE_TYPE_DIRECTORY)
        g_set_error (&error, MPF_IMAGE_ERROR, MPF_IMAGE_ERROR_IO,
                     _("“%s” is a folder, not a firmware file."), display);
      else if (type != G_FILE_TYPE_REGULAR)
        g_set_error (&error, MPF_IMAGE_ERROR, MPF_IMAGE_ERROR_IO,
                     _("“%s” is not a regular file."), display);
      else if (g_file_info_get_size (info) > (goffset) cap)
        too_big = TRUE;
      else
        bytes = read_capped (file, cap, &too_big, &error);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      g_clear_error (&error);
      g_set_error (&error, MPF_IMAGE_ERROR, MPF_IMAGE_ERROR_IO,
                   _("The file “%s” does not exist."), display);
    }

  if (bytes != NULL)
    return mpf_image_verdict_new_for_bytes (bytes, board, catalog);

  self = g_object_new (MPF_TYPE_IMAGE_VERDICT, NULL);
  self->board = board;
  if (too_big)
    add_problem (self, MPF_IMAGE_ERROR_TOO_BIG_FOR_ANY,
                 _("“%s” is larger than the flash of any supported router (%u bytes); it cannot be firmware for them."),
                 display, cap);
  else if (error != NULL && error->domain == MPF_IMAGE_ERROR)
    add_problem_error (self, error);
  else
    add_problem (self, MPF_IMAGE_ERROR_IO, _("Cannot read “%s”: %s"), display,
                 error != NULL ? error->message : _("unknown error"));
  return g_steal_pointer (&self);
}

typedef struct {
  char           *path;
  const MpfBoard *board;
  MpfCatalog     *catalog;
} PathJob;

static void
path_job_free (PathJob *job)
{
  g_free (job->path);
  g_clear_object (&job->catalog);
  g_free (job);
}

static void
new_for_path_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  PathJob *job = task_data;

  /* The catalogue is only read and the board table is immutable, so a
   * worker thread may judge while the caller's thread goes on. */
  g_task_return_pointer (task, mpf_image_verdict_new_for_path (job->path, job->board, job->catalog),
                         g_object_unref);
}

void
mpf_image_verdict_new_for_path_async (const char *path, const MpfBoard *board, MpfCatalog *catalog,
                                      GCancellable *cancellable, GAsyncReadyCallback callback,
                                      gpointer user_data)
{
  g_autoptr(GTask) task = NULL;
  PathJob *job;

  g_return_if_fail (path != NULL);
  g_return_if_fail (catalog == NULL || MPF_IS_CATALOG (catalog));

  job = g_new0 (PathJob, 1);
  job->path = g_strdup (path);
  job->board = board;
  job->catalog = catalog != NULL ? g_object_ref (catalog) : NULL;
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, mpf_image_verdict_new_for_path_async);
  g_task_set_task_data (task, job, (GDestroyNotify) path_job_free);
  g_task_set_return_on_cancel (task, TRUE);
  g_task_run_in_thread (task, new_for_path_thread);
}

MpfImageVerdict *
mpf_image_verdict_new_for_path_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == mpf_image_verdict_new_for_path_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

MpfImageFormat
mpf_image_verdict_get_format (MpfImageVerdict *self)
{
  g_return_val_if_fail (MPF_IS_IMAGE_VERDICT (self), MPF_IMAGE_FORMAT_UNKNOWN);
  return self->format;
}

const MpfUImage *
mpf_image_verdict_get_uimage (MpfImageVerdict *self)
{
  g_return_val_if_fail (MPF_IS_IMAGE_VERDICT (self), NULL);
  return self->has_uimage ? &self->uimage : NULL;
}

GBytes *
mpf_image_verdict_get_data (MpfImageVerdict *self)
{
  g_return_val_if_fail (MPF_IS_IMAGE_VERDICT (self), NULL);
  return self->data;
}

GBytes *
mpf_image_verdict_get_uimage_bytes (MpfImageVerdict *self)
{
  g_return_val_if_fail (MPF_IS_IMAGE_VERDICT (self), NULL);
  return self->has_uimage ? self->uimage_bytes : NULL;
}

MpfFamily
mpf_image_verdict_get_family (MpfImageVerdict *self)
{
  g_return_val_if_fail (MPF_IS_IMAGE_VERDICT (self), MPF_FAMILY_UNKNOWN);
  return self->family;
}

const char *
mpf_image_verdict_get_version (MpfImageVerdict *self)
{
  g_return_val_if_fail (MPF_IS_IMAGE_VERDICT (self), NULL);
  return self->version;
}

MpfImageVersionKind
mpf_image_verdict_get_version_kind (MpfImageVerdict *self)
{
  g_return_val_if_fail (MPF_IS_IMAGE_VERDICT (self), MPF_IMAGE_VERSION_NONE);
  return self->version_kind;
}

const char *
mpf_image_verdict_get_sha256 (MpfImageVerdict *self)
{
  g_return_val_if_fail (MPF_IS_IMAGE_VERDICT (self), NULL);
  return self->sha256;
}

const MpfCatalogEntry *
mpf_image_verdict_get_catalog_entry (MpfImageVerdict *self)
{
  g_return_val_if_fail (MPF_IS_IMAGE_VERDICT (self), NULL);
  return self->entry;
}

gint64
mpf_image_verdict_get_margin (MpfImageVerdict *self)
{
  g_return_val_if_fail (MPF_IS_IMAGE_VERDICT (self), 0);
  return self->margin;
}

gboolean
mpf_image_verdict_has_margin (MpfImageVerdict *self)
{
  g_return_val_if_fail (MPF_IS_IMAGE_VERDICT (self), FALSE);
  return self->has_margin;
}

gsize
mpf_image_verdict_get_flash_size (MpfImageVerdict *self)
{
  g_return_val_if_fail (MPF_IS_IMAGE_VERDICT (self), 0);
  if (self->uimage_bytes != NULL)
    return g_bytes_get_size (self->uimage_bytes);
  return self->data != NULL ? g_bytes_get_size (self->data) : 0;
}

gboolean
mpf_image_verdict_is_flashable (MpfImageVerdict *self)
{
  g_return_val_if_fail (MPF_IS_IMAGE_VERDICT (self), FALSE);
  return self->board != NULL && self->has_uimage && self->has_margin && self->problems->len == 0;
}

GPtrArray *
mpf_image_verdict_get_problems (MpfImageVerdict *self)
{
  g_return_val_if_fail (MPF_IS_IMAGE_VERDICT (self), NULL);
  return self->problems;
}

GPtrArray *
mpf_image_verdict_get_notes (MpfImageVerdict *self)
{
  g_return_val_if_fail (MPF_IS_IMAGE_VERDICT (self), NULL);
  return self->notes;
}

GPtrArray *
mpf_image_verdict_get_signals (MpfImageVerdict *self)
{
  g_return_val_if_fail (MPF_IS_IMAGE_VERDICT (self), NULL);
  return self->signals;
}

const MpfBoard *
mpf_image_verdict_get_board (MpfImageVerdict *self)
{
  g_return_val_if_fail (MPF_IS_IMAGE_VERDICT (self), NULL);
  return self->board;
}

const MpfBoard *
mpf_image_verdict_get_encoded_board (MpfImageVerdict *self)
{
  g_return_val_if_fail (MPF_IS_IMAGE_VERDICT (self), NULL);
  return self->encoded_board;
}
