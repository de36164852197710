#include "config.h"

#include "mpf-helper-caps.h"
#include "mpf-helper-protocol.h"

#include <errno.h>
#include <sys/prctl.h>

static const cap_value_t needed[] = { CAP_NET_RAW, CAP_NET_BIND_SERVICE, CAP_NET_ADMIN };

static gboolean
set_from (cap_t have, const cap_value_t *keep, int n_keep, GError **error)
{
  cap_t want = cap_init ();
  int i, rc;

  for (i = 0; i < n_keep; i++)
    {
      cap_flag_value_t v = CAP_CLEAR;

      if (cap_get_flag (have, keep[i], CAP_PERMITTED, &v) == 0 && v == CAP_SET)
        {
          cap_set_flag (want, CAP_PERMITTED, 1, &keep[i], CAP_SET);
          cap_set_flag (want, CAP_EFFECTIVE, 1, &keep[i], CAP_SET);
        }
    }
  rc = cap_set_proc (want);
  cap_free (want);
  if (rc < 0)
    {
      g_set_error (error, MPF_HELPER_ERROR, MPF_HELPER_ERROR_FAILED,
                   "cap_set_proc: %s", g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

gboolean
mpf_helper_caps_limit (GError **error)
{
  cap_t have = cap_get_proc ();
  gboolean ok;

  if (have == NULL)
    {
      g_set_error (error, MPF_HELPER_ERROR, MPF_HELPER_ERROR_FAILED,
                   "cap_get_proc: %s", g_strerror (errno));
      return FALSE;
    }
  ok = set_from (have, needed, G_N_ELEMENTS (needed), error);
  cap_free (have);
  /* We never exec; make sure nothing could regain privileges if we did. */
  if (ok)
    (void) prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
  return ok;
}

gboolean
mpf_helper_caps_drop (cap_value_t cap, GError **error)
{
  cap_value_t keep[G_N_ELEMENTS (needed)];
  cap_t have = cap_get_proc ();
  int n = 0;
  gboolean ok;

  if (have == NULL)
    {
      g_set_error (error, MPF_HELPER_ERROR, MPF_HELPER_ERROR_FAILED,
                   "cap_get_proc: %s", g_strerror (errno));
      return FALSE;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (needed); i++)
    if (needed[i] != cap)
      keep[n++] = needed[i];
  ok = set_from (have, keep, n, error);
  cap_free (have);
  return ok;
}

GStrv
mpf_helper_caps_list (void)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  cap_t have = cap_get_proc ();

  for (gsize i = 0; have != NULL && i < G_N_ELEMENTS (needed); i++)
    {
      cap_flag_value_t v = CAP_CLEAR;

      if (cap_get_flag (have, needed[i], CAP_EFFECTIVE, &v) == 0 && v == CAP_SET)
        {
          char *name = cap_to_name (needed[i]);

          g_strv_builder_add (b, name);
          cap_free (name);
        }
    }
  if (have != NULL)
    cap_free (have);
  return g_strv_builder_end (b);
}
