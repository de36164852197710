#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "mpf-flash-job-private.h"
#include "mpf-web-flasher-goahead.h"
#include "mpf-web-flasher-luci.h"

/* The web path: LOGIN → UPLOAD → CONFIRM through the router's own upgrade page. */

static void
flasher_log_cb (MpfWebFlasher *flasher, const char *line, MpfFlashJob *self)
{
  mpf_flash_job_log_text (self, "web", "line", line);
}

static void
flasher_progress_cb (MpfWebFlasher *flasher, guint64 sent, guint64 total, MpfFlashJob *self)
{
  gint64 now = g_get_monotonic_time ();
  int eta = -1;

  if (self->stage != MPF_FLASH_STAGE_UPLOAD)
    return;
  if (sent > 0 && now > self->upload_started_us && total >= sent)
    eta = (int) ((double) (total - sent) * ((now - self->upload_started_us) / 1e6) / (double) sent + 0.5);
  mpf_flash_job_set_progress (self, total > 0 ? (double) sent / (double) total : -1.0, eta);
}

static void
flasher_verdict_cb (MpfWebFlasher *flasher, MpfFlashJob *self)
{
  if (self->stage == MPF_FLASH_STAGE_UPLOAD)
    mpf_flash_job_set_stage (self, MPF_FLASH_STAGE_CONFIRM,
               _("The image is sent. The router checks it (the stock firmware also writes it now) — do not unplug it…"));
}

static void
uploaded_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  MpfFlashJob *self = user_data;
  g_autoptr(GError) error = NULL;

  RETURN_IF_ENDING (self);
  if (!mpf_web_flasher_upload_finish (MPF_WEB_FLASHER (source), result, &error))
    {
      int code = MPF_FLASH_JOB_ERROR_UPLOAD_REFUSED;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          mpf_flash_job_fail_from (self, g_steal_pointer (&error));
          g_object_unref (self);
          return;
        }
      if (g_error_matches (error, MPF_WEB_FLASHER_ERROR, MPF_WEB_FLASHER_ERROR_CONNECTION_DROPPED)
          || g_error_matches (error, MPF_WEB_FLASHER_ERROR, MPF_WEB_FLASHER_ERROR_TIMEOUT)
          || g_error_matches (error, MPF_WEB_FLASHER_ERROR, MPF_WEB_FLASHER_ERROR_UNREACHABLE))
        code = MPF_FLASH_JOB_ERROR_CONNECTION_LOST;
      else if (g_error_matches (error, MPF_WEB_FLASHER_ERROR, MPF_WEB_FLASHER_ERROR_NOT_LOGGED_IN))
        code = MPF_FLASH_JOB_ERROR_WRONG_PASSWORD;
      mpf_flash_job_fail (self, g_error_new_literal (MPF_FLASH_JOB_ERROR, code, error->message));
      g_object_unref (self);
      return;
    }
  mpf_flash_job_forget_gone (self);
  mpf_flash_job_set_stage (self, MPF_FLASH_STAGE_WRITING,
             _("The router accepted the image and is writing it. Do not unplug it; it restarts by itself…"));
  mpf_flash_job_poll_start (self);
  g_object_unref (self);
}

static void
start_upload (MpfFlashJob *self)
{
  mpf_flash_job_set_stage (self, MPF_FLASH_STAGE_UPLOAD, _("Sending the image to the router…"));
  self->upload_started_us = g_get_monotonic_time ();
  mpf_web_flasher_upload_async (self->flasher, self->uimage, self->cancellable, uploaded_cb, g_object_ref (self));
}

static void password_answer (MpfFlashJob *self, const char *answer);

static void
logged_in_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  MpfFlashJob *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *accepted = mpf_web_flasher_login_finish (MPF_WEB_FLASHER (source), result, &error);

  RETURN_IF_ENDING (self);
  if (accepted == NULL)
    {
      if (g_error_matches (error, MPF_WEB_FLASHER_ERROR, MPF_WEB_FLASHER_ERROR_WRONG_PASSWORD))
        mpf_flash_job_ask (self, MPF_FLASH_PROMPT_PASSWORD,
             self->password == NULL
             ? _("The router refused its default password. Type the router’s web password.")
             : _("The router refused that password. Type it again (it is case-sensitive)."),
             password_answer);
      else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        mpf_flash_job_fail_from (self, g_steal_pointer (&error));
      else
        mpf_flash_job_fail (self, g_error_new_literal (MPF_FLASH_JOB_ERROR, MPF_FLASH_JOB_ERROR_CONNECTION_LOST, error->message));
      g_object_unref (self);
      return;
    }
  g_clear_pointer (&self->password, g_free);
  start_upload (self);
  g_object_unref (self);
}

static void
login (MpfFlashJob *self)
{
  const char *passwords[2] = { self->password, NULL };

  mpf_flash_job_set_stage (self, MPF_FLASH_STAGE_LOGIN, _("Signing in to the router’s web page…"));
  mpf_web_flasher_login_async (self->flasher, self->password ? passwords : NULL, self->cancellable,
                               logged_in_cb, g_object_ref (self));
}

static void
password_answer (MpfFlashJob *self, const char *answer)
{
  if (answer == NULL || *answer == '\0')
    {
      mpf_flash_job_fail (self, g_error_new_literal (MPF_FLASH_JOB_ERROR, MPF_FLASH_JOB_ERROR_WRONG_PASSWORD,
                                       _("The router’s web password is needed. If nobody knows it, use the recovery "
                                         "path, which needs no password.")));
      return;
    }
  g_free (self->password);
  self->password = g_strdup (answer);
  login (self);
}

static void
rename_answer (MpfFlashJob *self, const char *answer)
{
  if (!mpf_flash_job_answer_is_yes (answer))
    {
      mpf_flash_job_fail (self, g_error_new_literal (MPF_FLASH_JOB_ERROR, MPF_FLASH_JOB_ERROR_IMAGE_REFUSED,
                                       _("The stock web page only takes images named “Linux Kernel Image”. Nothing was "
                                         "sent. Choose the recovery path to flash this file as it is.")));
      return;
    }
  mpf_web_flasher_goahead_set_allow_rename (MPF_WEB_FLASHER_GOAHEAD (self->flasher), TRUE);
  login (self);
}

void
mpf_flash_job_start_web (MpfFlashJob *self)
{
  g_autofree char *http = mpf_flash_env_http_address (self->env, self->router->address);

  if (mpf_flash_job_is_stock (self->found_family))
    self->flasher = MPF_WEB_FLASHER (mpf_web_flasher_goahead_new (http, self->found_family));
  else
    self->flasher = MPF_WEB_FLASHER (mpf_web_flasher_luci_new (http));
  g_signal_connect (self->flasher, "log", G_CALLBACK (flasher_log_cb), self);
  g_signal_connect (self->flasher, "upload-progress", G_CALLBACK (flasher_progress_cb), self);
  g_signal_connect (self->flasher, "waiting-for-verdict", G_CALLBACK (flasher_verdict_cb), self);
  if (self->plan->rename)
    {
      mpf_flash_job_set_stage (self, MPF_FLASH_STAGE_LOGIN, NULL);
      mpf_flash_job_ask (self, MPF_FLASH_PROMPT_RENAME_IMAGE,
           _("The stock web page only takes images named “Linux Kernel Image”. mprflash can rewrite the name "
             "inside the image (the router ignores it when starting). Rewrite the name and continue?"),
           rename_answer);
      return;
    }
  login (self);
}
