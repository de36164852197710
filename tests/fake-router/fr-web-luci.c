/* fr-web-luci.c — OpenWrt 14.07's LuCI 0.12 on uhttpd (WEB-UIS.md): the
 * sysauth cookie plus the ;stok= path token, and the two-step flashops flow.
 * LuCI's multipart parser is a general one, so libsoup's SoupMultipart
 * stands in for it; what LuCI's file handler then does with the parts
 * (first file part picks the sink, later ones follow it) is modelled here. */
#include "config.h"

#include <string.h>

#include "fr-device-private.h"
#include "fr-web.h"

#define LUCI "/cgi-bin/luci"
/* sysupgrade reboots as soon as the write is done [I]. */
#define REBOOT_AFTER_WRITE_MS 1000u

typedef struct {
  FrDevice   *dev;
  char       *lan;
  GHashTable *sessions;   /* sysauth id -> stok */
  GBytes     *image_tmp;  /* /tmp/firmware.img */
  gboolean    keep;
  gboolean    flashing;
} Luci;

static void
luci_free (gpointer p)
{
  Luci *l = p;
  g_free (l->lan);
  g_hash_table_unref (l->sessions);
  g_clear_pointer (&l->image_tmp, g_bytes_unref);
  g_free (l);
}

static char *
random_hex32 (void)
{
  GString *s = g_string_new (NULL);
  for (int i = 0; i < 4; i++)
    g_string_append_printf (s, "%08x", g_random_int ());
  return g_string_free (s, FALSE);
}

static void
reply_page (SoupServerMessage *msg, const char *title, const char *stok, const char *content)
{
  g_autofree char *html = g_strdup_printf (
    "<!DOCTYPE html>\n<html><head>\n<meta charset=\"utf-8\">\n"
    "<title>OpenWrt%s%s - LuCI</title>\n</head><body>\n"
    "<div id=\"menu\">%s%s%s</div>\n%s\n"
    "<footer>Powered by LuCI 0.12 Branch (0.12+git-15.018.31706-ca21ccf) "
    "OpenWrt Barrier Breaker 14.07</footer>\n</body></html>\n",
    title ? " - " : "", title ? title : "",
    stok ? "<a href=\"" LUCI "/;stok=" : "", stok ? stok : "",
    stok ? "/admin/system/flashops\">Backup / Flash Firmware</a>" : "", content);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/html", SOUP_MEMORY_COPY, html, strlen (html));
}

static void
send_login (SoupServerMessage *msg, gboolean failed)
{
  g_autofree char *content = g_strdup_printf (
    "<form method=\"post\" action=\"" LUCI "\">\n"
    "%s<h2>Authorization Required</h2>\n"
    "<p>Please enter your username and password.</p>\n"
    "<input name=\"username\" type=\"text\" value=\"root\" />\n"
    "<input name=\"password\" type=\"password\" />\n"
    "<input type=\"submit\" value=\"Login\" />\n</form>",
    failed ? "<div class=\"error\">Invalid username and/or password! Please try again.</div>\n" : "");
  reply_page (msg, NULL, NULL, content);
}

static GHashTable *
parse_cookies (SoupServerMessage *msg)
{
  GHashTable *c = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  const char *h = soup_message_headers_get_list (soup_server_message_get_request_headers (msg),
                                                 "Cookie");
  g_auto(GStrv) items = h ? g_strsplit (h, ";", -1) : NULL;
  for (guint i = 0; items && items[i]; i++)
    {
      char *eq = strchr (items[i], '=');
      if (eq == NULL)
        continue;
      *eq = '\0';
      g_hash_table_replace (c, g_strdup (g_strstrip (items[i])), g_strdup (g_strstrip (eq + 1)));
    }
  return c;
}

/* Form values and the file parts in body order; files are name -> GBytes. */
typedef struct {
  GHashTable *values;
  GPtrArray  *file_names;   /* field names of file parts, in order */
  GPtrArray  *file_data;    /* GBytes */
} Form;

static void
form_clear (Form *f)
{
  g_clear_pointer (&f->values, g_hash_table_unref);
  g_clear_pointer (&f->file_names, g_ptr_array_unref);
  g_clear_pointer (&f->file_data, g_ptr_array_unref);
}

static void
read_form (SoupServerMessage *msg, Form *f)
{
  SoupMessageHeaders *hdrs = soup_server_message_get_request_headers (msg);
  g_autoptr(GBytes) body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  const char *ctype = soup_message_headers_get_content_type (hdrs, NULL);

  f->values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  f->file_names = g_ptr_array_new_with_free_func (g_free);
  f->file_data = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  if (ctype && g_ascii_strcasecmp (ctype, "multipart/form-data") == 0)
    {
      g_autoptr(SoupMultipart) mp = soup_multipart_new_from_message (hdrs, body);
      for (int i = 0; mp && i < soup_multipart_get_length (mp); i++)
        {
          SoupMessageHeaders *ph;
          GBytes *pb;
          g_autoptr(GHashTable) params = NULL;
          if (!soup_multipart_get_part (mp, i, &ph, &pb)
              || !soup_message_headers_get_content_disposition (ph, NULL, &params))
            continue;
          const char *name = g_hash_table_lookup (params, "name");
          if (name == NULL)
            continue;
          if (g_hash_table_contains (params, "filename"))
            {
              g_ptr_array_add (f->file_names, g_strdup (name));
              g_ptr_array_add (f->file_data, g_bytes_ref (pb));
            }
          else
            g_hash_table_replace (f->values, g_strdup (name),
                                  g_strndup (g_bytes_get_data (pb, NULL), g_bytes_get_size (pb)));
        }
    }
  else if (g_bytes_get_size (body) > 0)
    {
      g_autofree char *text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
      g_autoptr(GHashTable) v = soup_form_decode (text);
      GHashTableIter it;
      gpointer k, val;
      g_hash_table_iter_init (&it, v);
      while (g_hash_table_iter_next (&it, &k, &val))
        g_hash_table_replace (f->values, g_strdup (k), g_strdup (val));
    }
}

static gboolean
try_login (Luci *l, SoupServerMessage *msg, Form *f, const char *rest)
{
  const char *user = g_hash_table_lookup (f->values, "username");
  const char *pass = g_hash_table_lookup (f->values, "password");
  const FrDeviceConfig *cfg = fr_device_get_config (l->dev);
  const char *secret = cfg->luci_password;

  if (user == NULL)
    user = g_hash_table_lookup (f->values, "luci_username");
  if (pass == NULL)
    pass = g_hash_table_lookup (f->values, "luci_password");
  if (fr_device_get_faults (l->dev)->wrong_credentials)
    secret = "changed-by-owner";
  /* A fresh 14.07 has no root password: any password passes [V]. */
  gboolean ok = g_strcmp0 (user, "root") == 0
                && (secret == NULL || g_strcmp0 (pass ? pass : "", secret) == 0);
  fr_device_log_event (l->dev, "web", "luci login as %s from %s: %s", user ? user : "(none)",
                       soup_server_message_get_remote_host (msg), ok ? "ok" : "refused");
  if (!ok)
    return FALSE;

  g_autofree char *sid = random_hex32 ();
  g_autofree char *stok = random_hex32 ();
  g_autofree char *cookie = g_strdup_printf ("sysauth=%s; path=" LUCI "/;stok=%s", sid, stok);
  g_autofree char *to = g_strdup_printf (LUCI "/;stok=%s%s", stok, rest);
  soup_message_headers_append (soup_server_message_get_response_headers (msg), "Set-Cookie",
                               cookie);
  g_hash_table_replace (l->sessions, g_steal_pointer (&sid), g_steal_pointer (&stok));
  soup_server_message_set_redirect (msg, SOUP_STATUS_FOUND, to);
  return TRUE;
}

static void
send_flashops (Luci *l, SoupServerMessage *msg, const char *stok, const char *error)
{
  g_autofree char *content = g_strdup_printf (
    "<h2>Flash operations</h2>\n%s%s%s"
    "<form method=\"post\" action=\"" LUCI "/;stok=%s/admin/system/flashops\" "
    "enctype=\"multipart/form-data\">\n"
    "<input type=\"checkbox\" name=\"keep\" checked=\"checked\" /> Keep settings\n"
    "<input type=\"file\" name=\"image\" id=\"image\" />\n"
    "<input type=\"submit\" value=\"Flash image...\" />\n</form>",
    error ? "<div class=\"error\">" : "", error ? error : "", error ? "</div>\n" : "", stok);
  reply_page (msg, "Flash operations", stok, content);
}

/* luci.tools.webadmin.byte_format */
static char *
byte_format (double b)
{
  static const char *suff[] = { "B", "KB", "MB", "GB", "TB" };
  int i = 0;
  while (b > 1024 && i < 4)
    b /= 1024, i++;
  return g_strdup_printf ("%.2f %s", b, suff[i]);
}

static void
send_verify (Luci *l, SoupServerMessage *msg, const char *stok)
{
  gsize len = g_bytes_get_size (l->image_tmp);
  g_autofree char *md5 = g_compute_checksum_for_bytes (G_CHECKSUM_MD5, l->image_tmp);
  g_autofree char *size = byte_format ((double) len);
  g_autofree char *content = g_strdup_printf (
    "<h2>Flash Firmware - Verify</h2>\n"
    "<p>The flash image was uploaded. Below is the checksum and file size listed, compare them "
    "with the original file to ensure data integrity.<br /> Click \"Proceed\" below to start "
    "the flash procedure.</p>\n<ul>\n"
    "<li>Checksum: <code>%s</code></li>\n<li>Size: %s</li>\n</ul>\n"
    "<form method=\"post\" action=\"" LUCI "/;stok=%s/admin/system/flashops\">\n"
    "<input type=\"hidden\" name=\"step\" value=\"2\" />\n"
    "<input type=\"hidden\" name=\"keep\" value=\"%s\" />\n"
    "<input type=\"submit\" value=\"Proceed\" />\n</form>\n"
    "<form method=\"post\" action=\"" LUCI "/;stok=%s/admin/system/flashops\">\n"
    "<input type=\"hidden\" name=\"step\" value=\"3\" />\n"
    "<input type=\"submit\" value=\"Cancel\" />\n</form>",
    md5, size, stok, l->keep ? "1" : "", stok);
  reply_page (msg, "Flash Firmware - Verify", stok, content);
}

static void
written_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FrDevice *dev = FR_DEVICE (source);
  g_autoptr(GError) error = NULL;

  if (fr_device_flash_write_finish (dev, result, &error))
    fr_device_request_reboot_after_ms (dev, REBOOT_AFTER_WRITE_MS);
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
           && !g_error_matches (error, FR_DEVICE_ERROR, FR_DEVICE_ERROR_POWER_CUT))
    fr_device_log_event (dev, "web", "sysupgrade write failed: %s", error->message);
}

/* sysupgrade starts once the "Flashing..." page has gone out; it kills the
 * web server (fr_device_drop_web) and writes the image. */
static void
flashing_sent_cb (SoupServerMessage *msg, gpointer user_data)
{
  GBytes *image = user_data;
  FrDevice *dev = g_object_get_data (G_OBJECT (msg), "fr-device");

  if (fr_device_get_mode (dev) == FR_MODE_UPGRADING)
    {
      fr_device_drop_web (dev);
      fr_device_flash_write_async (dev, FR_FIRMWARE_OFFSET, image, NULL, written_cb, NULL);
    }
}

static void
handle_flashops (Luci *l, SoupServerMessage *msg, const char *stok)
{
  Form f = { 0 };
  const char *method = soup_server_message_get_method (msg);

  if (!g_str_equal (method, "POST"))
    {
      send_flashops (l, msg, stok, NULL);
      return;
    }
  read_form (msg, &f);
  const char *step = g_hash_table_lookup (f.values, "step");
  gboolean has_image = FALSE;

  /* LuCI's file handler opens its sink on the first file part: "image" goes
   * to /tmp/firmware.img, anything else to `tar -xzC/` (a settings restore);
   * every later file part is written into that same sink. */
  if (f.file_names->len > 0)
    {
      const char *first = g_ptr_array_index (f.file_names, 0);
      GByteArray *sink = g_byte_array_new ();
      for (guint i = 0; i < f.file_names->len; i++)
        {
          const char *name = g_ptr_array_index (f.file_names, i);
          GBytes *b = g_ptr_array_index (f.file_data, i);
          has_image |= g_str_equal (name, "image");
          g_byte_array_append (sink, g_bytes_get_data (b, NULL), (guint) g_bytes_get_size (b));
          if (i > 0)
            fr_device_log_event (l->dev, "web",
                                 "LUCI EXTRA FILE PART '%s' (%zu bytes) written into the %s "
                                 "after '%s' — the real LuCI mis-handles it this way",
                                 name, g_bytes_get_size (b),
                                 g_str_equal (first, "image") ? "uploaded image" : "settings restore",
                                 first);
        }
      g_clear_pointer (&l->image_tmp, g_bytes_unref);
      if (g_str_equal (first, "image"))
        l->image_tmp = g_byte_array_free_to_bytes (sink);
      else
        {
          fr_device_log_event (l->dev, "web",
                               "LUCI SETTINGS RESTORE: file part '%s' (%u bytes) unpacked over "
                               "the root filesystem as a backup archive", first, sink->len);
          fr_device_set_last_upload (l->dev, "luci: non-image file part taken as a settings backup");
          g_byte_array_unref (sink);
        }
    }

  if (has_image || g_strcmp0 (step, "1") == 0)
    {
      const char *kept = g_hash_table_lookup (f.values, "keep");
      l->keep = kept != NULL && *kept != '\0';
      const guint8 *p = l->image_tmp ? g_bytes_get_data (l->image_tmp, NULL) : NULL;
      gsize n = l->image_tmp ? g_bytes_get_size (l->image_tmp) : 0;
      /* 14.07's platform check: the uImage magic; the partition must hold it [I]. */
      gboolean ok = n >= 4 && p[0] == 0x27 && p[1] == 0x05 && p[2] == 0x19 && p[3] == 0x56
                    && n <= FR_FIRMWARE_SIZE && !fr_device_get_faults (l->dev)->reject_upload;
      if (!ok)
        {
          g_clear_pointer (&l->image_tmp, g_bytes_unref);
          fr_device_set_last_upload (l->dev, "luci: refused, not a supported format");
          send_flashops (l, msg, stok,
                         "The uploaded image file does not contain a supported format. Make sure "
                         "that you choose the generic image format for your platform.");
        }
      else
        {
          g_autofree char *md5 = g_compute_checksum_for_bytes (G_CHECKSUM_MD5, l->image_tmp);
          g_autofree char *s = g_strdup_printf ("luci: verify page, %zu bytes, md5 %s, keep %s",
                                                n, md5, l->keep ? "on" : "off");
          fr_device_set_last_upload (l->dev, s);
          send_verify (l, msg, stok);
        }
    }
  else if (g_strcmp0 (step, "2") == 0 && l->image_tmp != NULL && !l->flashing)
    {
      const char *kept = g_hash_table_lookup (f.values, "keep");
      l->flashing = TRUE;
      fr_device_log_event (l->dev, "web", "luci step 2: sysupgrade%s",
                           kept && *kept ? " keeping settings" : " without keeping settings");
      fr_device_set_last_upload (l->dev, "luci: flashing");
      fr_device_set_upgrading (l->dev);
      reply_page (msg, "Flashing...", NULL,
                  "<h2>System - Flashing...</h2>\n<p>The system is flashing now.<br /> "
                  "DO NOT POWER OFF THE DEVICE!<br /> Wait a few minutes before you try to "
                  "reconnect. It might be necessary to renew the address of your computer to "
                  "reach the device again, depending on your settings.</p>");
      g_object_set_data (G_OBJECT (msg), "fr-device", l->dev);
      g_signal_connect_data (msg, "finished", G_CALLBACK (flashing_sent_cb),
                             g_bytes_ref (l->image_tmp), (GClosureNotify) (void (*) (void)) g_bytes_unref, 0);
    }
  else
    {
      if (g_strcmp0 (step, "3") == 0)
        g_clear_pointer (&l->image_tmp, g_bytes_unref);
      send_flashops (l, msg, stok, NULL);
    }
  form_clear (&f);
}

static void
handle_cb (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
           gpointer user_data)
{
  Luci *l = user_data;

  if (g_str_equal (path, "/") || g_str_equal (path, "/index.html"))
    {
      static const char html[] =
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
        "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\" "
        "\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd\">\n"
        "<html xmlns=\"http://www.w3.org/1999/xhtml\">\n<head>\n"
        "<meta http-equiv=\"Cache-Control\" content=\"no-cache\" />\n"
        "<meta http-equiv=\"refresh\" content=\"0; URL=/cgi-bin/luci\" />\n</head>\n"
        "<body style=\"background-color: white\">\n"
        "<a style=\"color: black; font-family: arial, helvetica, sans-serif;\" "
        "href=\"/cgi-bin/luci\">LuCI - Lua Configuration Interface</a>\n</body>\n</html>\n";
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "text/html", SOUP_MEMORY_STATIC, html, strlen (html));
      return;
    }
  if (!g_str_has_prefix (path, LUCI) || (path[strlen (LUCI)] != '\0' && path[strlen (LUCI)] != '/'))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC,
                                        "Not Found\n", 10);
      return;
    }

  /* Split "/cgi-bin/luci[/;stok=T][/rest]". */
  const char *rest = path + strlen (LUCI);
  g_autofree char *token = NULL;
  if (g_str_has_prefix (rest, "/;stok="))
    {
      const char *t = rest + strlen ("/;stok=");
      const char *slash = strchr (t, '/');
      token = slash ? g_strndup (t, (gsize) (slash - t)) : g_strdup (t);
      rest = slash ? slash : "";
    }

  g_autoptr(GHashTable) cookies = parse_cookies (msg);
  const char *sid = g_hash_table_lookup (cookies, "sysauth");
  const char *stok = sid ? g_hash_table_lookup (l->sessions, sid) : NULL;
  gboolean authed = stok != NULL && g_strcmp0 (stok, token) == 0;

  if (!authed)
    {
      /* Cookie without token (or the reverse) is not enough [V]. */
      if (g_str_equal (soup_server_message_get_method (msg), "POST"))
        {
          Form f = { 0 };
          read_form (msg, &f);
          gboolean tried = g_hash_table_contains (f.values, "username")
                           || g_hash_table_contains (f.values, "luci_username");
          gboolean ok = tried && try_login (l, msg, &f, rest);
          form_clear (&f);
          if (ok)
            return;
          send_login (msg, tried);
          return;
        }
      send_login (msg, FALSE);
      return;
    }

  if (g_str_equal (rest, "/admin/system/flashops"))
    handle_flashops (l, msg, stok);
  else if (g_str_equal (rest, "/admin/logout"))
    {
      g_hash_table_remove (l->sessions, sid);
      soup_server_message_set_redirect (msg, SOUP_STATUS_FOUND, LUCI);
    }
  else if (*rest == '\0' || g_str_equal (rest, "/") || g_str_equal (rest, "/admin")
           || g_str_equal (rest, "/admin/status/overview"))
    {
      const char *version = fr_device_get_version (l->dev);
      g_autofree char *content = g_strdup_printf (
        "<h2>Status</h2>\n<table><tr><td>Firmware Version</td><td>%s</td></tr>\n"
        "<tr><td>Kernel Version</td><td>3.10.49</td></tr>\n"
        "<tr><td>LAN</td><td>%s</td></tr></table>", version ? version : "", l->lan);
      reply_page (msg, "Overview", stok, content);
    }
  else
    {
      g_autofree char *content = g_strdup_printf ("<h2>Not Found</h2>\n<p>No page is registered "
                                                  "at '%s'.</p>", rest);
      reply_page (msg, NULL, stok, content);
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
    }
}

SoupServer *
fr_web_luci_new (FrDevice *dev, const char *lan_address)
{
  /* uhttpd sends no Server header [V]. */
  SoupServer *server = soup_server_new (NULL, NULL);
  Luci *l = g_new0 (Luci, 1);

  l->dev = dev;
  l->lan = g_strdup (lan_address);
  l->sessions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_object_set_data_full (G_OBJECT (server), "fr-luci", l, luci_free);
  soup_server_add_handler (server, NULL, handle_cb, l, NULL);
  return server;
}
