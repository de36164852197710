#include "config.h"

#include "mpf-error.h"

G_DEFINE_QUARK (mpf-image-error-quark, mpf_image_error)

const char *
mpf_image_error_to_string (int code)
{
  switch ((MpfImageError) code)
    {
    case MPF_IMAGE_ERROR_EMPTY: return "empty";
    case MPF_IMAGE_ERROR_TRUNCATED_HEADER: return "truncated-header";
    case MPF_IMAGE_ERROR_BAD_MAGIC: return "bad-magic";
    case MPF_IMAGE_ERROR_BAD_HEADER_CRC: return "bad-header-crc";
    case MPF_IMAGE_ERROR_TRUNCATED_DATA: return "truncated-data";
    case MPF_IMAGE_ERROR_BAD_DATA_CRC: return "bad-data-crc";
    case MPF_IMAGE_ERROR_WRONG_ARCH: return "wrong-arch";
    case MPF_IMAGE_ERROR_NOT_KERNEL: return "not-kernel";
    case MPF_IMAGE_ERROR_BAD_COMPRESSION: return "bad-compression";
    case MPF_IMAGE_ERROR_TOO_BIG: return "too-big";
    case MPF_IMAGE_ERROR_TOO_BIG_FOR_ANY: return "too-big-for-any";
    case MPF_IMAGE_ERROR_BAD_CHECKSUM: return "bad-checksum";
    case MPF_IMAGE_ERROR_UNKNOWN_BOARD: return "unknown-board";
    case MPF_IMAGE_ERROR_NO_ENCODED_FORMAT: return "no-encoded-format";
    case MPF_IMAGE_ERROR_WRONG_FORMAT: return "wrong-format";
    case MPF_IMAGE_ERROR_IO: return "io";
    case MPF_IMAGE_ERROR_CATALOG: return "catalog";
    case MPF_IMAGE_ERROR_WRONG_BOARD: return "wrong-board";
    default: return "unknown";
    }
}
