#pragma once

#include <adwaita.h>
#include "mpf-flash-job.h"
G_BEGIN_DECLS

#define MPF_TYPE_GOAL_PAGE (mpf_goal_page_get_type ())
G_DECLARE_FINAL_TYPE (MpfGoalPage, mpf_goal_page, MPF, GOAL_PAGE, AdwBin)

/* What the router should run, and the model when it cannot be detected. */
MpfFlashGoal mpf_goal_page_get_goal (MpfGoalPage *self);
const char  *mpf_goal_page_get_board (MpfGoalPage *self); /* NULL: detect */

G_END_DECLS
