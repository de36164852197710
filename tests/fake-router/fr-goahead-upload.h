/* fr-goahead-upload.h — what the Ralink SDK's upload.cgi makes of a request
 * body: its hand-made multipart reader and its image checks (WEB-UIS.md). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  gsize  data_offset;  /* where the parser thinks the file starts */
  gsize  data_len;
  GPtrArray *notes;    /* char*: how the body departed from the expected shape */
} FrNarrowPart;

/* The SDK's reading: line 1 is the boundary; line 2 (Content-Disposition)
 * and line 3 (exactly one more header) and line 4 (the blank line) are
 * skipped without being checked; the data runs to the next boundary (or the
 * end). Never fails: a body of another shape just yields other data, as on
 * the real router. FALSE only when there is not even a first line. */
gboolean fr_narrow_multipart_parse (const guint8 *body, gsize len, FrNarrowPart *out);
void     fr_narrow_part_clear (FrNarrowPart *part);

typedef struct {
  gboolean accepted;
  GString *page_text;  /* the lines upload.cgi prints, before the verdict */
  GBytes  *uimage;     /* what gets written when accepted */
  char    *summary;    /* one line for the control channel */
} FrUploadVerdict;

/* The checks of the Hame CGI (@encoded FALSE) or the MPR-L8 one (@encoded
 * TRUE: only a Poray-encoded file, decoded first [I]). @tmp_path is the path
 * GoAhead stored the body under, which the warnings quote. */
void fr_upload_check (const guint8 *data, gsize len, gboolean encoded, const char *tmp_path,
                      FrUploadVerdict *out);
void fr_upload_verdict_clear (FrUploadVerdict *v);

G_END_DECLS
