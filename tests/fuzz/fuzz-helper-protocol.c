/* libFuzzer target: the helper's request parser (every line a client could
 * send), the watcher's frame classifier and the session capture's redaction
 * and cut (every frame on the cable). */
#include "config.h"

#include <stdint.h>

#include "mpf-helper-frame.h"
#include "mpf-helper-protocol.h"
#include "mpf-helper-redact.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static const guint8 own_mac[6] = { 2, 0, 0, 0, 0, 1 };
  g_auto(MpfHelperRequest) req = { 0 };
  g_autoptr(GError) error = NULL;
  MpfHelperSeen seen;
  gboolean ok;

  ok = mpf_helper_request_parse ((const char *) data, size, &req, &error);
  g_assert (ok == (error == NULL));
  if (ok)
    {
      g_autofree char *reply = mpf_helper_reply_ok (req.id, NULL);

      g_assert (g_str_has_suffix (reply, "}\n"));
      g_assert (req.id >= 0);
      g_assert (req.op != MPF_HELPER_OP_IMAGE_DATA || req.data != NULL);
      g_assert (req.size <= MPF_HELPER_MAX_IMAGE);
    }
  else
    {
      g_autofree char *reply = mpf_helper_reply_error (req.id, error);

      g_assert (g_str_has_suffix (reply, "}\n"));
      g_assert (req.interface == NULL && req.data == NULL);
    }

  if (mpf_helper_frame_classify (data, size, own_mac, &seen))
    g_assert (seen.kind != MPF_HELPER_SEEN_NONE);

  {
    g_autofree guint8 *copy = g_memdup2 (data, size);
    gsize keep;

    gsize changed = 0, n = mpf_helper_redact_frame (copy, size);

    /* Only ever 'x' in place of a byte (the checksum aside), no more
     * than it says. */
    for (gsize i = 0; i < size; i++)
      if (copy[i] != data[i] && copy[i] != 'x')
        changed++;
    g_assert (n <= size);
    g_assert (changed <= 2);
    keep = mpf_helper_capture_keep (copy, size, own_mac);
    g_assert (keep <= size);
  }
  return 0;
}
