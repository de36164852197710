#pragma once

/* Everything one helper run holds: the one interface it acts on, the
 * addresses it added, the capture handle, the image and the TFTP service.
 * Freeing the session undoes all of it. */

#include <glib.h>

#include "mpf-helper-protocol.h"

G_BEGIN_DECLS

typedef struct _MpfHelperSession MpfHelperSession;

/* @output receives each reply/event line; @fatal is called when the session
 * cannot go on (the caller then frees it, which cleans up). */
typedef void (*MpfHelperOutputFunc) (const char *line, gpointer user_data);
typedef void (*MpfHelperFatalFunc)  (gpointer user_data);

MpfHelperSession *mpf_helper_session_new    (MpfHelperOutputFunc output,
                                             MpfHelperFatalFunc  fatal,
                                             gpointer            user_data);
void              mpf_helper_session_handle (MpfHelperSession       *self,
                                             const MpfHelperRequest *req);
void              mpf_helper_session_free   (MpfHelperSession *self);

G_END_DECLS
