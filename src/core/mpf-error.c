#include "config.h"

#include "mpf-error.h"

G_DEFINE_QUARK (mpf-image-error-quark, mpf_image_error)
