#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Errors of the pure image layer. Messages are translated, for people. */
#define MPF_IMAGE_ERROR (mpf_image_error_quark ())

typedef enum {
  MPF_IMAGE_ERROR_EMPTY,            /* zero-length file */
  MPF_IMAGE_ERROR_TRUNCATED_HEADER, /* shorter than the header */
  MPF_IMAGE_ERROR_BAD_MAGIC,        /* not a uImage / not an encoded image */
  MPF_IMAGE_ERROR_BAD_HEADER_CRC,
  MPF_IMAGE_ERROR_TRUNCATED_DATA,   /* header promises more bytes than the file has */
  MPF_IMAGE_ERROR_BAD_DATA_CRC,
  MPF_IMAGE_ERROR_WRONG_ARCH,
  MPF_IMAGE_ERROR_NOT_KERNEL,
  MPF_IMAGE_ERROR_BAD_COMPRESSION,
  MPF_IMAGE_ERROR_TOO_BIG,          /* larger than the board's firmware partition */
  MPF_IMAGE_ERROR_TOO_BIG_FOR_ANY,  /* larger than any supported flash: not even read */
  MPF_IMAGE_ERROR_BAD_CHECKSUM,     /* Poray checksum / no key verifies */
  MPF_IMAGE_ERROR_UNKNOWN_BOARD,
  MPF_IMAGE_ERROR_NO_ENCODED_FORMAT,/* board has no Poray format (MPR-A2) */
  MPF_IMAGE_ERROR_WRONG_FORMAT,     /* e.g. encoded image where a uImage is needed */
  MPF_IMAGE_ERROR_IO,               /* missing, unreadable, a directory */
  MPF_IMAGE_ERROR_CATALOG,          /* malformed catalogue or board table */
  MPF_IMAGE_ERROR_WRONG_BOARD,      /* known (catalogue/key) to be made for another board */
} MpfImageError;

GQuark mpf_image_error_quark (void);

/* Stable id of a code for machine-readable output ("bad-data-crc"). */
const char *mpf_image_error_to_string (int code);

G_END_DECLS
