/* OpenWrt LuCI sysupgrade through its web page: WEB-UIS.md. */
#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "mpf-identify.h"
#include "mpf-poray.h"
#include "mpf-uimage.h"
#include "mpf-web-flasher-luci.h"
#include "mpf-web-flasher-private.h"

struct _MpfWebFlasherLuci {
  GObject           parent_instance;
  MpfWebFlasherBase base;
  char             *username;
  char             *cookie;     /* "sysauth=<hex>" */
  char             *token;      /* the ;stok= value, NULL for a LuCI without tokens */
};

static void web_flasher_iface_init (MpfWebFlasherInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (MpfWebFlasherLuci, mpf_web_flasher_luci, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (MPF_TYPE_WEB_FLASHER, web_flasher_iface_init))

enum {
  PROP_USERNAME = MPF_WEB_FLASHER_BASE_N_PROPS,
};

static const char *const default_passwords[] = { "", "admin", NULL };

const char *const *
mpf_web_flasher_luci_default_passwords (void)
{
  return default_passwords;
}

MpfWebFlasherLuci *
mpf_web_flasher_luci_new (const char *address)
{
  g_return_val_if_fail (address != NULL, NULL);
  return g_object_new (MPF_TYPE_WEB_FLASHER_LUCI, "address", address, NULL);
}

void
mpf_web_flasher_luci_set_username (MpfWebFlasherLuci *self, const char *username)
{
  g_return_if_fail (MPF_IS_WEB_FLASHER_LUCI (self));
  g_object_set (self, "username", username, NULL);
}

const char *
mpf_web_flasher_luci_get_token (MpfWebFlasherLuci *self)
{
  g_return_val_if_fail (MPF_IS_WEB_FLASHER_LUCI (self), NULL);
  return self->token;
}

static char *
capture (const char *text, const char *pattern)
{
  g_autoptr(GRegex) re = g_regex_new (pattern, 0, 0, NULL);
  g_autoptr(GMatchInfo) mi = NULL;

  if (text == NULL || re == NULL || !g_regex_match (re, text, 0, &mi))
    return NULL;
  return g_match_info_fetch (mi, 1);
}

static char *
flashops_url (MpfWebFlasherLuci *self)
{
  if (self->token != NULL)
    return g_strdup_printf ("http://%s/cgi-bin/luci/;stok=%s/admin/system/flashops",
                            self->base.address, self->token);
  return g_strdup_printf ("http://%s/cgi-bin/luci/admin/system/flashops", self->base.address);
}

static gboolean
is_login_form (const MpfWebReply *reply)
{
  return reply->status == SOUP_STATUS_FORBIDDEN
         || mpf_web_body_contains (reply->body, "name=\"password\"")
         || mpf_web_body_contains (reply->body, "name=\"luci_password\"");
}

/* ---- login ---- */

typedef struct {
  GStrv passwords;
  guint next;
} LoginData;

static void
login_data_free (LoginData *d)
{
  g_strfreev (d->passwords);
  g_free (d);
}

static void try_next_password (GTask *task);

/* The session: the sysauth cookie, and the token from wherever this LuCI
 * puts it (cookie path, redirect, or the links of the page). */
static gboolean
take_session (MpfWebFlasherLuci *self, const MpfWebReply *reply)
{
  SoupMessageHeadersIter iter;
  const char *name, *value;
  g_autofree char *cookie = NULL;
  g_autofree char *token = NULL;

  soup_message_headers_iter_init (&iter, soup_message_get_response_headers (reply->msg));
  while (soup_message_headers_iter_next (&iter, &name, &value))
    {
      g_autofree char *cname = NULL;
      g_autofree char *cvalue = NULL;

      if (g_ascii_strcasecmp (name, "Set-Cookie") != 0)
        continue;
      cname = capture (value, "^\\s*(sysauth[A-Za-z0-9_]*)=");
      cvalue = capture (value, "^\\s*sysauth[A-Za-z0-9_]*=([^;\\s]+)");
      if (cname != NULL && cvalue != NULL)
        {
          g_free (cookie);
          cookie = g_strdup_printf ("%s=%s", cname, cvalue);
          if (token == NULL)
            token = capture (value, ";stok=([0-9A-Fa-f]+)");
        }
    }
  if (cookie == NULL)
    return FALSE;
  if (token == NULL)
    token = capture (soup_message_headers_get_one (soup_message_get_response_headers (reply->msg),
                                                   "Location"),
                     ";stok=([0-9A-Fa-f]+)");
  if (token == NULL)
    token = mpf_web_body_capture (reply->body, ";stok=([0-9A-Fa-f]+)");

  g_free (self->cookie);
  self->cookie = g_steal_pointer (&cookie);
  g_free (self->token);
  self->token = g_steal_pointer (&token);
  return TRUE;
}

static void
login_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  MpfWebFlasherLuci *self = g_task_get_source_object (task);
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
  mpf_web_flasher_log (MPF_WEB_FLASHER (self), "POST /cgi-bin/luci (password %u of %u) -> %s",
                       d->next, g_strv_length (d->passwords), what);

  if (take_session (self, reply))
    {
      mpf_web_flasher_log (MPF_WEB_FLASHER (self), "logged in, %s",
                           self->token ? "token received" : "no token (LuCI without ;stok=)");
      g_task_return_pointer (task, g_strdup (d->passwords[d->next - 1]), g_free);
      return;
    }
  if (is_login_form (reply))
    {
      try_next_password (g_steal_pointer (&task));
      return;
    }
  g_task_return_new_error (task, MPF_WEB_FLASHER_ERROR, MPF_WEB_FLASHER_ERROR_UNEXPECTED_REPLY,
                           _("OpenWrt answered the login with a page mprflash does not know (%s)."),
                           what);
}

static void
try_next_password (GTask *task)
{
  MpfWebFlasherLuci *self = g_task_get_source_object (task);
  LoginData *d = g_task_get_task_data (task);
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *url = g_strdup_printf ("http://%s/cgi-bin/luci", self->base.address);
  const char *password;
  char *form;

  if (d->passwords[d->next] == NULL)
    {
      g_task_return_new_error (task, MPF_WEB_FLASHER_ERROR, MPF_WEB_FLASHER_ERROR_WRONG_PASSWORD,
                               _("OpenWrt refused the password. Enter the password of its “%s” "
                                 "user."),
                               self->username);
      g_object_unref (task);
      return;
    }
  password = d->passwords[d->next++];
  msg = soup_message_new (SOUP_METHOD_POST, url);
  if (msg == NULL)
    {
      g_task_return_new_error (task, MPF_WEB_FLASHER_ERROR, MPF_WEB_FLASHER_ERROR_UNREACHABLE,
                               _("“%s” is not a router address."), self->base.address);
      g_object_unref (task);
      return;
    }
  /* 14.07 reads username/password, later LuCI luci_username/luci_password:
   * both pairs in one request are harmless. */
  form = soup_form_encode ("username", self->username, "password", password,
                           "luci_username", self->username, "luci_password", password, NULL);
  body = g_bytes_new_take (form, strlen (form));
  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  soup_message_set_request_body_from_bytes (msg, SOUP_FORM_MIME_TYPE_URLENCODED, body);
  mpf_web_flasher_base_send_async (&self->base, MPF_WEB_FLASHER (self), msg, 0,
                                   g_task_get_cancellable (task), login_cb, task);
}

static void
luci_login_async (MpfWebFlasher *flasher, const char *const *passwords, GCancellable *cancellable,
                  GAsyncReadyCallback callback, gpointer user_data)
{
  MpfWebFlasherLuci *self = MPF_WEB_FLASHER_LUCI (flasher);
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  LoginData *d = g_new0 (LoginData, 1);

  g_task_set_source_tag (task, luci_login_async);
  d->passwords = g_strdupv ((char **) (passwords ? passwords : default_passwords));
  g_task_set_task_data (task, d, (GDestroyNotify) login_data_free);
  g_clear_pointer (&self->cookie, g_free);
  g_clear_pointer (&self->token, g_free);
  try_next_password (task);
}

static char *
luci_login_finish (MpfWebFlasher *flasher, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, flasher), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- upload: step 1 (image, verify page), step 2 (flash) ---- */

typedef struct {
  char  *md5;
  gsize  size;
} UploadData;

static void
upload_data_free (UploadData *d)
{
  g_free (d->md5);
  g_free (d);
}

/* TRUE when the size LuCI printed ("3.50 MB", "3670016 bytes") is @size up
 * to the printed precision. Unparsable: TRUE (the MD5 decides). */
static gboolean
size_matches (GBytes *body, gsize size)
{
  g_autofree char *number = mpf_web_body_capture (body, "Size(?:[^0-9<]|<[^>]*>){0,40}?([0-9]+(?:\\.[0-9]+)?\\s*[KMG]?i?B(?:ytes)?)\\b");
  g_autofree char *unit = NULL;
  const char *dot;
  double value, step, bases[] = { 1024.0, 1000.0 };
  int decimals;

  if (number == NULL)
    return TRUE;
  value = g_ascii_strtod (number, NULL);
  dot = strchr (number, '.');
  decimals = 0;
  for (const char *p = dot ? dot + 1 : NULL; p != NULL && g_ascii_isdigit (*p); p++)
    decimals++;
  unit = g_strdup (number + strspn (number, "0123456789. \t"));
  for (gsize b = 0; b < G_N_ELEMENTS (bases); b++)
    {
      double scale = 1;

      if (unit[0] == 'K')
        scale = bases[b];
      else if (unit[0] == 'M')
        scale = bases[b] * bases[b];
      else if (unit[0] == 'G')
        scale = bases[b] * bases[b] * bases[b];
      step = scale * 0.5;
      for (int i = 0; i < decimals; i++)
        step /= 10;
      if (ABS (value * scale - (double) size) <= step + 0.5)
        return TRUE;
    }
  return FALSE;
}

static void
step2_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  MpfWebFlasherLuci *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(MpfWebReply) reply = mpf_web_flasher_send_finish (res, &error);
  g_autofree char *what = NULL;

  if (reply == NULL)
    {
      mpf_web_flasher_log (MPF_WEB_FLASHER (self), "POST flashops step=2 -> %s", error->message);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        /* The order to flash was sent: the router may be busy flashing. */
        g_task_return_new_error (task, MPF_WEB_FLASHER_ERROR, MPF_WEB_FLASHER_ERROR_CONNECTION_DROPPED,
                                 _("OpenWrt was told to flash the verified image, then stopped "
                                   "answering (%s). It is probably flashing: wait for it to come "
                                   "back and check which firmware it runs."),
                                 error->message);
      return;
    }
  what = mpf_web_reply_describe (reply);
  mpf_web_flasher_log (MPF_WEB_FLASHER (self), "POST flashops step=2 -> %s", what);
  /* [V] "Flashing…" and "The system is flashing now." */
  if (mpf_web_body_contains (reply->body, "Flashing") || mpf_web_body_contains (reply->body, "flashing now"))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (is_login_form (reply))
    g_task_return_new_error (task, MPF_WEB_FLASHER_ERROR, MPF_WEB_FLASHER_ERROR_NOT_LOGGED_IN,
                             _("OpenWrt asked to log in again before flashing. Nothing was "
                               "written; try again."));
  else
    g_task_return_new_error (task, MPF_WEB_FLASHER_ERROR, MPF_WEB_FLASHER_ERROR_UNEXPECTED_REPLY,
                             _("OpenWrt answered the order to flash with a page mprflash does not "
                               "know (%s). Wait for it and check which firmware it runs."),
                             what);
}

static void
step1_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  MpfWebFlasherLuci *self = g_task_get_source_object (task);
  UploadData *d = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(MpfWebReply) reply = mpf_web_flasher_send_finish (res, &error);
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *what = NULL;
  g_autofree char *md5 = NULL;
  g_autofree char *url = NULL;
  GCancellable *cancellable;
  char *form;

  if (reply == NULL)
    {
      mpf_web_flasher_log (MPF_WEB_FLASHER (self), "POST flashops (image) -> %s", error->message);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  what = mpf_web_reply_describe (reply);
  mpf_web_flasher_log (MPF_WEB_FLASHER (self), "POST flashops (image) -> %s", what);

  if (mpf_web_body_contains (reply->body, "does not contain a supported format"))
    {
      g_task_return_new_error (task, MPF_WEB_FLASHER_ERROR, MPF_WEB_FLASHER_ERROR_REFUSED_NOT_VALID,
                               _("OpenWrt refused the image: “The uploaded image file does not "
                                 "contain a supported format”. Nothing was written. OpenWrt's web "
                                 "page only takes OpenWrt images for this model; restore stock "
                                 "firmware with the recovery path."));
      return;
    }
  /* The verify page shows the MD5 in <code>; the page's links carry the
   * 32-hex token too, so never take just any 32 hex digits. */
  md5 = mpf_web_body_capture (reply->body, "<code>\\s*([0-9a-f]{32})\\s*</code>");
  if (md5 == NULL)
    md5 = mpf_web_body_capture (reply->body, "(?:MD5|Checksum)(?:[^0-9a-f<]|<[^>]*>){0,40}?([0-9a-f]{32})\\b");
  if (md5 == NULL)
    {
      if (is_login_form (reply))
        g_task_return_new_error (task, MPF_WEB_FLASHER_ERROR, MPF_WEB_FLASHER_ERROR_NOT_LOGGED_IN,
                                 _("OpenWrt asked to log in again instead of taking the image. "
                                   "Nothing was written; try again."));
      else
        g_task_return_new_error (task, MPF_WEB_FLASHER_ERROR, MPF_WEB_FLASHER_ERROR_UNEXPECTED_REPLY,
                                 _("OpenWrt answered the upload with a page mprflash does not know "
                                   "(%s). Nothing was written."),
                                 what);
      return;
    }
  if (g_ascii_strcasecmp (md5, d->md5) != 0 || !size_matches (reply->body, d->size))
    {
      mpf_web_flasher_log (MPF_WEB_FLASHER (self), "verify page MD5 %s, ours %s: not flashing", md5, d->md5);
      g_task_return_new_error (task, MPF_WEB_FLASHER_ERROR, MPF_WEB_FLASHER_ERROR_CHECKSUM_MISMATCH,
                               _("OpenWrt received a different file than the one sent (its checksum "
                                 "is %s, the file's is %s). Nothing was written; try again."),
                               md5, d->md5);
      return;
    }
  mpf_web_flasher_log (MPF_WEB_FLASHER (self), "verify page MD5 %s matches", md5);

  /* Step 2, settings not kept: keep must be empty. */
  url = flashops_url (self);
  form = soup_form_encode ("step", "2", "keep", "", NULL);
  body = g_bytes_new_take (form, strlen (form));
  msg = soup_message_new (SOUP_METHOD_POST, url);
  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Cookie", self->cookie);
  soup_message_set_request_body_from_bytes (msg, SOUP_FORM_MIME_TYPE_URLENCODED, body);
  cancellable = g_task_get_cancellable (task);
  mpf_web_flasher_base_send_async (&self->base, MPF_WEB_FLASHER (self), msg, 0, cancellable,
                                   step2_cb, g_steal_pointer (&task));
}

static void
luci_upload_async (MpfWebFlasher *flasher, GBytes *image, GCancellable *cancellable,
                   GAsyncReadyCallback callback, gpointer user_data)
{
  MpfWebFlasherLuci *self = MPF_WEB_FLASHER_LUCI (flasher);
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  UploadData *d = g_new0 (UploadData, 1);
  g_autoptr(GError) local = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autofree char *url = NULL;
  guint64 body_size = 0;
  gsize len = 0;
  const guint8 *p = g_bytes_get_data (image, &len);
  MpfUImage hdr;

  g_task_set_source_tag (task, luci_upload_async);
  g_task_set_task_data (task, d, (GDestroyNotify) upload_data_free);
  if (self->cookie == NULL)
    {
      g_task_return_new_error (task, MPF_WEB_FLASHER_ERROR, MPF_WEB_FLASHER_ERROR_NOT_LOGGED_IN,
                               _("Not logged in to OpenWrt."));
      g_object_unref (task);
      return;
    }
  /* 14.07's sysupgrade takes files that start with the uImage magic. */
  if (mpf_poray_looks_encoded (p, len) || !mpf_uimage_parse (p, len, &hdr, &local))
    {
      g_task_return_new_error (task, MPF_WEB_FLASHER_ERROR, MPF_WEB_FLASHER_ERROR_WRONG_FORMAT,
                               _("OpenWrt's web page only takes a plain (sysupgrade) image; this "
                                 "file is not one. Choose the sysupgrade image, or use the "
                                 "recovery path."));
      g_object_unref (task);
      return;
    }
  d->md5 = g_compute_checksum_for_bytes (G_CHECKSUM_MD5, image);
  d->size = len;

  /* The image part alone: LuCI treats any other file part as a settings
   * backup and unpacks it over the root filesystem. */
  url = flashops_url (self);
  msg = mpf_web_flasher_new_upload_message (url, "image", "sysupgrade.bin", image, &body_size);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Cookie", self->cookie);
  mpf_web_flasher_log (flasher, "POST flashops (image, %" G_GSIZE_FORMAT " bytes, MD5 %s)", len, d->md5);
  mpf_web_flasher_base_send_async (&self->base, flasher, msg, body_size, cancellable, step1_cb, task);
}

static gboolean
luci_upload_finish (MpfWebFlasher *flasher, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, flasher), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
web_flasher_iface_init (MpfWebFlasherInterface *iface)
{
  iface->login_async = luci_login_async;
  iface->login_finish = luci_login_finish;
  iface->upload_async = luci_upload_async;
  iface->upload_finish = luci_upload_finish;
}

/* ---- GObject ---- */

static void
mpf_web_flasher_luci_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  MpfWebFlasherLuci *self = MPF_WEB_FLASHER_LUCI (object);

  if (mpf_web_flasher_base_get_property (&self->base, prop_id, value))
    return;
  switch (prop_id)
    {
    case PROP_USERNAME:
      g_value_set_string (value, self->username);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mpf_web_flasher_luci_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  MpfWebFlasherLuci *self = MPF_WEB_FLASHER_LUCI (object);

  if (mpf_web_flasher_base_set_property (&self->base, prop_id, value))
    return;
  switch (prop_id)
    {
    case PROP_USERNAME:
      g_free (self->username);
      self->username = g_value_dup_string (value);
      if (self->username == NULL)
        self->username = g_strdup ("root");
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mpf_web_flasher_luci_finalize (GObject *object)
{
  MpfWebFlasherLuci *self = MPF_WEB_FLASHER_LUCI (object);

  mpf_web_flasher_base_clear (&self->base);
  g_free (self->username);
  g_free (self->cookie);
  g_free (self->token);
  G_OBJECT_CLASS (mpf_web_flasher_luci_parent_class)->finalize (object);
}

static void
mpf_web_flasher_luci_class_init (MpfWebFlasherLuciClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = mpf_web_flasher_luci_get_property;
  object_class->set_property = mpf_web_flasher_luci_set_property;
  object_class->finalize = mpf_web_flasher_luci_finalize;

  mpf_web_flasher_base_override_properties (object_class);
  g_object_class_install_property (object_class, PROP_USERNAME,
    g_param_spec_string ("username", NULL, NULL, "root",
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
}

static void
mpf_web_flasher_luci_init (MpfWebFlasherLuci *self)
{
  self->username = g_strdup ("root");
  mpf_web_flasher_base_init (&self->base, 60000);
}
