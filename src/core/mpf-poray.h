#pragma once

#include <glib.h>
#include "mpf-board.h"

G_BEGIN_DECLS

/* Poray/Hame factory ("encoded") format, as OpenWrt's mkporayfw makes it. */
#define MPF_PORAY_HEADER_SIZE 28
#define MPF_PORAY_FLAGS       0x020e0000u
#define MPF_PORAY_KEY_LEN     15

/* TRUE if @data has the shape of an encoded file (flags, zero pad, length). */
gboolean mpf_poray_looks_encoded (const guint8 *data, gsize len);

/* Encodes a uImage for @board (which must have a Poray key). */
GBytes  *mpf_poray_encode (const MpfBoard *board, GBytes *uimage, GError **error);

/* Decodes with whichever known key makes both the checksum and the inner
 * uImage header CRC verify; @out_board (nullable) gets the first board using that key. */
GBytes  *mpf_poray_decode (GBytes *encoded, const MpfBoard **out_board, GError **error);

/* The reference checksum, including its signed 32-bit wraparound. */
guint16  mpf_poray_checksum (const guint8 *data, gsize len);

G_END_DECLS
