/* mpf-netns-guard.h — refuse to run outside a private network namespace.
 *
 * The simulator and the tests configure addresses, serve TFTP/DHCP and send
 * raw traffic. On the host that could disturb a real network, so programs
 * that do so call mpf_netns_guard() first and exit when it fails. "Private"
 * means: not the network namespace of PID 1 (the host's, or a container's
 * own). Header-only so any test directory can include it regardless of the
 * order meson visits them in.
 */
#pragma once

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <glib.h>

static inline gboolean
mpf_netns_guard (GError **error)
{
  struct stat self_ns, init_ns;

  if (stat ("/proc/self/ns/net", &self_ns) != 0 || stat ("/proc/1/ns/net", &init_ns) != 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   "cannot tell which network namespace this is (%s); "
                   "refusing to touch the network",
                   g_strerror (saved));
      return FALSE;
    }
  if (self_ns.st_dev == init_ns.st_dev && self_ns.st_ino == init_ns.st_ino)
    {
      g_set_error_literal (error, G_FILE_ERROR, G_FILE_ERROR_PERM,
                           "refusing to run in the host's network namespace: "
                           "start it inside a test namespace "
                           "(tests/netns/mpf-netns exec NAME rt ...)");
      return FALSE;
    }
  return TRUE;
}
