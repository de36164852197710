#include "config.h"

#include "mpf-neighbours.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/neighbour.h>
#include <glib/gi18n.h>

G_DEFINE_BOXED_TYPE (MpfNeighbour, mpf_neighbour, mpf_neighbour_copy, mpf_neighbour_free)

MpfNeighbour *
mpf_neighbour_copy (const MpfNeighbour *self)
{
  MpfNeighbour *copy = g_new0 (MpfNeighbour, 1);

  copy->ifindex = self->ifindex;
  copy->address = g_strdup (self->address);
  copy->mac = g_strdup (self->mac);
  copy->state = self->state;
  return copy;
}

void
mpf_neighbour_free (MpfNeighbour *self)
{
  if (self == NULL)
    return;
  g_free (self->address);
  g_free (self->mac);
  g_free (self);
}

gboolean
mpf_neighbour_is_alive (const MpfNeighbour *self)
{
  if (self->mac == NULL)
    return FALSE;
  if (self->state & (NUD_FAILED | NUD_INCOMPLETE | NUD_NOARP | NUD_NONE))
    return FALSE;
  return (self->state & (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT)) != 0;
}

char *
mpf_format_mac (const guint8 *addr, gsize len)
{
  GString *s = g_string_sized_new (len * 3);

  for (gsize i = 0; i < len; i++)
    g_string_append_printf (s, i ? ":%02x" : "%02x", addr[i]);
  return g_string_free (s, FALSE);
}

static void
parse_one (const struct nlmsghdr *h, int ifindex, GPtrArray *out)
{
  const struct ndmsg *nd;
  const struct rtattr *rta;
  gsize attrlen;
  const guint8 *dst = NULL, *lladdr = NULL;
  gsize lladdr_len = 0;
  char text[INET_ADDRSTRLEN];
  MpfNeighbour *n;

  if (h->nlmsg_len < NLMSG_LENGTH (sizeof *nd))
    return;
  nd = NLMSG_DATA (h);
  if (nd->ndm_family != AF_INET)
    return;
  if (ifindex != 0 && nd->ndm_ifindex != ifindex)
    return;

  attrlen = h->nlmsg_len - NLMSG_LENGTH (sizeof *nd);
  rta = (const struct rtattr *) ((const guint8 *) nd + NLMSG_ALIGN (sizeof *nd));
  for (; RTA_OK (rta, attrlen); rta = RTA_NEXT (rta, attrlen))
    {
      gsize plen = RTA_PAYLOAD (rta);

      if (rta->rta_type == NDA_DST && plen == 4)
        dst = RTA_DATA (rta);
      else if (rta->rta_type == NDA_LLADDR && plen > 0 && plen <= 32)
        {
          lladdr = RTA_DATA (rta);
          lladdr_len = plen;
        }
    }
  if (dst == NULL || inet_ntop (AF_INET, dst, text, sizeof text) == NULL)
    return;

  n = g_new0 (MpfNeighbour, 1);
  n->ifindex = nd->ndm_ifindex;
  n->address = g_strdup (text);
  n->mac = lladdr ? mpf_format_mac (lladdr, lladdr_len) : NULL;
  n->state = nd->ndm_state;
  g_ptr_array_add (out, n);
}

gboolean
mpf_neighbours_parse (const guint8 *buf, gsize len, int ifindex, GPtrArray *out)
{
  const struct nlmsghdr *h = (const struct nlmsghdr *) buf;
  guint32 left;

  /* NLMSG_OK takes a signed int length; our buffers are small. */
  g_return_val_if_fail (len <= G_MAXINT32, FALSE);
  left = (guint32) len;
  for (; NLMSG_OK (h, left); h = NLMSG_NEXT (h, left))
    {
      if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR)
        return FALSE;
      if (h->nlmsg_type == RTM_NEWNEIGH)
        parse_one (h, ifindex, out);
    }
  return TRUE;
}

static void
dump_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  int ifindex = GPOINTER_TO_INT (task_data);
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) mpf_neighbour_free);
  struct {
    struct nlmsghdr h;
    struct ndmsg nd;
  } req = { 0 };
  struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
  struct timeval tv = { .tv_sec = 2 };
  g_autofree guint8 *buf = g_malloc (32768);
  int fd, saved;

  fd = socket (AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0)
    goto fail;
  /* A dump is answered at once; the timeout only guards against a kernel
   * that never ends it. */
  setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);

  req.h.nlmsg_len = sizeof req;
  req.h.nlmsg_type = RTM_GETNEIGH;
  req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  req.h.nlmsg_seq = 1;
  req.nd.ndm_family = AF_INET;
  if (sendto (fd, &req, sizeof req, 0, (struct sockaddr *) &kernel, sizeof kernel) < 0)
    goto fail;

  for (;;)
    {
      ssize_t n = recv (fd, buf, 32768, 0);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        goto fail;
      if (g_task_return_error_if_cancelled (task))
        {
          close (fd);
          return;
        }
      if (!mpf_neighbours_parse (buf, (gsize) n, ifindex, out))
        break;
    }
  close (fd);
  g_task_return_pointer (task, g_steal_pointer (&out), (GDestroyNotify) g_ptr_array_unref);
  return;

fail:
  saved = errno;
  if (fd >= 0)
    close (fd);
  g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved),
                           _("Could not read the neighbour table: %s"), g_strerror (saved));
}

void
mpf_neighbours_dump_async (int ifindex, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, mpf_neighbours_dump_async);
  g_task_set_task_data (task, GINT_TO_POINTER (ifindex), NULL);
  g_task_run_in_thread (task, dump_thread);
}

GPtrArray *
mpf_neighbours_dump_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
