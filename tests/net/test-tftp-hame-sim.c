/* The engine against a model of the Hame bootloader's TFTP client, on a
 * virtual clock: the model follows RECOVERY.md's table (ignores a repeated
 * block without ACK, writes any other block where its number says, resends
 * its last packet on timeout, ~0.7 s then ~0.35 s, and restarts on its 11th
 * timeout). Shows that each lost packet costs the bootloader exactly one of
 * its ten timeouts, so ten losses still succeed. */
#include "config.h"

#include <string.h>

#include "mpf-tftp-engine.h"
#include "mpf-tftp-packet.h"

#define MS           1000
#define LATENCY      (1 * MS)
#define FIRST_WAIT   (700 * MS)
#define WAIT         (350 * MS)
#define BUDGET       10
#define WRITE_TIME   (30 * G_USEC_PER_SEC)
#define MAC          "9c417c75a478"
#define SERVER_TID   40000

typedef struct {
  gint64 at;
  gboolean to_router;
  guint16 src_port;
  GBytes *bytes;
} Flight;

typedef struct {
  MpfTftpEngine *engine;
  GBytes *image;
  GQueue flights;
  gint64 now;
  guint packets;           /* every packet either side sent, in order */
  GHashTable *drop;        /* (opcode << 16 | block): its first copy gets lost */
  guint drop_every;        /* also lose every Nth packet (0: none) */
  guint non_data;          /* anything but DATA towards the router */
  /* the bootloader model */
  guint16 port;
  guint16 next_port;
  gint server_port;        /* locked onto by the first DATA, -1 before */
  guint16 last_block;
  guint timeouts;
  gint64 timer;
  GBytes *last_sent;
  gboolean eof;
  gint64 op9_at;
  guint router_restarts;
  GByteArray *flash;
  /* engine events */
  guint restarts;
  gboolean complete;
  gboolean flash_done;
} Sim;

static gboolean
lost (Sim *sim, const guint8 *data, gsize len)
{
  guint i = sim->packets++;
  guint key = (guint) data[1] << 16 | (len >= 4 && data[1] != MPF_TFTP_OP_RRQ ? (guint) (data[2] << 8 | data[3]) : 0);

  if (g_hash_table_remove (sim->drop, GUINT_TO_POINTER (key)))
    return TRUE;
  return sim->drop_every != 0 && i % sim->drop_every == sim->drop_every - 1;
}

static void
drop_first (Sim *sim, guint opcode, guint block)
{
  g_hash_table_add (sim->drop, GUINT_TO_POINTER (opcode << 16 | block));
}

static void
post (Sim *sim, gboolean to_router, guint16 src_port, const guint8 *data, gsize len)
{
  Flight *f;

  if (lost (sim, data, len))
    return;
  f = g_new0 (Flight, 1);
  f->at = sim->now + LATENCY;
  f->to_router = to_router;
  f->src_port = src_port;
  f->bytes = g_bytes_new (data, len);
  g_queue_push_tail (&sim->flights, f);
}

static void
engine_send_cb (MpfTftpSocket from, guint transfer_id, const char *address, guint16 port,
                const guint8 *data, gsize len, gpointer user_data)
{
  Sim *sim = user_data;

  if (len < 2 || data[1] != MPF_TFTP_OP_DATA)
    sim->non_data++;
  post (sim, TRUE, from == MPF_TFTP_SOCKET_TRANSFER ? SERVER_TID : 69, data, len);
}

static void
router_send (Sim *sim, const guint8 *data, gsize len, gboolean remember)
{
  if (remember)
    {
      g_clear_pointer (&sim->last_sent, g_bytes_unref);
      sim->last_sent = g_bytes_new (data, len);
    }
  post (sim, FALSE, sim->port, data, len);
}

static void
router_request (Sim *sim)
{
  const char *req[] = { MAC, "octet", "timeout", "5", "-386365873", "6", NULL };
  guint8 buf[64];

  sim->port = sim->next_port++;
  sim->server_port = -1;
  sim->last_block = 0;
  sim->timeouts = 0;
  router_send (sim, buf, mpf_tftp_packet_build_request (buf, sizeof buf, MPF_TFTP_OP_RRQ, req),
               TRUE);
  sim->timer = sim->now + FIRST_WAIT;
}

static void
router_receive (Sim *sim, Flight *f)
{
  gsize len;
  const guint8 *d = g_bytes_get_data (f->bytes, &len);
  guint16 block;
  guint8 ack[4];

  if (sim->eof || len < 4 || d[1] != MPF_TFTP_OP_DATA)
    return;
  if (sim->server_port >= 0 && f->src_port != sim->server_port)
    return;
  sim->server_port = f->src_port;
  block = (guint16) ((d[2] << 8) | d[3]);
  if (block == sim->last_block)
    return;   /* same block again: ignored, no ACK, timer not re-armed */
  if (sim->flash->len < (guint) (block - 1) * 512 + (len - 4))
    g_byte_array_set_size (sim->flash, (block - 1) * 512 + (guint) (len - 4));
  memcpy (sim->flash->data + (block - 1) * 512, d + 4, len - 4);
  sim->last_block = block;
  router_send (sim, ack, mpf_tftp_packet_build_ack (ack, sizeof ack, block), TRUE);
  sim->timer = sim->now + WAIT;
  if (len - 4 < 512)
    {
      sim->eof = TRUE;
      sim->timer = -1;
      sim->op9_at = sim->now + WRITE_TIME;
    }
}

static void
router_timeout (Sim *sim)
{
  if (++sim->timeouts > BUDGET)
    {
      sim->router_restarts++;
      router_request (sim);
      return;
    }
  router_send (sim, g_bytes_get_data (sim->last_sent, NULL), g_bytes_get_size (sim->last_sent),
               FALSE);
  sim->timer = sim->now + WAIT;
}

static void
restart_cb (MpfTftpEngine *e, const MpfTftpRequest *r, guint restarts, Sim *sim)
{
  sim->restarts = restarts;
}

static void
complete_cb (MpfTftpEngine *e, const MpfTftpProgress *p, Sim *sim)
{
  sim->complete = TRUE;
}

static void
flash_done_cb (MpfTftpEngine *e, const char *mac, Sim *sim)
{
  g_assert_cmpstr (mac, ==, MAC);
  sim->flash_done = TRUE;
}

static gint64
earliest (gint64 a, gint64 b)
{
  if (a < 0)
    return b;
  if (b < 0)
    return a;
  return MIN (a, b);
}

/* Runs until the router reported the end of writing or @limit passed. */
static void
run (Sim *sim, gint64 limit)
{
  router_request (sim);
  while (!sim->flash_done && sim->now <= limit)
    {
      Flight *head = g_queue_peek_head (&sim->flights);
      gint64 deadline = mpf_tftp_engine_get_next_deadline (sim->engine);
      gint64 t = earliest (earliest (head ? head->at : -1, sim->timer),
                           earliest (sim->op9_at, deadline));

      g_assert_cmpint (t, >=, 0);
      sim->now = MAX (sim->now, t);
      if (head != NULL && head->at <= sim->now)
        {
          Flight *f = g_queue_pop_head (&sim->flights);
          if (f->to_router)
            router_receive (sim, f);
          else
            mpf_tftp_engine_receive (sim->engine, g_bytes_get_data (f->bytes, NULL),
                                     g_bytes_get_size (f->bytes), "192.168.1.2", f->src_port,
                                     sim->now);
          g_bytes_unref (f->bytes);
          g_free (f);
        }
      else if (sim->timer >= 0 && sim->timer <= sim->now)
        router_timeout (sim);
      else if (sim->op9_at >= 0 && sim->op9_at <= sim->now)
        {
          static const guint8 op9[] = "\0\11" MAC;
          sim->op9_at = -1;
          /* Sent once, to the port that served the DATA. */
          post (sim, FALSE, sim->port, op9, 14);
        }
      else
        mpf_tftp_engine_tick (sim->engine, sim->now);
    }
}

static void
sim_init (Sim *sim, gsize image_len)
{
  guint8 *data = g_malloc (image_len);

  memset (sim, 0, sizeof *sim);
  for (gsize i = 0; i < image_len; i++)
    data[i] = (guint8) (i * 37 + (i >> 8));
  sim->image = g_bytes_new_take (data, image_len);
  sim->engine = mpf_tftp_engine_new (MPF_TFTP_MODE_HAME_RECOVERY, sim->image);
  mpf_tftp_engine_set_send_func (sim->engine, engine_send_cb, sim, NULL);
  g_signal_connect (sim->engine, "restart", G_CALLBACK (restart_cb), sim);
  g_signal_connect (sim->engine, "transfer-complete", G_CALLBACK (complete_cb), sim);
  g_signal_connect (sim->engine, "flash-done", G_CALLBACK (flash_done_cb), sim);
  g_queue_init (&sim->flights);
  sim->drop = g_hash_table_new (NULL, NULL);
  sim->next_port = 1500;
  sim->timer = -1;
  sim->op9_at = -1;
  sim->flash = g_byte_array_new ();
}

static void
sim_clear (Sim *sim)
{
  Flight *f;

  while ((f = g_queue_pop_head (&sim->flights)) != NULL)
    {
      g_bytes_unref (f->bytes);
      g_free (f);
    }
  g_clear_object (&sim->engine);
  g_bytes_unref (sim->image);
  g_clear_pointer (&sim->last_sent, g_bytes_unref);
  g_hash_table_unref (sim->drop);
  g_byte_array_unref (sim->flash);
}

static void
assert_flashed (Sim *sim)
{
  g_assert_true (sim->complete);
  g_assert_true (sim->flash_done);
  g_assert_cmpuint (sim->non_data, ==, 0);
  g_assert_cmpmem (sim->flash->data, sim->flash->len,
                   g_bytes_get_data (sim->image, NULL), g_bytes_get_size (sim->image));
}

static void
test_clean (void)
{
  Sim sim;

  sim_init (&sim, 40 * 512 + 28);
  run (&sim, 600 * G_USEC_PER_SEC);
  assert_flashed (&sim);
  g_assert_cmpuint (sim.timeouts, ==, 0);
  g_assert_cmpuint (sim.router_restarts, ==, 0);
  g_assert_cmpuint (sim.restarts, ==, 0);
  sim_clear (&sim);
}

/* Lose @n packets spread over the transfer: the request, DATA (block 1
 * included) and ACKs, each the first copy only. */
static void
drop_spread (Sim *sim, guint n)
{
  static const guint what[][2] = {
    { MPF_TFTP_OP_RRQ, 0 }, { MPF_TFTP_OP_DATA, 1 }, { MPF_TFTP_OP_ACK, 3 },
    { MPF_TFTP_OP_DATA, 6 }, { MPF_TFTP_OP_ACK, 9 }, { MPF_TFTP_OP_DATA, 12 },
    { MPF_TFTP_OP_ACK, 15 }, { MPF_TFTP_OP_DATA, 18 }, { MPF_TFTP_OP_ACK, 21 },
    { MPF_TFTP_OP_DATA, 24 }, { MPF_TFTP_OP_ACK, 27 }, { MPF_TFTP_OP_DATA, 30 },
  };

  g_assert_cmpuint (n, <=, G_N_ELEMENTS (what));
  for (guint i = 0; i < n; i++)
    drop_first (sim, what[i][0], what[i][1]);
}

static void
test_ten_losses_survive (void)
{
  Sim sim;

  sim_init (&sim, 40 * 512 + 28);
  drop_spread (&sim, 10);
  run (&sim, 600 * G_USEC_PER_SEC);
  assert_flashed (&sim);
  /* One bootloader timeout per lost packet, no restart. */
  g_assert_cmpuint (sim.timeouts, ==, 10);
  g_assert_cmpuint (sim.router_restarts, ==, 0);
  g_assert_cmpuint (sim.restarts, ==, 0);
  sim_clear (&sim);
}

static void
test_eleventh_loss_restarts (void)
{
  Sim sim;

  sim_init (&sim, 40 * 512 + 28);
  drop_spread (&sim, 11);
  run (&sim, 600 * G_USEC_PER_SEC);
  /* The bootloader starts over from a new port; the engine reports it and
   * serves the new attempt to the end. */
  g_assert_cmpuint (sim.router_restarts, ==, 1);
  g_assert_cmpuint (sim.restarts, ==, 1);
  assert_flashed (&sim);
  sim_clear (&sim);
}

static void
test_last_ack_lost (void)
{
  Sim sim;

  sim_init (&sim, 3 * 512 + 28);
  drop_first (&sim, MPF_TFTP_OP_ACK, 4);   /* the ACK of the short last block */
  run (&sim, 600 * G_USEC_PER_SEC);
  assert_flashed (&sim);
  sim_clear (&sim);
}

static void
test_sustained_loss_noticed (void)
{
  Sim sim;

  sim_init (&sim, 400 * 512 + 28);
  sim.drop_every = 5;
  run (&sim, 120 * G_USEC_PER_SEC);
  /* The bootloader keeps starting over; the engine says so each time (the
   * flash job turns that into "the cable or port is losing packets"). */
  g_assert_false (sim.flash_done);
  g_assert_cmpuint (sim.router_restarts, >=, 3);
  g_assert_cmpuint (sim.restarts, ==, sim.router_restarts);
  g_assert_cmpuint (sim.non_data, ==, 0);
  sim_clear (&sim);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/tftp-hame-sim/clean", test_clean);
  g_test_add_func ("/tftp-hame-sim/ten-losses-survive", test_ten_losses_survive);
  g_test_add_func ("/tftp-hame-sim/eleventh-loss-restarts", test_eleventh_loss_restarts);
  g_test_add_func ("/tftp-hame-sim/last-ack-lost", test_last_ack_lost);
  g_test_add_func ("/tftp-hame-sim/sustained-loss-noticed", test_sustained_loss_noticed);
  return g_test_run ();
}
