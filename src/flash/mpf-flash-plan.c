#include "config.h"

#include <glib/gi18n.h>

#include "mpf-flash-plan.h"

/* Boxed types of the public header. */

MpfRouterInfo *
mpf_router_info_copy (const MpfRouterInfo *info)
{
  MpfRouterInfo *copy;

  if (info == NULL)
    return NULL;
  copy = g_new0 (MpfRouterInfo, 1);
  copy->interface = g_strdup (info->interface);
  copy->address = g_strdup (info->address);
  copy->mac = g_strdup (info->mac);
  copy->family = info->family;
  copy->version = g_strdup (info->version);
  copy->board = g_strdup (info->board);
  copy->factory_mac = g_strdup (info->factory_mac);
  return copy;
}

void
mpf_router_info_free (MpfRouterInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->interface);
  g_free (info->address);
  g_free (info->mac);
  g_free (info->version);
  g_free (info->board);
  g_free (info->factory_mac);
  g_free (info);
}

G_DEFINE_BOXED_TYPE (MpfRouterInfo, mpf_router_info, mpf_router_info_copy, mpf_router_info_free)

MpfFlashPlan *
mpf_flash_plan_copy (const MpfFlashPlan *plan)
{
  MpfFlashPlan *copy;

  if (plan == NULL)
    return NULL;
  copy = g_new0 (MpfFlashPlan, 1);
  *copy = *plan;
  copy->image_label = g_strdup (plan->image_label);
  copy->reason = g_strdup (plan->reason);
  return copy;
}

void
mpf_flash_plan_free (MpfFlashPlan *plan)
{
  if (plan == NULL)
    return;
  g_free (plan->image_label);
  g_free (plan->reason);
  g_free (plan);
}

G_DEFINE_BOXED_TYPE (MpfFlashPlan, mpf_flash_plan, mpf_flash_plan_copy, mpf_flash_plan_free)

static const char *const path_names[] = { "auto", "web", "recovery" };
static const char *const goal_names[] = { "stock", "openwrt", "reinstall" };

const char *
mpf_flash_path_to_string (MpfFlashPath path)
{
  return (guint) path < G_N_ELEMENTS (path_names) ? path_names[path] : "auto";
}

const char *
mpf_flash_goal_to_string (MpfFlashGoal goal)
{
  return (guint) goal < G_N_ELEMENTS (goal_names) ? goal_names[goal] : "stock";
}

gboolean
mpf_flash_path_from_string (const char *s, MpfFlashPath *out)
{
  for (guint i = 0; s != NULL && i < G_N_ELEMENTS (path_names); i++)
    if (g_str_equal (s, path_names[i]))
      return *out = (MpfFlashPath) i, TRUE;
  return FALSE;
}

gboolean
mpf_flash_goal_from_string (const char *s, MpfFlashGoal *out)
{
  for (guint i = 0; s != NULL && i < G_N_ELEMENTS (goal_names); i++)
    if (g_str_equal (s, goal_names[i]))
      return *out = (MpfFlashGoal) i, TRUE;
  return FALSE;
}

static gboolean
is_stock (MpfFamily f)
{
  return f == MPF_FAMILY_STOCK || f == MPF_FAMILY_HAME_STOCK || f == MPF_FAMILY_MPRL8_STOCK;
}

/* Does the image fit what the user asked for? Unknown image families pass:
 * the verdict already said what it could not tell. */
static gboolean
goal_fits (MpfFamily found, gboolean answered, MpfFamily image, MpfFlashGoal goal, GError **error)
{
  if (image == MPF_FAMILY_UNKNOWN)
    return TRUE;
  if (goal == MPF_FLASH_GOAL_STOCK && !is_stock (image))
    {
      g_set_error_literal (error, MPF_FLASH_JOB_ERROR, MPF_FLASH_JOB_ERROR_IMAGE_REFUSED,
                           _("This file is not a stock firmware, but you asked to restore the stock firmware. "
                             "Choose a stock image, or choose “Install OpenWrt”."));
      return FALSE;
    }
  if (goal == MPF_FLASH_GOAL_OPENWRT && image != MPF_FAMILY_OPENWRT)
    {
      g_set_error_literal (error, MPF_FLASH_JOB_ERROR, MPF_FLASH_JOB_ERROR_IMAGE_REFUSED,
                           _("This file is not an OpenWrt image, but you asked to install OpenWrt. "
                             "Choose an OpenWrt image for this router."));
      return FALSE;
    }
  if (goal == MPF_FLASH_GOAL_REINSTALL && answered && found != MPF_FAMILY_UNKNOWN
      && found != MPF_FAMILY_BOOTLOADER
      && is_stock (found) != is_stock (image))
    {
      g_set_error_literal (error, MPF_FLASH_JOB_ERROR, MPF_FLASH_JOB_ERROR_IMAGE_REFUSED,
                           _("This file is another kind of firmware than the one the router runs, so it would "
                             "not be a reinstall. Choose an image of the same kind, or change the goal."));
      return FALSE;
    }
  return TRUE;
}

gboolean
mpf_flash_choose_path (MpfFamily     found,
                       gboolean      answered,
                       MpfFamily     image_family,
                       MpfFlashGoal  goal,
                       MpfFlashPath  forced,
                       MpfFlashPlan *plan,
                       GError      **error)
{
  MpfFamily target = image_family;
  gboolean web_ok = FALSE;
  const char *web_reason = NULL, *recovery_reason = NULL, *no_web = NULL;

  if (!goal_fits (found, answered, image_family, goal, error))
    return FALSE;
  if (target == MPF_FAMILY_UNKNOWN)
    target = goal == MPF_FLASH_GOAL_OPENWRT ? MPF_FAMILY_OPENWRT
           : goal == MPF_FLASH_GOAL_REINSTALL && answered ? found : MPF_FAMILY_STOCK;

  plan->target_family = target;
  plan->encode = FALSE;

  if (!answered || found == MPF_FAMILY_BOOTLOADER)
    {
      recovery_reason = found == MPF_FAMILY_BOOTLOADER
        ? N_("The router is in recovery mode, so its bootloader will receive the image.")
        : N_("Nothing answered on the cable, so the router’s bootloader will receive the image (recovery mode).");
      no_web = N_("The web path needs the router’s own firmware to answer, and nothing did. Use the recovery path.");
    }
  else if (found == MPF_FAMILY_HAME_STOCK || found == MPF_FAMILY_STOCK)
    {
      web_ok = TRUE;
      web_reason = N_("The router runs the Hame stock firmware: its own upgrade page takes the image.");
      recovery_reason = N_("You chose the recovery path: the router’s bootloader will receive the image.");
    }
  else if (found == MPF_FAMILY_MPRL8_STOCK)
    {
      web_ok = TRUE;
      plan->encode = TRUE;
      web_reason = N_("The router runs the MPR-L8 stock firmware: its upgrade page takes the image once it is encoded for the MPR-L8.");
      recovery_reason = N_("You chose the recovery path: the router’s bootloader will receive the image.");
    }
  else if (found == MPF_FAMILY_OPENWRT)
    {
      if (target == MPF_FAMILY_OPENWRT)
        {
          web_ok = TRUE;
          web_reason = N_("The router runs OpenWrt: its LuCI upgrade page installs the image (settings are not kept).");
          recovery_reason = N_("You chose the recovery path: the router’s bootloader will receive the image.");
        }
      else
        {
          recovery_reason = N_("The router runs OpenWrt, whose upgrade page refuses stock images, so the router’s "
                               "bootloader will receive the image (recovery mode).");
          no_web = N_("OpenWrt’s upgrade page refuses stock images. Use the recovery path.");
        }
    }
  else
    {
      if (forced != MPF_FLASH_PATH_RECOVERY)
        {
          g_set_error_literal (error, MPF_FLASH_JOB_ERROR, MPF_FLASH_JOB_ERROR_UNKNOWN_DEVICE,
                               _("The device that answered is not a router mprflash knows, so its web page cannot "
                                 "be used. If it is your router, choose the recovery path."));
          return FALSE;
        }
      recovery_reason = N_("You chose the recovery path: the router’s bootloader will receive the image.");
    }

  if (forced == MPF_FLASH_PATH_RECOVERY || (forced == MPF_FLASH_PATH_AUTO && !web_ok))
    {
      plan->path = MPF_FLASH_PATH_RECOVERY;
      plan->encode = FALSE;
      g_free (plan->reason);
      plan->reason = g_strdup (_(recovery_reason));
      return TRUE;
    }
  if (!web_ok)
    {
      g_set_error_literal (error, MPF_FLASH_JOB_ERROR, MPF_FLASH_JOB_ERROR_IMAGE_REFUSED, _(no_web));
      return FALSE;
    }
  plan->path = MPF_FLASH_PATH_WEB;
  g_free (plan->reason);
  plan->reason = g_strdup (_(web_reason));
  return TRUE;
}
