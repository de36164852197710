#pragma once

/* The pure part of planning (ARCHITECTURE.md, "Path choice"): no network,
 * no state, so the table is unit-tested row by row (tests/flash). */

#include "mpf-flash-job.h"

G_BEGIN_DECLS

/* Chooses the path for flashing an image of @image_family onto a router
 * found running @found (MPF_FAMILY_UNKNOWN with @answered FALSE: nothing
 * answered or bricked; MPF_FAMILY_BOOTLOADER: already in recovery).
 * @forced: MPF_FLASH_PATH_AUTO or the caller's override. The job always
 * sends the plain uImage (an encoded file is decoded first); for the MPR-L8
 * web UI it is encoded again on the fly (plan->encode).
 * Fills @plan's path, target_family, encode and reason (translated); FALSE
 * with MPF_FLASH_JOB_ERROR_IMAGE_REFUSED / UNKNOWN_DEVICE when no path can
 * work, the message saying what to do instead. */
gboolean mpf_flash_choose_path (MpfFamily     found,
                                gboolean      answered,
                                MpfFamily     image_family,
                                MpfFlashGoal  goal,
                                MpfFlashPath  forced,
                                MpfFlashPlan *plan,
                                GError      **error);

const char *mpf_flash_path_to_string (MpfFlashPath path);  /* "auto", "web", "recovery" */
const char *mpf_flash_goal_to_string (MpfFlashGoal goal);  /* "stock", "openwrt", "reinstall" */
gboolean    mpf_flash_path_from_string (const char *s, MpfFlashPath *out);
gboolean    mpf_flash_goal_from_string (const char *s, MpfFlashGoal *out);

G_END_DECLS
