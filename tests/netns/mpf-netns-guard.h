/* mpf-netns-guard.h — refuse to run outside a test network namespace.
 *
 * The simulator and the tests configure addresses, serve TFTP/DHCP and send
 * raw traffic. On the host that could disturb a real network, so programs
 * that do so call mpf_netns_guard() first and exit when it fails.
 *
 * Accepted: the process's network namespace is
 *  - one that tests/netns/mpf-netns created and still records (found through
 *    /run/netns and its state directory), or
 *  - listed by inode in MPF_NETNS_INODES ("dev:ino ..."; lib.sh exports it,
 *    for scripts that hide /run behind a private mount), or
 *  - provably not PID 1's (when /proc/1/ns/net can be read at all: in some
 *    containers even root may not).
 * Header-only so any test directory can include it regardless of the order
 * meson visits them in.
 */
#pragma once

#include <string.h>
#include <sys/stat.h>

#include <glib.h>

static inline gboolean
mpf_netns_guard_created_by_harness (const struct stat *self_ns)
{
  const char *state = g_getenv ("MPF_NETNS_STATE");
  g_autoptr(GDir) dir = g_dir_open ("/run/netns", 0, NULL);
  const char *name;

  if (state == NULL)
    state = "/run/mpf-netns";
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/run/netns", name, NULL);
      g_autofree char *set = NULL;
      g_autofree char *record = NULL;
      struct stat st;

      if (stat (path, &st) != 0 || st.st_dev != self_ns->st_dev || st.st_ino != self_ns->st_ino)
        continue;
      /* Namespaces are NAME-pc / NAME-rt; the set NAME must be recorded. */
      if (!g_str_has_suffix (name, "-pc") && !g_str_has_suffix (name, "-rt"))
        return FALSE;
      set = g_strndup (name, strlen (name) - 3);
      record = g_build_filename (state, set, "created", NULL);
      return g_file_test (record, G_FILE_TEST_IS_REGULAR);
    }
  return FALSE;
}

static inline gboolean
mpf_netns_guard (GError **error)
{
  struct stat self_ns, init_ns;
  const char *listed = g_getenv ("MPF_NETNS_INODES");
  g_autofree char *self_id = NULL;

  if (stat ("/proc/self/ns/net", &self_ns) != 0)
    {
      g_set_error_literal (error, G_FILE_ERROR, G_FILE_ERROR_PERM,
                           "cannot tell which network namespace this is; "
                           "refusing to touch the network");
      return FALSE;
    }
  if (mpf_netns_guard_created_by_harness (&self_ns))
    return TRUE;
  self_id = g_strdup_printf ("%lu:%lu", (unsigned long) self_ns.st_dev,
                             (unsigned long) self_ns.st_ino);
  if (listed != NULL)
    {
      g_auto(GStrv) ids = g_strsplit (listed, " ", -1);

      if (g_strv_contains ((const char *const *) ids, self_id))
        return TRUE;
    }
  if (stat ("/proc/1/ns/net", &init_ns) == 0 &&
      (self_ns.st_dev != init_ns.st_dev || self_ns.st_ino != init_ns.st_ino))
    return TRUE;

  g_set_error_literal (error, G_FILE_ERROR, G_FILE_ERROR_PERM,
                       "refusing to run outside a test network namespace: "
                       "start it inside one made by tests/netns/mpf-netns "
                       "(mpf-netns exec NAME rt ...)");
  return FALSE;
}
