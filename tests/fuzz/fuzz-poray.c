#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "mpf-poray.h"

/* The Poray decoder on arbitrary bytes. Whatever it accepts must encode
 * back to exactly the same file with the key it found. */
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(GBytes) decoded = NULL;
  g_autoptr(GError) error = NULL;
  const MpfBoard *board = NULL;

  (void) mpf_poray_looks_encoded (data, size);
  (void) mpf_poray_checksum (data, size);

  decoded = mpf_poray_decode (bytes, &board, &error);
  if (decoded == NULL)
    {
      if (error == NULL || board != NULL)
        abort ();
      return 0;
    }
  if (board == NULL || !mpf_poray_looks_encoded (data, size))
    abort ();
  if (g_bytes_get_size (decoded) <= board->firmware_size)
    {
      g_autoptr(GBytes) again = mpf_poray_encode (board, decoded, NULL);
      if (again == NULL || !g_bytes_equal (again, bytes))
        abort ();
    }
  return 0;
}
