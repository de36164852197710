#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "fr-goahead-upload.h"

/* The simulated upload.cgi's hand-made multipart reader and its image
 * checks, on arbitrary request bodies: the reader must stay inside the
 * body whatever its shape, and the checks must never crash. */
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  FrNarrowPart part;
  FrUploadVerdict v;

  if (fr_narrow_multipart_parse (data, size, &part))
    {
      if (part.data_offset > size || part.data_len > size - part.data_offset)
        abort ();
      for (int encoded = 0; encoded < 2; encoded++)
        {
          fr_upload_check (data + part.data_offset, part.data_len, encoded, "/var/tmpFW", &v);
          if (v.accepted != (v.uimage != NULL) || v.summary == NULL)
            abort ();
          fr_upload_verdict_clear (&v);
        }
    }
  fr_narrow_part_clear (&part);
  return 0;
}
