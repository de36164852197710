/* libFuzzer: the recovery container parser. Invariant checked: whatever the
 * strict check accepts is exactly what the packer makes of its image. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mpf-recovery-container.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  MpfRecoveryContainer c;
  g_autoptr(GBytes) image = NULL;
  g_autoptr(GBytes) again = NULL;

  if (!mpf_recovery_container_parse (data, size, &c, NULL))
    return 0;
  if (c.payload != NULL && (c.payload < data || c.payload + c.payload_len > data + size))
    abort ();
  if (!mpf_recovery_container_check (&c, NULL))
    return 0;
  image = g_bytes_new (c.payload, c.image_len);
  again = mpf_recovery_container_pack (image, NULL);
  if (again != NULL &&
      (g_bytes_get_size (again) != size || memcmp (g_bytes_get_data (again, NULL), data, size) != 0))
    abort ();
  return 0;
}
