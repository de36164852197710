#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "mpf-flash-job-private.h"

/* The recovery path: WAIT_BOOTLOADER → TRANSFER → WRITING, through the helper's TFTP. */

static void
serve_again_answer (MpfFlashJob *self, const char *answer);

static void
served_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  MpfFlashJob *self = user_data;
  g_autoptr(GError) error = NULL;

  RETURN_IF_ENDING (self);
  if (!mpf_flash_env_finish_boolean (MPF_FLASH_ENV (source), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        mpf_flash_job_fail_from (self, g_steal_pointer (&error));
      else
        mpf_flash_job_fail (self, g_error_new (MPF_FLASH_JOB_ERROR, MPF_FLASH_JOB_ERROR_HELPER,
                                 _("The recovery service could not be started: %s"), error->message));
      g_object_unref (self);
      return;
    }
  self->serving = TRUE;
  self->transfer_done = self->flash_done = FALSE;
  mpf_flash_job_set_stage (self, MPF_FLASH_STAGE_WAIT_BOOTLOADER, NULL);
  mpf_flash_job_ask (self, MPF_FLASH_PROMPT_POWER_CYCLE,
       _("Unplug the router’s power. Hold its reset button, plug the power back in, and keep holding for five "
         "seconds. mprflash continues by itself when the router asks for the file."), NULL);
  /* The demo plays the user's hands. */
  mpf_flash_env_user_action (self->env, "power-cycle reset-held");
  g_object_unref (self);
}

static void
recovery_configured_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  MpfFlashJob *self = user_data;
  g_autoptr(GError) error = NULL;

  RETURN_IF_ENDING (self);
  if (!mpf_flash_env_finish_boolean (MPF_FLASH_ENV (source), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        mpf_flash_job_fail_from (self, g_steal_pointer (&error));
      else
        mpf_flash_job_fail (self, g_error_new (MPF_FLASH_JOB_ERROR, MPF_FLASH_JOB_ERROR_NETWORK_CONFIG,
                                 _("The recovery address 192.168.1.55 could not be set up: %s"), error->message));
      g_object_unref (self);
      return;
    }
  mpf_flash_env_serve_async (self->env, self->uimage, FALSE, self->cancellable, served_cb, self);
}

void
mpf_flash_job_start_recovery (MpfFlashJob *self)
{
  self->restarts = 0;
  mpf_flash_job_set_stage (self, MPF_FLASH_STAGE_WAIT_BOOTLOADER, _("Preparing the recovery service…"));
  mpf_flash_env_configure_async (self->env, MPF_NETCONFIG_PURPOSE_RECOVERY, self->cancellable,
                                 recovery_configured_cb, g_object_ref (self));
}

static void
served_again_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  MpfFlashJob *self = user_data;
  g_autoptr(GError) error = NULL;

  RETURN_IF_ENDING (self);
  if (!mpf_flash_env_finish_boolean (MPF_FLASH_ENV (source), result, &error))
    mpf_flash_job_fail_from (self, g_steal_pointer (&error));
  else
    mpf_flash_job_set_stage (self, MPF_FLASH_STAGE_WAIT_BOOTLOADER, _("Waiting for the router to ask again…"));
  g_object_unref (self);
}

static void
serve_again_answer (MpfFlashJob *self, const char *answer)
{
  if (mpf_flash_job_answer_is_yes (answer))
    {
      mpf_flash_job_stop_polling (self);
      self->restarts = 0;
      mpf_flash_env_serve_async (self->env, self->uimage, TRUE, self->cancellable, served_again_cb,
                                 g_object_ref (self));
    }
  else
    mpf_flash_job_set_message (self, _("Let go of the reset button, then unplug the router’s power and plug it back in. "
                         "mprflash waits for the new firmware."));
}

static void
transfer_progress (MpfFlashJob *self, JsonObject *f)
{
  gint64 bytes = json_object_get_int_member_with_default (f, "bytes", 0);
  gint64 total = json_object_get_int_member_with_default (f, "total", 0);
  gint64 elapsed = json_object_get_int_member_with_default (f, "elapsed_us", 0);
  int eta = -1;

  if (bytes > 0 && elapsed > 0 && total >= bytes)
    eta = (int) ((total - bytes) * (elapsed / 1e6) / bytes + 0.5);
  mpf_flash_job_set_progress (self, total > 0 ? (double) bytes / (double) total : -1.0, eta);
}

void
mpf_flash_job_on_tftp_event (MpfFlashJob *self, const char *name, JsonObject *f)
{
  if (!self->serving)
    return;
  if (g_str_equal (name, "seen"))
    {
      if (self->stage == MPF_FLASH_STAGE_WAIT_BOOTLOADER
          && g_strcmp0 (json_object_get_string_member_with_default (f, "ip", ""), "192.168.1.2") == 0)
        mpf_flash_job_set_message (self, _("The router’s bootloader is on the cable. Waiting for it to ask for the file…"));
      return;
    }
  if (g_str_equal (name, "tftp-request"))
    {
      MpfRouterInfo *info = mpf_flash_job_router_copy_or_new (self);
      const char *mac = json_object_get_string_member_with_default (f, "mac", NULL);
      g_autofree char *msg = NULL;

      g_free (info->factory_mac);
      info->factory_mac = g_strdup (mac);
      mpf_flash_job_set_router (self, info);
      if (self->stage > MPF_FLASH_STAGE_TRANSFER)
        return;
      msg = g_strdup_printf (_("The router (factory MAC %s) asks for the file. Sending it — keep the power on…"),
                             mac ? mac : "?");
      self->prompt_pending = FALSE;
      mpf_flash_job_set_stage (self, MPF_FLASH_STAGE_TRANSFER, msg);
      return;
    }
  if (g_str_equal (name, "tftp-unsupported-bootloader"))
    {
      mpf_flash_job_fail (self, g_error_new_literal (MPF_FLASH_JOB_ERROR, MPF_FLASH_JOB_ERROR_UNSUPPORTED_BOOTLOADER,
                                       _("This router’s bootloader is not the one mprflash knows (its request has no "
                                         "fingerprint), so nothing was sent: it expects other files. Use the web path "
                                         "if the router still starts.")));
      return;
    }
  if (g_str_equal (name, "tftp-restart"))
    {
      self->restarts = (guint) json_object_get_int_member_with_default (f, "restarts", self->restarts + 1);
      if (self->restarts >= MAX_RESTARTS)
        mpf_flash_job_fail (self, g_error_new (MPF_FLASH_JOB_ERROR, MPF_FLASH_JOB_ERROR_TRANSFER_RESTARTS,
                                 _("The router restarted the transfer %u times: the cable or port is losing packets. "
                                   "Nothing was written. Use another cable or port (not through a switch or hub), "
                                   "then try again."), self->restarts));
      else
        mpf_flash_job_set_message (self, _("The router started the transfer again (a packet was lost). Continuing…"));
      return;
    }
  if (g_str_equal (name, "tftp-progress") && self->stage == MPF_FLASH_STAGE_TRANSFER)
    {
      transfer_progress (self, f);
      return;
    }
  if (g_str_equal (name, "tftp-complete"))
    {
      transfer_progress (self, f);
      self->transfer_done = TRUE;
      if (self->stage <= MPF_FLASH_STAGE_TRANSFER)
        mpf_flash_job_set_stage (self, MPF_FLASH_STAGE_WRITING,
                   _("The router is writing its flash (red light). Do not unplug it — this takes one to two minutes…"));
      return;
    }
  if (g_str_equal (name, "tftp-flash-done"))
    {
      self->flash_done = TRUE;
      if (self->stage <= MPF_FLASH_STAGE_WRITING)
        mpf_flash_job_recovery_rebooting (self);
      return;
    }
  if (g_str_equal (name, "tftp-error"))
    {
      const char *code = json_object_get_string_member_with_default (f, "code", "");

      if (g_str_equal (code, "flash-done-timeout"))
        mpf_flash_job_writing_timed_out (self);
      else if (self->stage <= MPF_FLASH_STAGE_TRANSFER)
        mpf_flash_job_fail (self, g_error_new_literal (MPF_FLASH_JOB_ERROR, MPF_FLASH_JOB_ERROR_TRANSFER_STALLED,
                                         _("The router stopped answering during the transfer (it may have lost power). "
                                           "Nothing was written. Power it on with reset held and try again.")));
      return;
    }
  if (g_str_equal (name, "tftp-refused")
      && g_strcmp0 (json_object_get_string_member_with_default (f, "reason", ""), "mac-already-served") == 0
      && !self->prompt_pending)
    {
      mpf_flash_job_ask (self, MPF_FLASH_PROMPT_SERVE_AGAIN,
           _("The router asks for the file again: its reset button is probably still held. Let go of it. "
             "Send the file once more?"), serve_again_answer);
      return;
    }
}
