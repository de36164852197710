/* fr-web-goahead.c — the Ralink SDK stock web UI (GoAhead-Webs) of the Hame
 * and MPR-L8 firmware, as WEB-UIS.md describes it. Sessions are held by the
 * client's IP address, exactly like the real server: no cookie. */
#include "config.h"

#include <string.h>

#include "fr-device-private.h"
#include "fr-goahead-upload.h"
#include "fr-web.h"

/* Where GoAhead leaves the request body for the CGI (UPLOAD_FILENAME) [I]. */
#define UPLOAD_TMP_PATH "/var/tmpFW"
/* upload.cgi: "sleep 3 && reboot" after its reply [I]. */
#define REBOOT_AFTER_REPLY_MS 3000u

typedef struct {
  FrDevice   *dev;
  FrFamily    family;
  char       *lan;         /* dotted quad, for the success page's redirect */
  char       *md5;         /* MD5 hex of the admin password */
  char       *md5_changed; /* ... after the owner changed it (fault) */
  char       *lang;
  GHashTable *signed_in;   /* client IP -> TRUE */
  gboolean    upgrading;
} GoAhead;

static void
goahead_free (gpointer p)
{
  GoAhead *ga = p;
  g_free (ga->lan);
  g_free (ga->md5);
  g_free (ga->md5_changed);
  g_free (ga->lang);
  g_hash_table_unref (ga->signed_in);
  g_free (ga);
}

static void
reply_html (SoupServerMessage *msg, guint status, const char *html)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "text/html", SOUP_MEMORY_COPY, html, strlen (html));
}

static const char *
family_title (GoAhead *ga)
{
  return "3G Mobile Hotspot";
}

/* The login page (home.asp): the script swaps the password for its MD5 hex
 * digest before the form goes out (WEB-UIS.md [V]). */
static void
send_home (GoAhead *ga, SoupServerMessage *msg, const char *code, gboolean signed_in)
{
  g_autofree char *html = g_strdup_printf (
    "<html><head><title>Login</title>\n"
    "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">\n"
    "<script type=\"text/javascript\" src=\"/js/md5.js\"></script>\n"
    "<script>function doSignin(){var f=document.signin;"
    "f.admpass.value=hex_md5(f.admpass.value);return true;}</script>\n"
    "%s</head><body>\n"
    "<form name=\"signin\" method=\"post\" action=\"/goform/signin\" onsubmit=\"return doSignin()\">\n"
    "<input type=\"hidden\" name=\"admurl\" value=\"/main.asp\">\n"
    "<input type=\"password\" name=\"admpass\" maxlength=\"32\">\n"
    "<input type=\"submit\" value=\"Login\">\n"
    "</form>%s%s%s</body></html>\n",
    signed_in ? "<script>window.location.href=\"/main.asp\";</script>\n" : "",
    code ? "<p class=\"code\">" : "", code ? code : "", code ? "</p>" : "");
  reply_html (msg, SOUP_STATUS_OK, html);
}

static void
send_401 (SoupServerMessage *msg, const char *code)
{
  g_autofree char *html = g_strdup_printf (
    "<html><head><title>Document Error: Unauthorized</title></head><body>\n"
    "<h2>Access Error: Unauthorized</h2>\n"
    "<script>window.location.href=\"/home.asp?signin&&code=%s\";</script>\n"
    "</body></html>\n", code);
  reply_html (msg, SOUP_STATUS_UNAUTHORIZED, html);
}

static void
send_main (GoAhead *ga, SoupServerMessage *msg)
{
  const char *version = fr_device_get_version (ga->dev);
  g_autofree char *html = g_strdup_printf (
    "<html><head><title>%s</title>\n"
    "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\"></head><body>\n"
    "<h1>%s</h1>\n"
    "<table><tr><td>Firmware Version</td><td id=\"fwVersion\">%s</td></tr>\n"
    "<tr><td>LAN IP Address</td><td>%s</td></tr></table>\n"
    "<a href=\"/adm/upload_firmware.asp\">Upgrade Firmware</a>\n"
    "</body></html>\n",
    family_title (ga), family_title (ga), version ? version : "", ga->lan);
  reply_html (msg, SOUP_STATUS_OK, html);
}

static void
send_upload_page (SoupServerMessage *msg)
{
  static const char html[] =
    "<html><head><title>Upgrade Firmware</title></head><body>\n"
    "<form method=\"post\" name=\"UploadFirmware\" action=\"/cgi-bin/upload.cgi\" "
    "enctype=\"multipart/form-data\">\n"
    "<input name=\"filename\" size=\"20\" maxlength=\"256\" type=\"file\">\n"
    "<input value=\"Apply\" name=\"UploadFirmwareSubmit\" type=\"submit\">\n"
    "</form>\n"
    "<form method=\"post\" name=\"UploadBootloader\" action=\"/cgi-bin/upload_bootloader.cgi\" "
    "enctype=\"multipart/form-data\">\n"
    "<input name=\"filename\" size=\"20\" maxlength=\"256\" type=\"file\">\n"
    "<input value=\"Apply\" name=\"UploadBootloaderSubmit\" type=\"submit\">\n"
    "</form>\n"
    "<form method=\"post\" name=\"getIMGfromInternet\" action=\"/goform/getIMGfromInternet\">\n"
    "<input name=\"url\" type=\"text\"><input value=\"Apply\" type=\"submit\">\n"
    "</form></body></html>\n";
  reply_html (msg, SOUP_STATUS_OK, html);
}

/* The CGI's reply page (title "Upload Firmware", WEB-UIS.md table): what it
 * prints before its verdict, then the verdict. */
static char *
upload_page_head (const char *lines)
{
  return g_strdup_printf ("<html><head><title>Upload Firmware</title>\n"
                          "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">"
                          "</head><body>\n%s", lines);
}

static char *
upload_page_tail (GoAhead *ga, gboolean ok)
{
  const FrDeviceConfig *cfg = fr_device_get_config (ga->dev);

  if (!ok)
    return g_strdup (" . Not a valid firmware\n</body></html>\n");
  if (ga->family == FR_FAMILY_MPRL8_STOCK && cfg->l8_done_wording)
    return g_strdup ("Done...rebooting\n</body></html>\n");
  return g_strdup_printf ("Upgrade is completed and restarting, please re-connect later\n"
                          "<script>setTimeout(\"window.location.href='http://%s'\", 60000);"
                          "</script>\n</body></html>\n", ga->lan);
}

static void
send_upload_reply (GoAhead *ga, SoupServerMessage *msg, const char *lines, gboolean ok)
{
  g_autofree char *head = upload_page_head (lines);
  g_autofree char *tail = upload_page_tail (ga, ok);
  g_autofree char *html = g_strconcat (head, tail, NULL);
  reply_html (msg, SOUP_STATUS_OK, html);
}

/* GoAhead passes the CGI's output on while the CGI runs: the page's start
 * arrives at once, the verdict only once the flash is written, and the
 * length is never announced (the connection closing ends it) [I]. */
static void
start_streamed_reply (SoupServerMessage *msg, const char *lines)
{
  SoupMessageHeaders *h = soup_server_message_get_response_headers (msg);
  char *head = upload_page_head (lines);

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_content_type (h, "text/html", NULL);
  soup_message_headers_set_encoding (h, SOUP_ENCODING_EOF);
  soup_message_body_append (soup_server_message_get_response_body (msg), SOUP_MEMORY_TAKE, head,
                            strlen (head));
}

static void
finish_streamed_reply (GoAhead *ga, SoupServerMessage *msg, const char *more, gboolean ok)
{
  SoupMessageBody *body = soup_server_message_get_response_body (msg);
  char *tail = upload_page_tail (ga, ok);

  if (more != NULL && *more != '\0')
    soup_message_body_append (body, SOUP_MEMORY_COPY, more, strlen (more));
  soup_message_body_append (body, SOUP_MEMORY_TAKE, tail, strlen (tail));
  soup_message_body_complete (body);
  soup_server_message_unpause (msg);
}

typedef struct {
  GoAhead           *ga;
  SoupServerMessage *msg;
  gboolean           client_gone; /* the connection ended before the verdict */
} UpgradeJob;

static void
client_gone_cb (SoupServerMessage *msg, gpointer user_data)
{
  UpgradeJob *job = user_data;
  job->client_gone = TRUE;
}

static void
reboot_after_reply_cb (SoupServerMessage *msg, gpointer user_data)
{
  FrDevice *dev = user_data;
  fr_device_request_reboot_after_ms (dev, REBOOT_AFTER_REPLY_MS);
}

static void
upgrade_written_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  UpgradeJob *job = user_data;
  FrDevice *dev = FR_DEVICE (source);
  g_autoptr(GError) error = NULL;

  gboolean written = fr_device_flash_write_finish (dev, result, &error);

  g_signal_handlers_disconnect_by_data (job->msg, job);
  if (job->client_gone)
    {
      /* Like the real CGI, the flash is written whoever is listening; the
       * reboot follows all the same. */
      fr_device_log_event (dev, "web", "upload.cgi: the client left before the verdict");
      if (written)
        fr_device_request_reboot_after_ms (dev, REBOOT_AFTER_REPLY_MS);
    }
  else if (written)
    {
      g_signal_connect (job->msg, "finished", G_CALLBACK (reboot_after_reply_cb), dev);
      finish_streamed_reply (job->ga, job->msg, NULL, TRUE);
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
           && !g_error_matches (error, FR_DEVICE_ERROR, FR_DEVICE_ERROR_POWER_CUT))
    {
      /* The SDK's wording for a failed mtd_write [I]. */
      finish_streamed_reply (job->ga, job->msg,
                             "mtd_write fatal error! The corrupted image has ruined the flash!!\n",
                             FALSE);
    }
  /* Power gone: the connection died with the server; nothing to answer. */
  g_object_unref (job->msg);
  g_free (job);
}

static void
handle_upload (GoAhead *ga, SoupServerMessage *msg)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  FrNarrowPart part;
  FrUploadVerdict verdict;

  if (ga->upgrading)
    {
      send_upload_reply (ga, msg, "", FALSE);
      return;
    }
  fr_narrow_multipart_parse (data, len, &part);
  for (guint i = 0; i < part.notes->len; i++)
    fr_device_log_event (ga->dev, "web", "upload.cgi MIS-PARSE: %s",
                         (const char *) g_ptr_array_index (part.notes, i));

  fr_upload_check (data + part.data_offset, part.data_len, ga->family == FR_FAMILY_MPRL8_STOCK,
                   UPLOAD_TMP_PATH, &verdict);
  fr_narrow_part_clear (&part);
  if (verdict.accepted && fr_device_get_faults (ga->dev)->reject_upload)
    {
      verdict.accepted = FALSE;
      g_free (verdict.summary);
      verdict.summary = g_strdup ("refused: reject-upload fault");
    }
  fr_device_set_last_upload (ga->dev, verdict.summary);
  if (!verdict.accepted)
    {
      send_upload_reply (ga, msg, verdict.page_text->str, FALSE);
      fr_upload_verdict_clear (&verdict);
      return;
    }

  /* upload.cgi writes the partition, then answers, then reboots. */
  ga->upgrading = TRUE;
  fr_device_set_upgrading (ga->dev);
  UpgradeJob *job = g_new0 (UpgradeJob, 1);
  job->ga = ga;
  job->msg = g_object_ref (msg);
  g_signal_connect (msg, "finished", G_CALLBACK (client_gone_cb), job);
  g_signal_connect (msg, "disconnected", G_CALLBACK (client_gone_cb), job);
  start_streamed_reply (msg, verdict.page_text->str);
  fr_device_flash_write_async (ga->dev, FR_FIRMWARE_OFFSET, verdict.uimage, NULL,
                               upgrade_written_cb, job);
  fr_upload_verdict_clear (&verdict);
}

static const char *
client_ip (SoupServerMessage *msg)
{
  const char *ip = soup_server_message_get_remote_host (msg);
  return ip ? ip : "";
}

static void
handle_signin (GoAhead *ga, SoupServerMessage *msg)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  g_autofree char *text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_autoptr(GHashTable) form = soup_form_decode (text);
  const char *pass = g_hash_table_lookup (form, "admpass");

  /* The fault is read at each attempt so the control channel can flip it. */
  const char *want = fr_device_get_faults (ga->dev)->wrong_credentials ? ga->md5_changed : ga->md5;

  if (pass != NULL && g_strcmp0 (pass, want) == 0)
    {
      g_hash_table_add (ga->signed_in, g_strdup (client_ip (msg)));
      fr_device_log_event (ga->dev, "web", "signin from %s: ok", client_ip (msg));
      soup_server_message_set_redirect (msg, SOUP_STATUS_FOUND, "/home.asp");
      return;
    }
  fr_device_log_event (ga->dev, "web", "signin from %s: Incorrect Password", client_ip (msg));
  send_401 (msg, "Incorrect Password");
}

/* /goform/setSysLang takes "en"/"zhcn" as the body, a form value or, as in
 * the seed, the bare query string. */
static void
handle_lang (GoAhead *ga, SoupServerMessage *msg, const char *query)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = body ? soup_message_body_flatten (body) : NULL;
  g_autofree char *text = bytes ? g_strndup (g_bytes_get_data (bytes, NULL),
                                             g_bytes_get_size (bytes)) : g_strdup ("");
  const char *lang = NULL;

  for (const char *cand = "en"; cand != NULL; cand = g_str_equal (cand, "en") ? "zhcn" : NULL)
    if ((query && strstr (query, cand)) || strstr (text, cand))
      lang = cand;
  if (lang != NULL)
    {
      g_free (ga->lang);
      ga->lang = g_strdup (lang);
    }
  soup_server_message_set_redirect (msg, SOUP_STATUS_FOUND, "/main.asp");
}

/* Status polling data; the real format is unknown [I]: key=value lines. */
static void
handle_main_data (GoAhead *ga, SoupServerMessage *msg)
{
  const char *version = fr_device_get_version (ga->dev);
  g_autofree char *text = g_strdup_printf ("firmwareVersion=%s\nlanIp=%s\nlang=%s\n",
                                           version ? version : "", ga->lan, ga->lang);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_COPY, text, strlen (text));
}

static gboolean
is_protected (const char *path)
{
  return g_str_equal (path, "/main.asp") || g_str_has_prefix (path, "/adm/")
    || (g_str_has_prefix (path, "/goform/") && !g_str_equal (path, "/goform/signin"))
    || g_str_has_prefix (path, "/cgi-bin/");
}

static void
handle_cb (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
           gpointer user_data)
{
  GoAhead *ga = user_data;
  const char *method = soup_server_message_get_method (msg);
  gboolean post = g_str_equal (method, "POST");
  GUri *uri = soup_server_message_get_uri (msg);

  if (g_str_equal (path, "/"))
    {
      soup_server_message_set_redirect (msg, SOUP_STATUS_FOUND, "/home.asp");
      return;
    }
  if (g_str_equal (path, "/home.asp"))
    {
      const char *q = g_uri_get_query (uri);
      g_autofree char *code = NULL;
      if (q && strstr (q, "code="))
        code = g_uri_unescape_string (strstr (q, "code=") + 5, NULL);
      send_home (ga, msg, code, g_hash_table_contains (ga->signed_in, client_ip (msg)));
      return;
    }
  if (g_str_equal (path, "/goform/signin") && post)
    {
      handle_signin (ga, msg);
      return;
    }
  if (is_protected (path) && !g_hash_table_contains (ga->signed_in, client_ip (msg)))
    {
      send_401 (msg, "Signin first!");
      return;
    }
  if (g_str_equal (path, "/main.asp"))
    send_main (ga, msg);
  else if (g_str_equal (path, "/adm/upload_firmware.asp"))
    send_upload_page (msg);
  else if (g_str_equal (path, "/goform/setSysLang"))
    handle_lang (ga, msg, g_uri_get_query (uri));
  else if (g_str_equal (path, "/goform/GetmainData"))
    handle_main_data (ga, msg);
  else if (g_str_equal (path, "/cgi-bin/upload.cgi") && post)
    handle_upload (ga, msg);
  else if (g_str_equal (path, "/goform/getIMGfromInternet"))
    {
      /* The real one fetches an image from the internet; there is none here,
       * and mprflash must never use it. */
      fr_device_log_event (ga->dev, "web", "getIMGfromInternet called from %s: refused by the "
                           "simulator (no internet)", client_ip (msg));
      reply_html (msg, SOUP_STATUS_FORBIDDEN, "<html><body>refused</body></html>\n");
    }
  else if (g_str_equal (path, "/cgi-bin/upload_bootloader.cgi"))
    {
      /* The real one overwrites the bootloader; mprflash must never call it. */
      fr_device_log_event (ga->dev, "web", "BOOTLOADER UPLOAD ATTEMPTED from %s: refused by the "
                           "simulator (the real unit would overwrite its bootloader)",
                           client_ip (msg));
      fr_device_set_last_upload (ga->dev, "refused: upload_bootloader.cgi");
      reply_html (msg, SOUP_STATUS_FORBIDDEN, "<html><body>refused</body></html>\n");
    }
  else
    reply_html (msg, SOUP_STATUS_NOT_FOUND,
                "<html><head><title>Document Error: Not Found</title></head><body>\n"
                "<h2>Access Error: Not Found</h2>\n<p>Cannot open URL</p></body></html>\n");
}

SoupServer *
fr_web_goahead_new (FrDevice *dev, FrFamily family, const char *lan_address)
{
  const FrDeviceConfig *cfg = fr_device_get_config (dev);
  SoupServer *server = soup_server_new ("server-header", "GoAhead-Webs", NULL);
  GoAhead *ga = g_new0 (GoAhead, 1);
  const char *password = cfg->stock_password;

  if (password == NULL)
    password = family == FR_FAMILY_MPRL8_STOCK ? "admin" : "hame";
  ga->dev = dev;
  ga->family = family;
  ga->lan = g_strdup (lan_address);
  ga->lang = g_strdup ("en");
  ga->md5 = g_compute_checksum_for_string (G_CHECKSUM_MD5, password, -1);
  ga->md5_changed = g_compute_checksum_for_string (G_CHECKSUM_MD5, "changed-by-owner", -1);
  ga->signed_in = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_object_set_data_full (G_OBJECT (server), "fr-goahead", ga, goahead_free);
  soup_server_add_handler (server, NULL, handle_cb, ga, NULL);
  return server;
}
