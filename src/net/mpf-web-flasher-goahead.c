/* The Ralink-SDK stock web UI (Hame, MPR-L8): WEB-UIS.md. */
#include "config.h"

#include <glib/gi18n.h>

#include "mpf-board.h"
#include "mpf-identify.h"
#include "mpf-poray.h"
#include "mpf-uimage.h"
#include "mpf-web-flasher-goahead.h"
#include "mpf-web-flasher-private.h"

struct _MpfWebFlasherGoahead {
  GObject           parent_instance;
  MpfWebFlasherBase base;
  MpfFamily         family;
  gboolean          allow_rename;
};

static void web_flasher_iface_init (MpfWebFlasherInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (MpfWebFlasherGoahead, mpf_web_flasher_goahead, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (MPF_TYPE_WEB_FLASHER, web_flasher_iface_init))

enum {
  PROP_ALLOW_RENAME = MPF_WEB_FLASHER_BASE_N_PROPS,
};

/* [V] hame/hame; [S] other batches ship admin/admin; MPR-L8 admin/admin [S]. */
static const char *const hame_passwords[] = { "hame", "admin", NULL };
static const char *const mprl8_passwords[] = { "admin", NULL };

/* The success pages: Hame's own wording [E], the plain SDK's [V]. */
static const char *const success_markers[] = {
  "Upgrade is completed and restarting",
  "Done...rebooting",
};

const char *const *
mpf_web_flasher_goahead_default_passwords (MpfFamily family)
{
  return family == MPF_FAMILY_MPRL8_STOCK ? mprl8_passwords : hame_passwords;
}

MpfWebFlasherGoahead *
mpf_web_flasher_goahead_new (const char *address, MpfFamily family)
{
  MpfWebFlasherGoahead *self;

  g_return_val_if_fail (address != NULL, NULL);
  self = g_object_new (MPF_TYPE_WEB_FLASHER_GOAHEAD, "address", address, NULL);
  self->family = family == MPF_FAMILY_MPRL8_STOCK ? MPF_FAMILY_MPRL8_STOCK : MPF_FAMILY_HAME_STOCK;
  return self;
}

MpfFamily
mpf_web_flasher_goahead_get_family (MpfWebFlasherGoahead *self)
{
  g_return_val_if_fail (MPF_IS_WEB_FLASHER_GOAHEAD (self), MPF_FAMILY_UNKNOWN);
  return self->family;
}

void
mpf_web_flasher_goahead_set_allow_rename (MpfWebFlasherGoahead *self, gboolean allow)
{
  g_return_if_fail (MPF_IS_WEB_FLASHER_GOAHEAD (self));
  g_object_set (self, "allow-rename", allow, NULL);
}

GBytes *
mpf_web_flasher_goahead_prepare_image (MpfFamily family, GBytes *image, gboolean allow_rename,
                                       gboolean *renamed, GError **error)
{
  g_autoptr(GError) local = NULL;
  gsize len = 0;
  const guint8 *p = g_bytes_get_data (image, &len);
  MpfUImage hdr;

  if (renamed != NULL)
    *renamed = FALSE;

  if (family == MPF_FAMILY_MPRL8_STOCK)
    {
      const MpfBoard *board = mpf_board_lookup ("MPR-L8");
      GBytes *encoded;

      if (mpf_poray_looks_encoded (p, len))
        return g_bytes_ref (image);
      if (!mpf_uimage_parse (p, len, &hdr, &local) || board == NULL)
        {
          g_set_error (error, MPF_WEB_FLASHER_ERROR, MPF_WEB_FLASHER_ERROR_WRONG_FORMAT,
                       _("This file is not a firmware image the MPR-L8 web page can take (%s)."),
                       local ? local->message : _("no board data"));
          return NULL;
        }
      encoded = mpf_poray_encode (board, image, &local);
      if (encoded == NULL)
        g_set_error (error, MPF_WEB_FLASHER_ERROR, MPF_WEB_FLASHER_ERROR_WRONG_FORMAT,
                     _("Cannot encode this image for the MPR-L8 web page: %s"), local->message);
      return encoded;
    }

  if (mpf_poray_looks_encoded (p, len))
    {
      g_set_error_literal (error, MPF_WEB_FLASHER_ERROR, MPF_WEB_FLASHER_ERROR_WRONG_FORMAT,
                           _("This file is an encoded (Poray) image; the Hame web page only takes a "
                             "plain image. Choose the plain image, or use the recovery path."));
      return NULL;
    }
  if (!mpf_uimage_parse (p, len, &hdr, &local))
    {
      g_set_error (error, MPF_WEB_FLASHER_ERROR, MPF_WEB_FLASHER_ERROR_WRONG_FORMAT,
                   _("This file is not a firmware image the Hame web page can take (%s)."),
                   local->message);
      return NULL;
    }
  if (g_str_equal (hdr.name, MPF_UIMAGE_STOCK_NAME))
    return g_bytes_ref (image);
  if (!allow_rename)
    {
      g_set_error (error, MPF_WEB_FLASHER_ERROR, MPF_WEB_FLASHER_ERROR_NEEDS_RENAME,
                   _("The Hame web page only accepts an image named “%s”; this one is named "
                     "“%s”. Its name can be rewritten (the bootloader ignores it), or use the "
                     "recovery path."),
                   MPF_UIMAGE_STOCK_NAME, hdr.name);
      return NULL;
    }
  {
    GBytes *out = mpf_uimage_rename (image, MPF_UIMAGE_STOCK_NAME, &local);

    if (out == NULL)
      {
        g_set_error (error, MPF_WEB_FLASHER_ERROR, MPF_WEB_FLASHER_ERROR_WRONG_FORMAT,
                     _("Cannot rename the image: %s"), local->message);
        return NULL;
      }
    if (renamed != NULL)
      *renamed = TRUE;
    return out;
  }
}

static char *
url_for (MpfWebFlasherGoahead *self, const char *path)
{
  return g_strconcat ("http://", self->base.address, path, NULL);
}

/* ---- login ---- */

typedef struct {
  GStrv passwords;
  guint next;
  char *admurl;
} LoginData;

static void
login_data_free (LoginData *d)
{
  g_strfreev (d->passwords);
  g_free (d->admurl);
  g_free (d);
}

static void try_next_password (GTask *task);

static void
signin_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  MpfWebFlasherGoahead *self = g_task_get_source_object (task);
  LoginData *d = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(MpfWebReply) reply = mpf_web_flasher_send_finish (res, &error);
  g_autofree char *what = NULL;

  if (reply == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  what = mpf_web_reply_describe (reply);
  mpf_web_flasher_log (MPF_WEB_FLASHER (self), "POST /goform/signin (password %u of %u) -> %s",
                       d->next, g_strv_length (d->passwords), what);

  /* [V] success: 302 back to /home.asp; wrong: 401 "Incorrect Password". */
  if (reply->status == SOUP_STATUS_FOUND || reply->status == SOUP_STATUS_SEE_OTHER)
    {
      g_task_return_pointer (task, g_strdup (d->passwords[d->next - 1]), g_free);
      return;
    }
  if (reply->status == SOUP_STATUS_UNAUTHORIZED
      || mpf_web_body_contains (reply->body, "Incorrect Password")
      || mpf_web_body_contains (reply->body, "admpass"))
    {
      try_next_password (g_steal_pointer (&task));
      return;
    }
  g_task_return_new_error (task, MPF_WEB_FLASHER_ERROR, MPF_WEB_FLASHER_ERROR_UNEXPECTED_REPLY,
                           _("The router answered the login with a page mprflash does not know "
                             "(%s)."),
                           what);
}

static void
try_next_password (GTask *task)
{
  MpfWebFlasherGoahead *self = g_task_get_source_object (task);
  LoginData *d = g_task_get_task_data (task);
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *url = url_for (self, "/goform/signin");
  g_autofree char *hash = NULL;
  char *form;

  if (d->passwords[d->next] == NULL)
    {
      g_task_return_new_error (task, MPF_WEB_FLASHER_ERROR, MPF_WEB_FLASHER_ERROR_WRONG_PASSWORD,
                               g_strv_length (d->passwords) > 1
                               ? _("The router refused the default passwords. Enter the password "
                                   "of its web page.")
                               : _("The router refused this password. Check it and try again."));
      g_object_unref (task);
      return;
    }
  /* The login page's script sends the MD5 hex digest, never the password. */
  hash = mpf_web_flasher_md5_hex (d->passwords[d->next++]);
  form = soup_form_encode ("admurl", d->admurl ? d->admurl : "", "admpass", hash, NULL);
  body = g_bytes_new_take (form, strlen (form));
  msg = soup_message_new (SOUP_METHOD_POST, url);
  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  soup_message_set_request_body_from_bytes (msg, SOUP_FORM_MIME_TYPE_URLENCODED, body);
  mpf_web_flasher_base_send_async (&self->base, MPF_WEB_FLASHER (self), msg, 0,
                                   g_task_get_cancellable (task), signin_cb, task);
}

static void
home_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  MpfWebFlasherGoahead *self = g_task_get_source_object (task);
  LoginData *d = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(MpfWebReply) reply = mpf_web_flasher_send_finish (res, &error);
  g_autofree char *what = NULL;

  if (reply == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  what = mpf_web_reply_describe (reply);
  mpf_web_flasher_log (MPF_WEB_FLASHER (self), "GET /home.asp -> %s", what);
  /* Send back what the page's hidden admurl field holds. */
  d->admurl = mpf_web_body_capture (reply->body,
                                    "<input[^>]*name=\"?admurl\"?[^>]*value=\"([^\"]*)\"");
  if (d->admurl == NULL)
    d->admurl = mpf_web_body_capture (reply->body,
                                      "<input[^>]*value=\"([^\"]*)\"[^>]*name=\"?admurl\"?");
  try_next_password (g_steal_pointer (&task));
}

static void
goahead_login_async (MpfWebFlasher *flasher, const char *const *passwords,
                     GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  MpfWebFlasherGoahead *self = MPF_WEB_FLASHER_GOAHEAD (flasher);
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  LoginData *d = g_new0 (LoginData, 1);
  g_autofree char *url = url_for (self, "/home.asp");
  g_autoptr(SoupMessage) msg = soup_message_new (SOUP_METHOD_GET, url);

  g_task_set_source_tag (task, goahead_login_async);
  d->passwords = g_strdupv ((char **) (passwords ? passwords
                                       : mpf_web_flasher_goahead_default_passwords (self->family)));
  g_task_set_task_data (task, d, (GDestroyNotify) login_data_free);
  if (msg == NULL)
    {
      g_task_return_new_error (task, MPF_WEB_FLASHER_ERROR, MPF_WEB_FLASHER_ERROR_UNREACHABLE,
                               _("“%s” is not a router address."), self->base.address);
      g_object_unref (task);
      return;
    }
  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  mpf_web_flasher_base_send_async (&self->base, flasher, msg, 0, cancellable, home_cb, task);
}

static char *
goahead_login_finish (MpfWebFlasher *flasher, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, flasher), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- upload ---- */

static void
upload_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  MpfWebFlasherGoahead *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(MpfWebReply) reply = mpf_web_flasher_send_finish (res, &error);
  g_autofree char *what = NULL;

  if (reply == NULL)
    {
      mpf_web_flasher_log (MPF_WEB_FLASHER (self), "POST /cgi-bin/upload.cgi -> %s", error->message);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  what = mpf_web_reply_describe (reply);
  mpf_web_flasher_log (MPF_WEB_FLASHER (self), "POST /cgi-bin/upload.cgi -> %s", what);

  for (gsize i = 0; i < G_N_ELEMENTS (success_markers); i++)
    if (mpf_web_body_contains (reply->body, success_markers[i]))
      {
        g_task_return_boolean (task, TRUE);
        return;
      }

  /* The refusals of the real upload.cgi [E] (WEB-UIS.md): the specific
   * warnings come before the generic "Not a valid firmware" they end with. */
  if (mpf_web_body_contains (reply->body, "bigger than Kernel_RootFS MTD partition"))
    g_task_return_new_error (task, MPF_WEB_FLASHER_ERROR, MPF_WEB_FLASHER_ERROR_REFUSED_TOO_BIG,
                             _("The router refused the image: it is bigger than the router's "
                               "firmware partition. Nothing was written. Choose an image made for "
                               "this model."));
  else if (mpf_web_body_contains (reply->body, "has corrupted data!"))
    g_task_return_new_error (task, MPF_WEB_FLASHER_ERROR, MPF_WEB_FLASHER_ERROR_REFUSED_CORRUPTED,
                             _("The router refused the image: it says the data is corrupted. "
                               "Nothing was written. Check the file (download it again) and "
                               "retry."));
  else if (mpf_web_body_contains (reply->body, "Not a valid firmware"))
    g_task_return_new_error (task, MPF_WEB_FLASHER_ERROR, MPF_WEB_FLASHER_ERROR_REFUSED_NOT_VALID,
                             self->family == MPF_FAMILY_MPRL8_STOCK
                             ? _("The router refused the image: “Not a valid firmware”. Nothing "
                                 "was written. This web page only takes images encoded for the "
                                 "MPR-L8; the router may be another model: use the recovery path.")
                             : _("The router refused the image: “Not a valid firmware”. Nothing "
                                 "was written. The Hame web page only takes a plain image named "
                                 "“Linux Kernel Image” for this model; use the recovery path for "
                                 "this file."));
  else if (reply->status == SOUP_STATUS_UNAUTHORIZED)
    g_task_return_new_error (task, MPF_WEB_FLASHER_ERROR, MPF_WEB_FLASHER_ERROR_NOT_LOGGED_IN,
                             _("The router asked to log in again before taking the image. Nothing "
                               "was written; try again."));
  else
    g_task_return_new_error (task, MPF_WEB_FLASHER_ERROR, MPF_WEB_FLASHER_ERROR_UNEXPECTED_REPLY,
                             _("The router answered the upload with a page mprflash does not "
                               "know (%s). Wait for it to come back and check which firmware it "
                               "runs."),
                             what);
}

static void
goahead_upload_async (MpfWebFlasher *flasher, GBytes *image, GCancellable *cancellable,
                      GAsyncReadyCallback callback, gpointer user_data)
{
  MpfWebFlasherGoahead *self = MPF_WEB_FLASHER_GOAHEAD (flasher);
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) payload = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autofree char *url = url_for (self, "/cgi-bin/upload.cgi");
  guint64 body_size = 0;
  gboolean renamed = FALSE;

  g_task_set_source_tag (task, goahead_upload_async);
  payload = mpf_web_flasher_goahead_prepare_image (self->family, image, self->allow_rename,
                                                   &renamed, &error);
  if (payload == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  if (renamed)
    mpf_web_flasher_log (flasher, "image renamed to “%s” (header CRC recomputed)", MPF_UIMAGE_STOCK_NAME);
  if (self->family == MPF_FAMILY_MPRL8_STOCK && payload != image)
    mpf_web_flasher_log (flasher, "image encoded for MPR-L8 (%" G_GSIZE_FORMAT " bytes)",
                         g_bytes_get_size (payload));

  msg = mpf_web_flasher_new_upload_message (url, "filename", "firmware.bin", payload, &body_size);
  mpf_web_flasher_log (flasher, "POST /cgi-bin/upload.cgi (%" G_GUINT64_FORMAT " bytes)", body_size);
  mpf_web_flasher_base_send_async (&self->base, flasher, msg, body_size, cancellable, upload_cb, task);
}

static gboolean
goahead_upload_finish (MpfWebFlasher *flasher, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, flasher), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
web_flasher_iface_init (MpfWebFlasherInterface *iface)
{
  iface->login_async = goahead_login_async;
  iface->login_finish = goahead_login_finish;
  iface->upload_async = goahead_upload_async;
  iface->upload_finish = goahead_upload_finish;
}

/* ---- GObject ---- */

static void
mpf_web_flasher_goahead_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  MpfWebFlasherGoahead *self = MPF_WEB_FLASHER_GOAHEAD (object);

  if (mpf_web_flasher_base_get_property (&self->base, prop_id, value))
    return;
  switch (prop_id)
    {
    case PROP_ALLOW_RENAME:
      g_value_set_boolean (value, self->allow_rename);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mpf_web_flasher_goahead_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  MpfWebFlasherGoahead *self = MPF_WEB_FLASHER_GOAHEAD (object);

  if (mpf_web_flasher_base_set_property (&self->base, prop_id, value))
    return;
  switch (prop_id)
    {
    case PROP_ALLOW_RENAME:
      self->allow_rename = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mpf_web_flasher_goahead_finalize (GObject *object)
{
  MpfWebFlasherGoahead *self = MPF_WEB_FLASHER_GOAHEAD (object);

  mpf_web_flasher_base_clear (&self->base);
  G_OBJECT_CLASS (mpf_web_flasher_goahead_parent_class)->finalize (object);
}

static void
mpf_web_flasher_goahead_class_init (MpfWebFlasherGoaheadClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = mpf_web_flasher_goahead_get_property;
  object_class->set_property = mpf_web_flasher_goahead_set_property;
  object_class->finalize = mpf_web_flasher_goahead_finalize;

  mpf_web_flasher_base_override_properties (object_class);
  g_object_class_install_property (object_class, PROP_ALLOW_RENAME,
    g_param_spec_boolean ("allow-rename", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
}

static void
mpf_web_flasher_goahead_init (MpfWebFlasherGoahead *self)
{
  self->family = MPF_FAMILY_HAME_STOCK;
  mpf_web_flasher_base_init (&self->base, 300000);
}
