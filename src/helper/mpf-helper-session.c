#include "config.h"

#include "mpf-helper-session.h"

#include <glib/gi18n.h>
#include <string.h>
#include <unistd.h>

#include "mpf-helper-capture.h"
#include "mpf-helper-caps.h"
#include "mpf-helper-iface.h"
#include "mpf-helper-netlink.h"
#include "mpf-helper-tftp.h"
#include "mpf-helper-watch.h"
#include "mpf-recovery-container.h"

struct _MpfHelperSession {
  MpfHelperOutputFunc output;
  MpfHelperFatalFunc  fatal;
  gpointer            user_data;
  MpfHelperSink       sink;

  gboolean            have_iface; /* the first interface named binds the session */
  MpfHelperIface      iface;
  GPtrArray          *added;      /* const MpfHelperAddress*, in the order added */

  MpfHelperWatch     *watch;
  MpfHelperCapture   *capture;    /* the session capture, once started */
  MpfHelperTftp      *tftp;

  /* The image being received, then the complete one. */
  GByteArray         *image;
  GChecksum          *image_sum;
  guint64             image_size;
  guint8              image_sha256[32];
  GBytes             *complete_image;
};

static void
emit_cb (const char *event, JsonObject *fields, gpointer user_data)
{
  MpfHelperSession *self = user_data;
  g_autofree char *line = mpf_helper_event (event, fields);

  self->output (line, self->user_data);
}

static void
fatal_cb (const char *message, gpointer user_data)
{
  MpfHelperSession *self = user_data;
  g_autoptr(JsonObject) o = json_object_new ();

  json_object_set_string_member (o, "message", message);
  emit_cb ("fatal", o, self);
  self->fatal (self->user_data);
}

MpfHelperSession *
mpf_helper_session_new (MpfHelperOutputFunc output,
                        MpfHelperFatalFunc  fatal,
                        gpointer            user_data)
{
  MpfHelperSession *self = g_new0 (MpfHelperSession, 1);

  self->output = output;
  self->fatal = fatal;
  self->user_data = user_data;
  self->sink.emit = emit_cb;
  self->sink.fatal = fatal_cb;
  self->sink.user_data = self;
  self->added = g_ptr_array_new ();
  return self;
}

static void
reset_image (MpfHelperSession *self)
{
  g_clear_pointer (&self->image, g_byte_array_unref);
  g_clear_pointer (&self->image_sum, g_checksum_free);
  self->image_size = 0;
}

void
mpf_helper_session_free (MpfHelperSession *self)
{
  /* Addresses first: they are what the user's machine would keep. */
  for (guint i = self->added->len; i > 0; i--)
    {
      const MpfHelperAddress *a = g_ptr_array_index (self->added, i - 1);
      g_autoptr(GError) error = NULL;

      if (!mpf_helper_netlink_addr_del (self->iface.ifindex, a->address, a->prefix, &error))
        g_printerr ("mprflash-helper: %s\n", error->message);
    }
  g_ptr_array_unref (self->added);
  mpf_helper_tftp_free (self->tftp);
  mpf_helper_watch_free (self->watch);
  mpf_helper_capture_free (self->capture);
  reset_image (self);
  g_clear_pointer (&self->complete_image, g_bytes_unref);
  g_free (self);
}

static void
reply_ok (MpfHelperSession *self, const MpfHelperRequest *req, JsonObject *extra)
{
  g_autofree char *line = mpf_helper_reply_ok (req->id, extra);

  self->output (line, self->user_data);
}

static void
reply_error (MpfHelperSession *self, const MpfHelperRequest *req, const GError *error)
{
  g_autofree char *line = mpf_helper_reply_error (req->id, error);

  self->output (line, self->user_data);
}

/* The session acts on one interface only: the first one named. */
static gboolean
use_interface (MpfHelperSession *self, const char *name, GError **error)
{
  MpfHelperIface iface;

  if (self->have_iface)
    {
      if (strcmp (name, self->iface.name) != 0)
        {
          g_set_error (error, MPF_HELPER_ERROR, MPF_HELPER_ERROR_BAD_INTERFACE,
                       _("This helper session works on %s only"), self->iface.name);
          return FALSE;
        }
      /* Re-check: the device may have gone or been replaced. */
      if (!mpf_helper_iface_lookup (name, &iface, error))
        return FALSE;
      if (iface.ifindex != self->iface.ifindex)
        {
          g_set_error (error, MPF_HELPER_ERROR, MPF_HELPER_ERROR_BAD_INTERFACE,
                       _("Interface %s was replaced"), name);
          return FALSE;
        }
      return TRUE;
    }
  if (!mpf_helper_iface_lookup (name, &iface, error))
    return FALSE;
  self->iface = iface;
  self->have_iface = TRUE;
  return TRUE;
}

static void
drop_cap (cap_value_t cap)
{
  g_autoptr(GError) error = NULL;

  if (!mpf_helper_caps_drop (cap, &error))
    g_printerr ("mprflash-helper: %s\n", error->message);
}

static gboolean
ensure_watch (MpfHelperSession *self, GError **error)
{
  if (self->watch != NULL)
    return TRUE;
  self->watch = mpf_helper_watch_open (&self->iface, &self->sink, error);
  if (self->watch == NULL)
    return FALSE;
  /* The capture handle does both watching and probing: raw access is no
   * longer needed. */
  drop_cap (CAP_NET_RAW);
  return TRUE;
}

static void
add_strv (JsonObject *o, const char *name, const char *const *v)
{
  JsonArray *a = json_array_new ();

  for (; v != NULL && *v != NULL; v++)
    json_array_add_string_element (a, *v);
  json_object_set_array_member (o, name, a);
}

static void
op_hello (MpfHelperSession *self, const MpfHelperRequest *req)
{
  g_autoptr(JsonObject) o = json_object_new ();
  g_auto(GStrv) caps = mpf_helper_caps_list ();
  const MpfHelperAddress *table;
  JsonArray *addrs = json_array_new ();
  gsize n;

  table = mpf_helper_allowed_addresses (&n);
  for (gsize i = 0; i < n; i++)
    {
      g_autofree char *s = g_strdup_printf ("%s/%u", table[i].address, table[i].prefix);
      json_array_add_string_element (addrs, s);
    }
  json_object_set_int_member (o, "protocol", MPF_HELPER_PROTOCOL_VERSION);
  json_object_set_string_member (o, "version", PACKAGE_VERSION);
  json_object_set_int_member (o, "pid", getpid ());
  add_strv (o, "caps", (const char *const *) caps);
  json_object_set_array_member (o, "addresses", addrs);
  add_strv (o, "probe_targets", mpf_helper_probe_targets ());
  json_object_set_int_member (o, "max_image", MPF_HELPER_MAX_IMAGE);
  json_object_set_int_member (o, "max_chunk", MPF_HELPER_MAX_CHUNK);
  if (self->have_iface)
    json_object_set_string_member (o, "interface", self->iface.name);
  reply_ok (self, req, o);
}

static gboolean
op_watch (MpfHelperSession *self, const MpfHelperRequest *req, GError **error)
{
  if (!use_interface (self, req->interface, error) || !ensure_watch (self, error))
    return FALSE;
  mpf_helper_watch_start (self->watch);
  reply_ok (self, req, NULL);
  return TRUE;
}

static gboolean
op_arp_probe (MpfHelperSession *self, const MpfHelperRequest *req, GError **error)
{
  g_autoptr(JsonObject) o = json_object_new ();
  guint sent = 0;

  if (!use_interface (self, req->interface, error) || !ensure_watch (self, error))
    return FALSE;
  if (!mpf_helper_watch_probe (self->watch, req->probe_mask, &sent, error))
    return FALSE;
  json_object_set_int_member (o, "sent", sent);
  reply_ok (self, req, o);
  return TRUE;
}

static gboolean
op_addr_add (MpfHelperSession *self, const MpfHelperRequest *req, GError **error)
{
  g_autoptr(JsonObject) o = json_object_new ();
  gboolean existed = FALSE;

  if (!use_interface (self, req->interface, error))
    return FALSE;
  if (g_ptr_array_find (self->added, req->address, NULL))
    existed = TRUE;
  else
    {
      if (!mpf_helper_netlink_addr_add (self->iface.ifindex, req->address->address,
                                        req->address->prefix, &existed, error))
        return FALSE;
      /* Only what we added is ours to remove. */
      if (!existed)
        g_ptr_array_add (self->added, (gpointer) req->address);
    }
  json_object_set_boolean_member (o, "existed", existed);
  reply_ok (self, req, o);
  return TRUE;
}

static gboolean
op_addr_del (MpfHelperSession *self, const MpfHelperRequest *req, GError **error)
{
  if (!use_interface (self, req->interface, error))
    return FALSE;
  if (!g_ptr_array_find (self->added, req->address, NULL))
    {
      g_set_error (error, MPF_HELPER_ERROR, MPF_HELPER_ERROR_NOT_ALLOWED,
                   _("Address %s/%u was not added by this helper"),
                   req->address->address, req->address->prefix);
      return FALSE;
    }
  if (self->tftp != NULL && strcmp (mpf_helper_tftp_get_ip (self->tftp), req->address->address) == 0)
    {
      g_set_error_literal (error, MPF_HELPER_ERROR, MPF_HELPER_ERROR_STATE,
                           _("The TFTP service uses this address"));
      return FALSE;
    }
  if (!mpf_helper_netlink_addr_del (self->iface.ifindex, req->address->address,
                                    req->address->prefix, error))
    return FALSE;
  g_ptr_array_remove (self->added, (gpointer) req->address);
  reply_ok (self, req, NULL);
  return TRUE;
}

static gboolean
op_image (MpfHelperSession *self, const MpfHelperRequest *req, GError **error)
{
  if (self->tftp != NULL && mpf_helper_tftp_is_serving (self->tftp))
    {
      g_set_error_literal (error, MPF_HELPER_ERROR, MPF_HELPER_ERROR_STATE,
                           _("Cannot replace the image while serving it"));
      return FALSE;
    }
  reset_image (self);
  g_clear_pointer (&self->complete_image, g_bytes_unref);
  self->image = g_byte_array_sized_new ((guint) req->size);
  self->image_sum = g_checksum_new (G_CHECKSUM_SHA256);
  self->image_size = req->size;
  memcpy (self->image_sha256, req->sha256, sizeof self->image_sha256);
  reply_ok (self, req, NULL);
  return TRUE;
}

static gboolean
op_image_data (MpfHelperSession *self, const MpfHelperRequest *req, GError **error)
{
  g_autoptr(JsonObject) o = json_object_new ();
  gsize len = g_bytes_get_size (req->data);
  guint8 digest[32];
  gsize dlen = sizeof digest;

  if (self->image == NULL)
    {
      g_set_error_literal (error, MPF_HELPER_ERROR, MPF_HELPER_ERROR_STATE,
                           _("Send an “image” request before its data"));
      return FALSE;
    }
  if (self->image->len + len > self->image_size)
    {
      reset_image (self);
      g_set_error_literal (error, MPF_HELPER_ERROR, MPF_HELPER_ERROR_TOO_BIG,
                           _("More image data than announced; the image was discarded"));
      return FALSE;
    }
  g_byte_array_append (self->image, g_bytes_get_data (req->data, NULL), (guint) len);
  g_checksum_update (self->image_sum, g_bytes_get_data (req->data, NULL), (gssize) len);
  json_object_set_int_member (o, "received", self->image->len);
  if (self->image->len == self->image_size)
    {
      g_checksum_get_digest (self->image_sum, digest, &dlen);
      if (memcmp (digest, self->image_sha256, sizeof digest) != 0)
        {
          reset_image (self);
          g_set_error_literal (error, MPF_HELPER_ERROR, MPF_HELPER_ERROR_BAD_REQUEST,
                               _("The image's SHA-256 does not match; the image was discarded"));
          return FALSE;
        }
      self->complete_image = g_byte_array_free_to_bytes (g_steal_pointer (&self->image));
      reset_image (self);
      json_object_set_boolean_member (o, "complete", TRUE);
    }
  reply_ok (self, req, o);
  return TRUE;
}

static gboolean
op_serve_tftp (MpfHelperSession *self, const MpfHelperRequest *req, GError **error)
{
  g_autoptr(GBytes) served = NULL;
  g_autoptr(JsonObject) o = json_object_new ();
  MpfTftpMode mode;

  if (!use_interface (self, req->interface, error))
    return FALSE;
  if (self->complete_image == NULL)
    {
      g_set_error_literal (error, MPF_HELPER_ERROR, MPF_HELPER_ERROR_STATE,
                           _("No complete image has been received"));
      return FALSE;
    }
  if (self->tftp != NULL && strcmp (mpf_helper_tftp_get_ip (self->tftp), req->address->address) != 0)
    {
      g_set_error (error, MPF_HELPER_ERROR, MPF_HELPER_ERROR_STATE,
                   _("The TFTP service is bound to %s"), mpf_helper_tftp_get_ip (self->tftp));
      return FALSE;
    }

  if (req->mode == MPF_HELPER_SERVE_RECOVERY)
    {
      /* The bootloader parses a container, never a raw image. */
      g_autoptr(GError) pack_error = NULL;

      served = mpf_recovery_container_pack (self->complete_image, &pack_error);
      if (served == NULL)
        {
          g_set_error_literal (error, MPF_HELPER_ERROR, MPF_HELPER_ERROR_BAD_IMAGE,
                               pack_error->message);
          return FALSE;
        }
      mode = MPF_TFTP_MODE_HAME_RECOVERY;
    }
  else
    {
      served = g_bytes_ref (self->complete_image);
      mode = MPF_TFTP_MODE_STANDARD;
    }

  if (self->tftp == NULL)
    {
      self->tftp = mpf_helper_tftp_open (&self->iface, req->address->address, &self->sink, error);
      if (self->tftp == NULL)
        return FALSE;
      /* Port 69 is bound for the rest of the session (it is reused by any
       * later serve-tftp): the privilege to bind it is not needed again. */
      drop_cap (CAP_NET_BIND_SERVICE);
    }
  if (!mpf_helper_tftp_start (self->tftp, mode, served, error))
    return FALSE;
  json_object_set_int_member (o, "size", (gint64) g_bytes_get_size (served));
  json_object_set_string_member (o, "address", req->address->address);
  reply_ok (self, req, o);
  return TRUE;
}

static gboolean
op_capture_start (MpfHelperSession *self, const MpfHelperRequest *req, GError **error)
{
  g_autoptr(JsonObject) o = json_object_new ();

  if (!use_interface (self, req->interface, error) || !ensure_watch (self, error))
    return FALSE;
  /* A second start keeps what was recorded. */
  if (self->capture == NULL)
    {
      self->capture = mpf_helper_capture_new (self->iface.mac);
      mpf_helper_watch_set_capture (self->watch, self->capture);
    }
  json_object_set_int_member (o, "max_bytes", MPF_HELPER_CAPTURE_MAX);
  reply_ok (self, req, o);
  return TRUE;
}

static gboolean
op_capture_dump (MpfHelperSession *self, const MpfHelperRequest *req, GError **error)
{
  g_autoptr(JsonObject) o = json_object_new ();
  g_autoptr(GBytes) pcap = NULL;
  g_autofree char *b64 = NULL;
  const guint8 *data;
  gsize size = 0;

  if (self->capture == NULL)
    {
      g_set_error_literal (error, MPF_HELPER_ERROR, MPF_HELPER_ERROR_STATE,
                           _("The packet capture was not started"));
      return FALSE;
    }
  pcap = mpf_helper_capture_dump (self->capture, error);
  if (pcap == NULL)
    return FALSE;
  data = g_bytes_get_data (pcap, &size);
  b64 = g_base64_encode (data, size);
  json_object_set_string_member (o, "pcap", b64);
  json_object_set_int_member (o, "size", (gint64) size);
  json_object_set_int_member (o, "packets", mpf_helper_capture_get_packets (self->capture));
  json_object_set_int_member (o, "dropped", (gint64) mpf_helper_capture_get_dropped (self->capture));
  json_object_set_int_member (o, "redacted", (gint64) mpf_helper_capture_get_redacted (self->capture));
  reply_ok (self, req, o);
  return TRUE;
}

void
mpf_helper_session_handle (MpfHelperSession       *self,
                           const MpfHelperRequest *req)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = TRUE;

  switch (req->op)
    {
    case MPF_HELPER_OP_HELLO:
      op_hello (self, req);
      break;
    case MPF_HELPER_OP_WATCH:
      ok = op_watch (self, req, &error);
      break;
    case MPF_HELPER_OP_ARP_PROBE:
      ok = op_arp_probe (self, req, &error);
      break;
    case MPF_HELPER_OP_ADDR_ADD:
      ok = op_addr_add (self, req, &error);
      break;
    case MPF_HELPER_OP_ADDR_DEL:
      ok = op_addr_del (self, req, &error);
      break;
    case MPF_HELPER_OP_IMAGE:
      ok = op_image (self, req, &error);
      break;
    case MPF_HELPER_OP_IMAGE_DATA:
      ok = op_image_data (self, req, &error);
      break;
    case MPF_HELPER_OP_SERVE_TFTP:
      ok = op_serve_tftp (self, req, &error);
      break;
    case MPF_HELPER_OP_SERVE_STOP:
      if (self->tftp != NULL)
        mpf_helper_tftp_stop (self->tftp);
      reply_ok (self, req, NULL);
      break;
    case MPF_HELPER_OP_QUIT:
      reply_ok (self, req, NULL);
      break;
    case MPF_HELPER_OP_CAPTURE_START:
      ok = op_capture_start (self, req, &error);
      break;
    case MPF_HELPER_OP_CAPTURE_DUMP:
      ok = op_capture_dump (self, req, &error);
      break;
    default:
      g_assert_not_reached ();
    }
  if (!ok)
    reply_error (self, req, error);
}
