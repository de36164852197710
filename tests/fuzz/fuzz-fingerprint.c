/* libFuzzer target: the fingerprint matcher over arbitrary HTTP responses.
 * The input is split at "\n#MPF#\n"; chunk i is the raw response seen by
 * probe i (banner probes get the raw bytes as their body). */
#include "config.h"

#include <string.h>

#include "mpf-fingerprint.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static const char sep[] = "\n#MPF#\n";

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  static MpfFingerprint *rules;
  g_autoptr(GPtrArray) obs = g_ptr_array_new_with_free_func ((GDestroyNotify) mpf_http_observation_free);
  g_autoptr(MpfFingerprintResult) res = NULL;
  gsize start = 0;
  guint n = 0;

  if (rules == NULL)
    {
      rules = mpf_fingerprint_new_default (NULL);
      g_assert (rules != NULL);
    }

  while (start <= size && n < mpf_fingerprint_get_n_probes (rules))
    {
      const MpfFingerprintProbe *probe = mpf_fingerprint_get_probe (rules, n++);
      gsize end = start;
      MpfHttpObservation *o;

      while (end + sizeof sep - 1 <= size && memcmp (data + end, sep, sizeof sep - 1) != 0)
        end++;
      if (end + sizeof sep - 1 > size)
        end = size;
      if (probe->kind == MPF_PROBE_KIND_BANNER)
        {
          o = mpf_http_observation_new (probe->id, "TCP");
          o->answered = end > start;
          o->body = g_bytes_new (data + start, end - start);
          o->body_length = end - start;
        }
      else
        o = mpf_http_observation_new_from_raw (probe->id, data + start, end - start);
      g_ptr_array_add (obs, o);
      {
        g_autofree char *json = mpf_http_observation_to_json (o);
        g_assert (json != NULL);
      }
      start = end + sizeof sep - 1;
    }

  res = mpf_fingerprint_match (rules, "192.168.169.1", obs);
  g_assert (res != NULL && res->family_id != NULL && res->confidence <= 100);
  g_assert (res->version == NULL || g_utf8_validate (res->version, -1, NULL));
  return 0;
}
