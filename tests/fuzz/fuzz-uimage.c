#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mpf-image-verdict.h"
#include "mpf-uimage.h"

/* The uImage parser and everything the verdict does with its result
 * (family signals, rename), on arbitrary bytes. */
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(MpfImageVerdict) verdict = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  MpfUImage img;

  if (mpf_uimage_parse (data, size, &img, &error))
    {
      g_autoptr(GBytes) renamed = NULL;

      if (strlen (img.name) > MPF_UIMAGE_NAME_LEN || img.file_size != size)
        abort ();
      problems = mpf_uimage_collect_problems (&img);
      if ((problems->len == 0) != mpf_uimage_validate (&img, NULL))
        abort ();
      renamed = mpf_uimage_rename (bytes, MPF_UIMAGE_STOCK_NAME, NULL);
      if (renamed != NULL)
        {
          MpfUImage again;
          /* A rename keeps the file valid where it was and only changes the name. */
          if (g_bytes_get_size (renamed) != size ||
              !mpf_uimage_parse (g_bytes_get_data (renamed, NULL), size, &again, NULL) ||
              !again.header_crc_ok || again.data_crc_ok != img.data_crc_ok ||
              again.data_size != img.data_size)
            abort ();
        }
    }
  else if (error == NULL)
    abort ();

  verdict = mpf_image_verdict_new_for_bytes (bytes, mpf_board_lookup ("MPR-A1"), NULL);
  if (mpf_image_verdict_is_flashable (verdict) && mpf_image_verdict_get_problems (verdict)->len != 0)
    abort ();
  return 0;
}
