/* See test-web-router.h. Pages follow WEB-UIS.md; only what the flashers and
 * the identification rules look at is reproduced. */
#include "config.h"

#include <string.h>
#include <sys/socket.h>
#include <libsoup/soup.h>

#include "test-web-router.h"

struct _TestWebRouter {
  TwrFamily      family;
  GThread       *thread;
  GMainContext  *context;
  GMainLoop     *loop;
  SoupServer    *server;
  GSocketService *telnet;
  guint16        telnet_port;
  char          *address;
  GMutex         lock;
  GCond          cond;
  gboolean       ready;

  /* switches and records, under @lock */
  char          *password;
  TwrUpload      upload;
  TwrTokenStyle  token_style;
  gboolean       logged_in;        /* GoAhead: the client's address is trusted */
  char          *sid;
  char          *token;
  GBytes        *file;
  char          *violation;
  char          *admurl;
  guint          failed_logins;
  guint          auth_rejections;
  gboolean       flashing;
  GPtrArray     *paused;           /* of SoupServerMessage*, HANG mode */
};

static const char login_page[] =
  "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">\n"
  "<title>Login</title>%s\n"
  "<script>function doSignin(){var f=document.signin;f.admpass.value=hex_md5(f.admpass.value);f.submit();}</script>\n"
  "</head><body><form name=\"signin\" method=\"post\" action=\"/goform/signin\">\n"
  "<input type=\"hidden\" name=\"admurl\" value=\"/main.asp\">\n"
  "<input type=\"password\" name=\"admpass\" maxlength=\"32\">\n"
  "<input type=\"button\" value=\"Login\" onclick=\"doSignin()\"></form></body></html>\n";

static const char luci_login_page[] =
  "<!DOCTYPE html><html><head><title>OpenWrt - LuCI</title></head><body>\n"
  "<form method=\"post\" action=\"/cgi-bin/luci\">%s\n"
  "<input type=\"text\" name=\"username\" value=\"root\" />\n"
  "<input type=\"password\" name=\"password\" />\n"
  "<input type=\"submit\" value=\"Login\" /></form>\n"
  "<footer>Powered by LuCI 0.12 Branch (0.12+svn-r10530) - OpenWrt Barrier Breaker 14.07</footer>\n"
  "</body></html>\n";

/* ---- the SDK's hand parser ---- */

static const guint8 *
find (const guint8 *hay, gsize len, const guint8 *needle, gsize nlen)
{
  for (gsize i = 0; nlen <= len && i + nlen <= len; i++)
    if (memcmp (hay + i, needle, nlen) == 0)
      return hay + i;
  return NULL;
}

/* Next CRLF-terminated line from *pos; NULL if none. */
static char *
next_line (const guint8 *body, gsize len, gsize *pos)
{
  const guint8 *eol = find (body + *pos, len - *pos, (const guint8 *) "\r\n", 2);
  char *line;

  if (eol == NULL)
    return NULL;
  line = g_strndup ((const char *) body + *pos, (gsize) (eol - (body + *pos)));
  *pos = (gsize) (eol - body) + 2;
  return line;
}

gboolean
twr_sdk_parse_upload (const guint8 *body, gsize len, GBytes **file, char **why)
{
  g_autofree char *boundary = NULL;
  g_autofree char *disposition = NULL;
  g_autofree char *header = NULL;
  g_autofree char *blank = NULL;
  g_autofree char *marker = NULL;
  const guint8 *end;
  gsize pos = 0;

  *file = NULL;
  boundary = next_line (body, len, &pos);
  if (boundary == NULL || !g_str_has_prefix (boundary, "--") || strlen (boundary) < 3)
    return *why = g_strdup ("first line is not a boundary"), FALSE;
  disposition = next_line (body, len, &pos);
  if (disposition == NULL || !g_str_has_prefix (disposition, "Content-Disposition:")
      || strstr (disposition, "name=\"filename\"") == NULL || strstr (disposition, "filename=\"") == NULL)
    return *why = g_strdup ("the file part named \"filename\" is not first"), FALSE;
  header = next_line (body, len, &pos);
  if (header == NULL || header[0] == '\0')
    return *why = g_strdup ("no header line after Content-Disposition"), FALSE;
  blank = next_line (body, len, &pos);
  if (blank == NULL || blank[0] != '\0')
    return *why = g_strdup ("more than one header line after Content-Disposition"), FALSE;
  marker = g_strconcat ("\r\n", boundary, NULL);
  end = find (body + pos, len - pos, (const guint8 *) marker, strlen (marker));
  if (end == NULL)
    return *why = g_strdup ("no closing boundary"), FALSE;
  *file = g_bytes_new (body + pos, (gsize) (end - (body + pos)));
  *why = NULL;
  return TRUE;
}

/* ---- helpers ---- */

static void
reply (SoupServerMessage *msg, guint status, const char *ctype, const char *body)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, ctype, SOUP_MEMORY_COPY, body, strlen (body));
}

static GBytes *
request_body (SoupServerMessage *msg)
{
  return soup_message_body_flatten (soup_server_message_get_request_body (msg));
}

static GHashTable *
request_form (SoupServerMessage *msg)
{
  g_autoptr(GBytes) body = request_body (msg);
  g_autofree char *text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));

  return soup_form_decode (text);
}

static void
set_violation (TestWebRouter *self, const char *what)
{
  g_mutex_lock (&self->lock);
  if (self->violation == NULL)
    self->violation = g_strdup (what);
  g_mutex_unlock (&self->lock);
  g_printerr ("test-web-router: VIOLATION: %s\n", what);
}

static gboolean
is_uimage (GBytes *file)
{
  const guint8 *p = g_bytes_get_data (file, NULL);

  return g_bytes_get_size (file) >= 64 && p[0] == 0x27 && p[1] == 0x05 && p[2] == 0x19 && p[3] == 0x56;
}

static gboolean
is_encoded (GBytes *file)
{
  const guint8 *p = g_bytes_get_data (file, NULL);

  return g_bytes_get_size (file) >= 28 && p[8] == 0 && p[9] == 0 && p[10] == 0x0e && p[11] == 0x02;
}

/* ---- GoAhead (Hame, MPR-L8) ---- */

static void
goahead_upload (TestWebRouter *self, SoupServerMessage *msg)
{
  g_autoptr(GBytes) body = request_body (msg);
  g_autoptr(GBytes) file = NULL;
  g_autofree char *why = NULL;
  TwrUpload mode;
  gboolean ok;

  g_mutex_lock (&self->lock);
  mode = self->upload;
  ok = self->logged_in;
  g_mutex_unlock (&self->lock);
  if (!ok)
    {
      reply (msg, SOUP_STATUS_UNAUTHORIZED, "text/html",
             "<html><script>window.location.href=\"/home.asp?signin&&code=Signin first!\";</script></html>");
      return;
    }
  if (!twr_sdk_parse_upload (g_bytes_get_data (body, NULL), g_bytes_get_size (body), &file, &why))
    {
      set_violation (self, why);
      reply (msg, SOUP_STATUS_OK, "text/html",
             "<html><head><title>Upload Firmware</title></head><body> . Not a valid firmware</body></html>");
      return;
    }
  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->file, g_bytes_unref);
  self->file = g_bytes_ref (file);
  g_mutex_unlock (&self->lock);

  if (mode == TWR_UPLOAD_HANG)
    {
      soup_server_message_pause (msg);
      g_ptr_array_add (self->paused, g_object_ref (msg));
      return;
    }
  if (mode == TWR_UPLOAD_AUTO)
    {
      const char *name = (const char *) g_bytes_get_data (file, NULL) + 32;
      gboolean good = self->family == TWR_MPRL8 ? is_encoded (file)
                      : (is_uimage (file) && strncmp (name, "Linux Kernel Image", 32) == 0);
      mode = good ? TWR_UPLOAD_AUTO : TWR_UPLOAD_NOT_VALID;
    }
  switch (mode)
    {
    case TWR_UPLOAD_NOT_VALID:
      reply (msg, SOUP_STATUS_OK, "text/html",
             "<html><head><title>Upload Firmware</title></head><body>Image Name: MIPS OpenWrt Linux-3.10.49<br>"
             " . Not a valid firmware</body></html>");
      return;
    case TWR_UPLOAD_CORRUPTED:
      reply (msg, SOUP_STATUS_OK, "text/html",
             "<html><head><title>Upload Firmware</title></head><body>*** Warning: \"/var/tmpFW\" has "
             "corrupted data!<br> . Not a valid firmware</body></html>");
      return;
    case TWR_UPLOAD_TOO_BIG:
      reply (msg, SOUP_STATUS_OK, "text/html",
             "<html><head><title>Upload Firmware</title></head><body>*** Warning: the image file(0x3c1000) "
             "is bigger than Kernel_RootFS MTD partition.<br> . Not a valid firmware</body></html>");
      return;
    case TWR_UPLOAD_SDK_WORDING:
      reply (msg, SOUP_STATUS_OK, "text/html", "<html><body>Done...rebooting</body></html>");
      break;
    default:
      reply (msg, SOUP_STATUS_OK, "text/html",
             "<html><head><title>Upload Firmware</title></head><body>Upgrade is completed and restarting, "
             "please re-connect later<script>setTimeout(\"location.href='http://192.168.169.1'\", 60000);"
             "</script></body></html>");
      break;
    }
  g_mutex_lock (&self->lock);
  self->flashing = TRUE;
  g_mutex_unlock (&self->lock);
}

static void
goahead_handler (TestWebRouter *self, SoupServerMessage *msg, const char *path)
{
  const char *method = soup_server_message_get_method (msg);

  if (g_str_equal (path, "/"))
    {
      g_autofree char *loc = g_strdup_printf ("http://%s/home.asp", self->address);
      soup_server_message_set_redirect (msg, SOUP_STATUS_FOUND, loc);
    }
  else if (g_str_equal (path, "/home.asp"))
    {
      g_autofree char *page = g_strdup_printf (login_page, self->family == TWR_MPRL8
                                               ? "<meta name=\"copyright\" content=\"ZLMnet\">" : "");
      reply (msg, SOUP_STATUS_OK, "text/html", page);
    }
  else if (g_str_equal (path, "/main.asp"))
    {
      gboolean in;

      g_mutex_lock (&self->lock);
      in = self->logged_in;
      g_mutex_unlock (&self->lock);
      if (in)
        reply (msg, SOUP_STATUS_OK, "text/html", "<html><head><title>3G Mobile Hotspot</title></head></html>");
      else
        reply (msg, SOUP_STATUS_UNAUTHORIZED, "text/html",
               "<html><script>window.location.href=\"/home.asp?signin&&code=Signin first!\";</script></html>");
    }
  else if (g_str_equal (path, "/goform/signin") && g_str_equal (method, "POST"))
    {
      g_autoptr(GHashTable) form = request_form (msg);
      const char *admpass = form ? g_hash_table_lookup (form, "admpass") : NULL;
      g_autofree char *want = NULL;
      gboolean good;

      g_mutex_lock (&self->lock);
      want = g_compute_checksum_for_string (G_CHECKSUM_MD5, self->password ? self->password : "", -1);
      good = g_strcmp0 (admpass, want) == 0;
      self->logged_in |= good;
      self->failed_logins += good ? 0 : 1;
      g_free (self->admurl);
      self->admurl = g_strdup (form ? g_hash_table_lookup (form, "admurl") : NULL);
      g_mutex_unlock (&self->lock);
      if (good)
        soup_server_message_set_redirect (msg, SOUP_STATUS_FOUND, "/home.asp");
      else
        reply (msg, SOUP_STATUS_UNAUTHORIZED, "text/html",
               "<html><script>window.location.href=\"/home.asp?signin&&code=Incorrect Password\";</script></html>");
    }
  else if (g_str_equal (path, "/cgi-bin/upload.cgi") && g_str_equal (method, "POST"))
    goahead_upload (self, msg);
  else
    reply (msg, SOUP_STATUS_NOT_FOUND, "text/html",
           "<html><head><title>Document Error: Site or Page Not Found</title></head><body>Cannot open URL</body></html>");
}

/* ---- LuCI ---- */

static gboolean
luci_authorised (TestWebRouter *self, SoupServerMessage *msg, const char *path)
{
  const char *cookie = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Cookie");
  g_autofree char *want_cookie = NULL;
  g_autofree char *want_prefix = NULL;
  gboolean ok;

  g_mutex_lock (&self->lock);
  ok = self->sid != NULL;
  if (ok)
    {
      want_cookie = g_strdup_printf ("sysauth=%s", self->sid);
      want_prefix = g_strdup_printf ("/cgi-bin/luci/;stok=%s/", self->token);
      /* Both are required: the cookie and the token in the path. */
      ok = cookie != NULL && strstr (cookie, want_cookie) != NULL && g_str_has_prefix (path, want_prefix);
    }
  if (!ok)
    self->auth_rejections++;
  g_mutex_unlock (&self->lock);
  return ok;
}

static void
luci_flashops (TestWebRouter *self, SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  g_autoptr(GBytes) body = request_body (msg);
  const char *ctype = soup_message_headers_get_content_type (headers, NULL);
  TwrUpload mode;

  g_mutex_lock (&self->lock);
  mode = self->upload;
  g_mutex_unlock (&self->lock);

  if (g_strcmp0 (ctype, "multipart/form-data") == 0)
    {
      g_autoptr(SoupMultipart) mp = soup_multipart_new_from_message (headers, body);
      GBytes *image = NULL;

      if (mp == NULL)
        {
          set_violation (self, "unparsable multipart body");
          reply (msg, SOUP_STATUS_BAD_REQUEST, "text/html", "bad multipart");
          return;
        }
      for (int i = 0; i < soup_multipart_get_length (mp); i++)
        {
          SoupMessageHeaders *ph;
          GBytes *pb;
          g_autoptr(GHashTable) params = NULL;
          const char *name;

          soup_multipart_get_part (mp, i, &ph, &pb);
          soup_message_headers_get_content_disposition (ph, NULL, &params);
          name = params ? g_hash_table_lookup (params, "name") : NULL;
          if (g_strcmp0 (name, "image") == 0)
            image = pb;
          else
            {
              /* LuCI would unpack any other file part over the root fs. */
              g_autofree char *v = g_strdup_printf ("extra part \"%s\" in the flashops upload", name ? name : "?");
              set_violation (self, v);
            }
        }
      if (image == NULL)
        {
          set_violation (self, "no image part");
          reply (msg, SOUP_STATUS_OK, "text/html", "<html><title>OpenWrt - Flash operations - LuCI</title></html>");
          return;
        }
      g_mutex_lock (&self->lock);
      g_clear_pointer (&self->file, g_bytes_unref);
      self->file = g_bytes_ref (image);
      g_mutex_unlock (&self->lock);
      if (!is_uimage (image) || mode == TWR_UPLOAD_NOT_VALID)
        {
          reply (msg, SOUP_STATUS_OK, "text/html",
                 "<html><head><title>OpenWrt - Flash operations - LuCI</title></head><body>"
                 "<div class=\"error\">The uploaded image file does not contain a supported format. "
                 "Make sure that you choose the generic image format for your platform.</div></body></html>");
          return;
        }
      {
        g_autofree char *md5 = g_compute_checksum_for_bytes (G_CHECKSUM_MD5, image);
        g_autofree char *page = NULL;

        if (mode == TWR_UPLOAD_MD5_LIE)
          md5[0] = md5[0] == '0' ? '1' : '0';
        page = g_strdup_printf ("<html><head><title>OpenWrt - Flash Firmware - Verify - LuCI</title></head><body>"
                                "<a href=\"/cgi-bin/luci/;stok=%s/admin\">Administration</a>"
                                "<ul><li>Checksum: <code>%s</code></li>"
                                "<li>Size: %.2f MB</li></ul>"
                                "<form method=\"post\"><input type=\"hidden\" name=\"step\" value=\"2\" />"
                                "<input type=\"hidden\" name=\"keep\" value=\"\" /></form></body></html>",
                                self->token, md5, g_bytes_get_size (image) / 1024.0 / 1024.0);
        reply (msg, SOUP_STATUS_OK, "text/html", page);
      }
      return;
    }

  {
    g_autoptr(GHashTable) form = request_form (msg);
    const char *step = form ? g_hash_table_lookup (form, "step") : NULL;
    const char *keep = form ? g_hash_table_lookup (form, "keep") : NULL;

    if (g_strcmp0 (step, "2") != 0)
      {
        reply (msg, SOUP_STATUS_OK, "text/html", "<html><title>OpenWrt - Flash operations - LuCI</title></html>");
        return;
      }
    if (keep == NULL || keep[0] != '\0')
      set_violation (self, "step 2 without an empty keep=");
    g_mutex_lock (&self->lock);
    self->flashing = self->file != NULL;
    g_mutex_unlock (&self->lock);
    reply (msg, SOUP_STATUS_OK, "text/html",
           "<html><head><title>OpenWrt - LuCI</title></head><body><h2>Flashing...</h2>"
           "<p>The system is flashing now.<br /> DO NOT POWER OFF THE DEVICE!</p></body></html>");
  }
}

static void
luci_handler (TestWebRouter *self, SoupServerMessage *msg, const char *path)
{
  const char *method = soup_server_message_get_method (msg);

  if (g_str_equal (path, "/"))
    reply (msg, SOUP_STATUS_OK, "text/html",
           "<html><head><meta http-equiv=\"refresh\" content=\"0; URL=/cgi-bin/luci\" /></head>"
           "<body><a href=\"/cgi-bin/luci\">LuCI - Lua Configuration Interface</a></body></html>");
  else if (g_str_equal (path, "/cgi-bin/luci") && g_str_equal (method, "POST"))
    {
      g_autoptr(GHashTable) form = request_form (msg);
      const char *user = form ? g_hash_table_lookup (form, "username") : NULL;
      const char *pass = form ? g_hash_table_lookup (form, "password") : NULL;
      gboolean good;
      TwrTokenStyle style;

      g_mutex_lock (&self->lock);
      good = g_strcmp0 (user, "root") == 0 && pass != NULL
             && (self->password == NULL || g_str_equal (self->password, pass));
      if (good)
        {
          g_free (self->sid);
          g_free (self->token);
          g_autofree char *a = g_uuid_string_random ();
          g_autofree char *b = g_uuid_string_random ();

          /* A new session on every login, as LuCI does. */
          self->sid = g_compute_checksum_for_string (G_CHECKSUM_MD5, a, -1);
          self->token = g_compute_checksum_for_string (G_CHECKSUM_MD5, b, -1);
        }
      else
        self->failed_logins++;
      style = self->token_style;
      g_mutex_unlock (&self->lock);
      if (!good)
        {
          g_autofree char *page = g_strdup_printf (luci_login_page, "<div class=\"error\">Invalid username and/or password! Please try again.</div>");
          reply (msg, SOUP_STATUS_OK, "text/html", page);
          return;
        }
      {
        g_autofree char *cookie = NULL;
        g_autofree char *page = NULL;

        if (style == TWR_TOKEN_LOCATION_ONLY)
          {
            g_autofree char *loc = g_strdup_printf ("/cgi-bin/luci/;stok=%s", self->token);
            cookie = g_strdup_printf ("sysauth=%s; path=/cgi-bin/luci/", self->sid);
            soup_message_headers_append (soup_server_message_get_response_headers (msg), "Set-Cookie", cookie);
            soup_server_message_set_redirect (msg, SOUP_STATUS_FOUND, loc);
            return;
          }
        cookie = g_strdup_printf ("sysauth=%s; path=/cgi-bin/luci/;stok=%s", self->sid, self->token);
        soup_message_headers_append (soup_server_message_get_response_headers (msg), "Set-Cookie", cookie);
        page = g_strdup_printf ("<html><head><title>OpenWrt - Overview - LuCI</title></head><body>"
                                "<a href=\"/cgi-bin/luci/;stok=%s/admin/system\">System</a></body></html>",
                                self->token);
        reply (msg, SOUP_STATUS_OK, "text/html", page);
      }
    }
  else if (g_str_equal (path, "/cgi-bin/luci"))
    {
      g_autofree char *page = g_strdup_printf (luci_login_page, "");
      reply (msg, SOUP_STATUS_OK, "text/html", page);
    }
  else if (g_str_has_prefix (path, "/cgi-bin/luci/") && g_str_has_suffix (path, "/admin/system/flashops")
           && g_str_equal (method, "POST"))
    {
      if (!luci_authorised (self, msg, path))
        {
          g_autofree char *page = g_strdup_printf (luci_login_page, "");
          reply (msg, SOUP_STATUS_FORBIDDEN, "text/html", page);
          return;
        }
      luci_flashops (self, msg);
    }
  else
    reply (msg, SOUP_STATUS_NOT_FOUND, "text/html", "<h1>Not Found</h1>");
}

/* ---- server plumbing ---- */

static void
handler_cb (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
            gpointer user_data)
{
  TestWebRouter *self = user_data;

  switch (self->family)
    {
    case TWR_HAME:
    case TWR_MPRL8:
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Server", "GoAhead-Webs");
      goahead_handler (self, msg, path);
      break;
    case TWR_OPENWRT:
      luci_handler (self, msg, path);
      break;
    case TWR_OTHER:
    default:
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Server", "nginx/1.22.1");
      reply (msg, SOUP_STATUS_OK, "text/html", "<html><head><title>Welcome to nginx!</title></head></html>");
      break;
    }
}

static void
early_cb (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
          gpointer user_data)
{
  TestWebRouter *self = user_data;
  TwrUpload mode;

  g_mutex_lock (&self->lock);
  mode = self->upload;
  g_mutex_unlock (&self->lock);
  if (mode == TWR_UPLOAD_DROP && g_str_equal (soup_server_message_get_method (msg), "POST")
      && (g_str_equal (path, "/cgi-bin/upload.cgi") || g_str_has_suffix (path, "/flashops")))
    {
      /* A reset, as a router that ran out of memory mid-upload gives. */
      GSocket *sock = soup_server_message_get_socket (msg);
      struct linger l = { 1, 0 };
      g_autoptr(GIOStream) stream = NULL;

      setsockopt (g_socket_get_fd (sock), SOL_SOCKET, SO_LINGER, &l, sizeof l);
      stream = soup_server_message_steal_connection (msg);
      g_io_stream_close (stream, NULL, NULL);
    }
}

static gboolean
telnet_incoming_cb (GSocketService *service, GSocketConnection *conn, GObject *source, gpointer user_data)
{
  TestWebRouter *self = user_data;
  static const char l8[] = "\xff\xfd\x01\xff\xfd\x1f\xff\xfb\x01\xff\xfb\x03\r\nZLMnet login: ";
  static const char hame[] = "\xff\xfd\x01\xff\xfd\x1f\xff\xfb\x01\xff\xfb\x03\r\n(none) login: ";
  const char *banner = self->family == TWR_MPRL8 ? l8 : hame;

  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn)), banner,
                             strlen (banner), NULL, NULL, NULL);
  g_io_stream_close (G_IO_STREAM (conn), NULL, NULL);
  return TRUE;
}

static gpointer
thread_main (gpointer data)
{
  TestWebRouter *self = data;
  g_autoptr(GError) error = NULL;
  g_autoslist(GUri) uris = NULL;

  g_main_context_push_thread_default (self->context);
  self->server = soup_server_new ("server-header", NULL, NULL);
  soup_server_add_handler (self->server, NULL, handler_cb, self, NULL);
  soup_server_add_early_handler (self->server, NULL, early_cb, self, NULL);
  soup_server_listen_local (self->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (self->server);
  self->address = g_strdup_printf ("127.0.0.1:%d", g_uri_get_port (uris->data));

  if (self->family == TWR_HAME || self->family == TWR_MPRL8)
    {
      g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
      g_autoptr(GSocketAddress) want = g_inet_socket_address_new (lo, 0);
      g_autoptr(GSocketAddress) got = NULL;

      self->telnet = g_socket_service_new ();
      g_socket_listener_add_address (G_SOCKET_LISTENER (self->telnet), want, G_SOCKET_TYPE_STREAM,
                                     G_SOCKET_PROTOCOL_TCP, NULL, &got, &error);
      g_assert_no_error (error);
      self->telnet_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (got));
      g_signal_connect (self->telnet, "incoming", G_CALLBACK (telnet_incoming_cb), self);
      g_socket_service_start (self->telnet);
    }

  g_mutex_lock (&self->lock);
  self->ready = TRUE;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);

  g_main_loop_run (self->loop);

  for (guint i = 0; i < self->paused->len; i++)
    {
      reply (g_ptr_array_index (self->paused, i), SOUP_STATUS_SERVICE_UNAVAILABLE, "text/plain", "stopped");
      soup_server_message_unpause (g_ptr_array_index (self->paused, i));
    }
  g_ptr_array_set_size (self->paused, 0);
  soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  if (self->telnet != NULL)
    {
      g_socket_service_stop (self->telnet);
      g_socket_listener_close (G_SOCKET_LISTENER (self->telnet));
      g_clear_object (&self->telnet);
    }
  while (g_main_context_iteration (self->context, FALSE))
    ;
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

TestWebRouter *
twr_new (TwrFamily family)
{
  TestWebRouter *self = g_new0 (TestWebRouter, 1);

  self->family = family;
  self->password = g_strdup (family == TWR_HAME ? "hame" : family == TWR_MPRL8 ? "admin" : NULL);
  self->paused = g_ptr_array_new_with_free_func (g_object_unref);
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  self->thread = g_thread_new ("test-web-router", thread_main, self);
  g_mutex_lock (&self->lock);
  while (!self->ready)
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);
  return self;
}

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

void
twr_free (TestWebRouter *self)
{
  g_main_context_invoke (self->context, quit_cb, self->loop);
  g_thread_join (self->thread);
  g_main_loop_unref (self->loop);
  g_main_context_unref (self->context);
  g_ptr_array_unref (self->paused);
  g_free (self->address);
  g_free (self->password);
  g_free (self->sid);
  g_free (self->token);
  g_free (self->violation);
  g_free (self->admurl);
  g_clear_pointer (&self->file, g_bytes_unref);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_free (self);
}

const char *
twr_get_address (TestWebRouter *self)
{
  return self->address;
}

guint16
twr_get_telnet_port (TestWebRouter *self)
{
  return self->telnet_port;
}

#define LOCKED(stmt) G_STMT_START { g_mutex_lock (&self->lock); stmt; g_mutex_unlock (&self->lock); } G_STMT_END

void
twr_set_password (TestWebRouter *self, const char *password)
{
  LOCKED (g_free (self->password); self->password = g_strdup (password));
}

void
twr_set_upload (TestWebRouter *self, TwrUpload mode)
{
  LOCKED (self->upload = mode);
}

void
twr_set_token_style (TestWebRouter *self, TwrTokenStyle style)
{
  LOCKED (self->token_style = style);
}

GBytes *
twr_dup_file (TestWebRouter *self)
{
  GBytes *b;

  LOCKED (b = self->file ? g_bytes_ref (self->file) : NULL);
  return b;
}

char *
twr_dup_violation (TestWebRouter *self)
{
  char *v;

  LOCKED (v = g_strdup (self->violation));
  return v;
}

char *
twr_dup_admurl (TestWebRouter *self)
{
  char *v;

  LOCKED (v = g_strdup (self->admurl));
  return v;
}

guint
twr_get_failed_logins (TestWebRouter *self)
{
  guint n;

  LOCKED (n = self->failed_logins);
  return n;
}

guint
twr_get_auth_rejections (TestWebRouter *self)
{
  guint n;

  LOCKED (n = self->auth_rejections);
  return n;
}

gboolean
twr_get_flashing (TestWebRouter *self)
{
  gboolean f;

  LOCKED (f = self->flashing);
  return f;
}
