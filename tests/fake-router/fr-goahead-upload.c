/* fr-goahead-upload.c — upload.cgi's body reader and image checks. The reader
 * is deliberately as narrow as the SDK's (hand-written, no multipart
 * library): the point is to accept exactly what the real one accepts. */
#include "config.h"

#include <string.h>

#include "mpf-poray.h"
#include "mpf-uimage.h"
#include "fr-device.h"
#include "fr-goahead-upload.h"

void
fr_narrow_part_clear (FrNarrowPart *part)
{
  g_clear_pointer (&part->notes, g_ptr_array_unref);
}

/* Offset just past the line starting at @pos, or @len when unterminated. */
static gsize
next_line (const guint8 *body, gsize len, gsize pos, gsize *line_len)
{
  const guint8 *nl = memchr (body + pos, '\n', len - pos);
  gsize end = nl ? (gsize) (nl - body) : len;
  gsize l = end - pos;
  if (l > 0 && body[pos + l - 1] == '\r')
    l--;
  *line_len = l;
  return nl ? end + 1 : len;
}

static gboolean
line_is (const guint8 *body, gsize pos, gsize l, const char *prefix)
{
  gsize n = strlen (prefix);
  return l >= n && g_ascii_strncasecmp ((const char *) body + pos, prefix, n) == 0;
}

static gboolean
line_has (const guint8 *body, gsize pos, gsize l, const char *needle)
{
  g_autofree char *line = g_strndup ((const char *) body + pos, l);
  return strstr (line, needle) != NULL;
}

static const guint8 *
find_bytes (const guint8 *hay, gsize hay_len, const guint8 *needle, gsize n)
{
  for (gsize i = 0; n > 0 && i + n <= hay_len; i++)
    if (hay[i] == needle[0] && memcmp (hay + i, needle, n) == 0)
      return hay + i;
  return NULL;
}

gboolean
fr_narrow_multipart_parse (const guint8 *body, gsize len, FrNarrowPart *out)
{
  gsize l1, l2, l3, l4;

  memset (out, 0, sizeof *out);
  out->notes = g_ptr_array_new_with_free_func (g_free);
  if (len == 0 || memchr (body, '\n', len) == NULL)
    {
      g_ptr_array_add (out->notes, g_strdup ("no boundary line"));
      return FALSE;
    }
  gsize p2 = next_line (body, len, 0, &l1);
  gsize p3 = next_line (body, len, p2, &l2);
  gsize p4 = next_line (body, len, p3, &l3);
  gsize p5 = next_line (body, len, p4, &l4);
  const guint8 *boundary = body;

  /* The real reader does not look at these lines; the notes only say, for
   * the event log, where a body leaves the shape it silently assumes. */
  if (!line_is (body, p2, l2, "Content-Disposition:") || !line_has (body, p2, l2, "filename="))
    g_ptr_array_add (out->notes, g_strdup ("line 2 is not a file part's Content-Disposition "
                                           "(a field before the file part?)"));
  else if (!line_has (body, p2, l2, "name=\"filename\""))
    g_ptr_array_add (out->notes, g_strdup ("the file part is not named \"filename\""));
  if (l3 == 0)
    g_ptr_array_add (out->notes, g_strdup ("no header line after Content-Disposition: "
                                           "line 4 taken as blank is file data"));
  else if (l4 != 0)
    g_ptr_array_add (out->notes, g_strdup ("more than one header line after "
                                           "Content-Disposition: the rest become file data"));

  out->data_offset = p5;
  gsize end = len;
  if (l1 > 0 && p5 < len)
    {
      const guint8 *hit = find_bytes (body + p5, len - p5, boundary, l1);
      if (hit != NULL)
        {
          end = (gsize) (hit - body);
          if (end >= p5 + 2 && body[end - 2] == '\r' && body[end - 1] == '\n')
            end -= 2;
          else if (end >= p5 + 1 && body[end - 1] == '\n')
            end -= 1;
        }
      else
        g_ptr_array_add (out->notes, g_strdup ("no closing boundary: data runs to the end"));
    }
  out->data_len = end > p5 ? end - p5 : 0;
  return TRUE;
}

void
fr_upload_verdict_clear (FrUploadVerdict *v)
{
  if (v->page_text != NULL)
    g_string_free (v->page_text, TRUE);
  v->page_text = NULL;
  g_clear_pointer (&v->uimage, g_bytes_unref);
  g_clear_pointer (&v->summary, g_free);
}

static void
refuse (FrUploadVerdict *out, const char *why)
{
  out->accepted = FALSE;
  out->summary = g_strdup_printf ("refused: %s", why);
}

void
fr_upload_check (const guint8 *data, gsize len, gboolean encoded, const char *tmp_path,
                 FrUploadVerdict *out)
{
  g_autoptr(GBytes) image = NULL;
  MpfUImage img;

  memset (out, 0, sizeof *out);
  out->page_text = g_string_new (NULL);

  /* Size first, against the Kernel_RootFS partition (WEB-UIS.md, [E]). */
  if (len > FR_FIRMWARE_SIZE)
    {
      g_string_append_printf (out->page_text,
                              "*** Warning: the image file(0x%zx) is bigger than Kernel_RootFS "
                              "MTD partition.\n", len);
      return refuse (out, "bigger than the partition");
    }

  if (encoded)
    {
      /* MPR-L8 wants mkporayfw's format; a plain uImage is refused [I]. */
      g_autoptr(GBytes) enc = g_bytes_new (data, len);
      g_autoptr(GError) error = NULL;
      if (!mpf_poray_looks_encoded (data, len))
        return refuse (out, "not an encoded image");
      image = mpf_poray_decode (enc, NULL, &error);
      if (image == NULL)
        return refuse (out, error->message);
    }
  else
    image = g_bytes_new (data, len);

  gsize ilen;
  const guint8 *ip = g_bytes_get_data (image, &ilen);
  if (!mpf_uimage_parse (ip, ilen, &img, NULL))
    return refuse (out, "no uImage magic");
  /* It prints the name it read [V]; the exact line format is [I]. */
  g_string_append_printf (out->page_text, "Image Name: %s\n", img.name);
  if (!img.header_crc_ok)
    {
      g_string_append_printf (out->page_text, "*** Warning: \"%s\" has bad header checksum!\n",
                              tmp_path);
      return refuse (out, "bad header CRC");
    }
  if (!img.data_crc_ok)
    {
      g_string_append_printf (out->page_text, "*** Warning: \"%s\" has corrupted data!\n",
                              tmp_path);
      return refuse (out, "corrupted data");
    }
  if (strcmp (img.name, MPF_UIMAGE_STOCK_NAME) != 0)
    {
      g_autofree char *why = g_strdup_printf ("name '%s' is not '%s'", img.name,
                                              MPF_UIMAGE_STOCK_NAME);
      return refuse (out, why);
    }
  out->accepted = TRUE;
  out->uimage = g_steal_pointer (&image);
  out->summary = g_strdup_printf ("accepted '%s', %zu bytes%s", img.name, ilen,
                                  encoded ? " (decoded)" : "");
}
