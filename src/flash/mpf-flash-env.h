#pragma once

/* Where MpfFlashJob's network actions happen. Two implementations:
 *  - MpfFlashEnvReal: the wired interface (link monitor), the temporary
 *    address (MpfNetconfig: NetworkManager, else the helper), discovery, and
 *    the privileged helper for the recovery TFTP service;
 *  - MpfFlashEnvDemo: the simulated router of `--demo` on loopback
 *    (tests/fake-router --loopback): no helper, no address change, TFTP
 *    served in-process on a loopback port.
 * The job's state machine is the same over both.
 *
 * Signal "event" (const char *name, JsonObject *fields): what the network
 * side reports, named as the helper's events (src/helper/mpf-helper-tftp.c):
 * "tftp-request", "tftp-restart", "tftp-progress", "tftp-complete",
 * "tftp-flash-done", "tftp-unsupported-bootloader", "tftp-refused",
 * "tftp-error", "seen"; plus "carrier" ({"carrier": bool}) and
 * "helper-exited". */

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include "mpf-netconfig.h"

G_BEGIN_DECLS

#define MPF_TYPE_FLASH_ENV (mpf_flash_env_get_type ())
G_DECLARE_INTERFACE (MpfFlashEnv, mpf_flash_env, MPF, FLASH_ENV, GObject)

struct _MpfFlashEnvInterface {
  GTypeInterface parent_iface;

  /* Each finishes through mpf_flash_env_finish_* below (GTask results). */
  void  (*find_link_async) (MpfFlashEnv *self, const char *interface, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data);     /* -> char* name */
  void  (*configure_async) (MpfFlashEnv *self, MpfNetconfigPurpose purpose, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data);     /* -> boolean */
  void  (*discover_async)  (MpfFlashEnv *self, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data);     /* -> GPtrArray of MpfDiscovered* */
  void  (*serve_async)     (MpfFlashEnv *self, GBytes *uimage, gboolean again, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data);     /* -> boolean */
  void  (*serve_stop_async)(MpfFlashEnv *self, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data);     /* -> boolean */
  void  (*restore_async)   (MpfFlashEnv *self, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data);     /* -> boolean */
  /* "192.168.1.1" -> what HTTP clients must use ("127.0.0.1:8080" in the demo). */
  char *(*http_address)    (MpfFlashEnv *self, const char *address);
  /* The demo plays the user's hands for @action ("power-cycle reset-held");
   * the real environment cannot (NULL vfunc). */
  void  (*user_action)     (MpfFlashEnv *self, const char *action);
  gboolean (*has_carrier)  (MpfFlashEnv *self);
  /* For the log: "real (NetworkManager)", "demo (loopback)", ... */
  const char *(*describe)  (MpfFlashEnv *self);
};

void        mpf_flash_env_find_link_async (MpfFlashEnv *self, const char *interface, GCancellable *cancellable,
                                           GAsyncReadyCallback callback, gpointer user_data);
void        mpf_flash_env_configure_async (MpfFlashEnv *self, MpfNetconfigPurpose purpose,
                                           GCancellable *cancellable, GAsyncReadyCallback callback,
                                           gpointer user_data);
void        mpf_flash_env_discover_async  (MpfFlashEnv *self, GCancellable *cancellable,
                                           GAsyncReadyCallback callback, gpointer user_data);
/* Starts serving @uimage (wrapped in the recovery container) to the
 * bootloader; @again: forget the routers already served (the user agreed to
 * serve the same one once more). Finishes once the service listens. */
void        mpf_flash_env_serve_async     (MpfFlashEnv *self, GBytes *uimage, gboolean again,
                                           GCancellable *cancellable, GAsyncReadyCallback callback,
                                           gpointer user_data);
void        mpf_flash_env_serve_stop_async (MpfFlashEnv *self, GCancellable *cancellable,
                                            GAsyncReadyCallback callback, gpointer user_data);
/* Gives the network back (temporary address removed, helper closed). */
void        mpf_flash_env_restore_async   (MpfFlashEnv *self, GCancellable *cancellable,
                                           GAsyncReadyCallback callback, gpointer user_data);
char       *mpf_flash_env_http_address    (MpfFlashEnv *self, const char *address);
gboolean    mpf_flash_env_can_act         (MpfFlashEnv *self);
void        mpf_flash_env_user_action     (MpfFlashEnv *self, const char *action);
gboolean    mpf_flash_env_has_carrier     (MpfFlashEnv *self);
const char *mpf_flash_env_describe        (MpfFlashEnv *self);

gboolean    mpf_flash_env_finish_boolean  (MpfFlashEnv *self, GAsyncResult *result, GError **error);
gpointer    mpf_flash_env_finish_pointer  (MpfFlashEnv *self, GAsyncResult *result, GError **error);

/* For implementations: emits "event". */
void        mpf_flash_env_emit            (MpfFlashEnv *self, const char *name, JsonObject *fields);

G_END_DECLS
