/* The path table of ARCHITECTURE.md, row by row, and the goal checks. */
#include "config.h"

#include "mpf-flash-plan.h"

typedef struct {
  MpfFamily    found;
  gboolean     answered;
  MpfFamily    image;
  MpfFlashGoal goal;
  MpfFlashPath forced;
  gboolean     ok;
  MpfFlashPath path;      /* when ok */
  gboolean     encode;
  int          code;      /* when not ok */
} Row;

static const Row rows[] = {
  /* the table: router state × goal */
  { MPF_FAMILY_HAME_STOCK,  TRUE,  MPF_FAMILY_HAME_STOCK, MPF_FLASH_GOAL_STOCK,   MPF_FLASH_PATH_AUTO, TRUE, MPF_FLASH_PATH_WEB, FALSE, 0 },
  { MPF_FAMILY_HAME_STOCK,  TRUE,  MPF_FAMILY_OPENWRT,    MPF_FLASH_GOAL_OPENWRT, MPF_FLASH_PATH_AUTO, TRUE, MPF_FLASH_PATH_WEB, FALSE, 0 },
  { MPF_FAMILY_MPRL8_STOCK, TRUE,  MPF_FAMILY_STOCK,      MPF_FLASH_GOAL_STOCK,   MPF_FLASH_PATH_AUTO, TRUE, MPF_FLASH_PATH_WEB, TRUE, 0 },
  { MPF_FAMILY_MPRL8_STOCK, TRUE,  MPF_FAMILY_OPENWRT,    MPF_FLASH_GOAL_OPENWRT, MPF_FLASH_PATH_AUTO, TRUE, MPF_FLASH_PATH_WEB, TRUE, 0 },
  { MPF_FAMILY_OPENWRT,     TRUE,  MPF_FAMILY_HAME_STOCK, MPF_FLASH_GOAL_STOCK,   MPF_FLASH_PATH_AUTO, TRUE, MPF_FLASH_PATH_RECOVERY, FALSE, 0 },
  { MPF_FAMILY_OPENWRT,     TRUE,  MPF_FAMILY_OPENWRT,    MPF_FLASH_GOAL_OPENWRT, MPF_FLASH_PATH_AUTO, TRUE, MPF_FLASH_PATH_WEB, FALSE, 0 },
  { MPF_FAMILY_UNKNOWN,     FALSE, MPF_FAMILY_HAME_STOCK, MPF_FLASH_GOAL_STOCK,   MPF_FLASH_PATH_AUTO, TRUE, MPF_FLASH_PATH_RECOVERY, FALSE, 0 },
  { MPF_FAMILY_UNKNOWN,     FALSE, MPF_FAMILY_OPENWRT,    MPF_FLASH_GOAL_OPENWRT, MPF_FLASH_PATH_AUTO, TRUE, MPF_FLASH_PATH_RECOVERY, FALSE, 0 },
  { MPF_FAMILY_BOOTLOADER,  FALSE, MPF_FAMILY_HAME_STOCK, MPF_FLASH_GOAL_STOCK,   MPF_FLASH_PATH_AUTO, TRUE, MPF_FLASH_PATH_RECOVERY, FALSE, 0 },
  /* overrides */
  { MPF_FAMILY_HAME_STOCK,  TRUE,  MPF_FAMILY_HAME_STOCK, MPF_FLASH_GOAL_STOCK,   MPF_FLASH_PATH_RECOVERY, TRUE, MPF_FLASH_PATH_RECOVERY, FALSE, 0 },
  { MPF_FAMILY_MPRL8_STOCK, TRUE,  MPF_FAMILY_OPENWRT,    MPF_FLASH_GOAL_OPENWRT, MPF_FLASH_PATH_RECOVERY, TRUE, MPF_FLASH_PATH_RECOVERY, FALSE, 0 },
  { MPF_FAMILY_UNKNOWN,     FALSE, MPF_FAMILY_HAME_STOCK, MPF_FLASH_GOAL_STOCK,   MPF_FLASH_PATH_WEB, FALSE, 0, FALSE, MPF_FLASH_JOB_ERROR_IMAGE_REFUSED },
  { MPF_FAMILY_OPENWRT,     TRUE,  MPF_FAMILY_HAME_STOCK, MPF_FLASH_GOAL_STOCK,   MPF_FLASH_PATH_WEB, FALSE, 0, FALSE, MPF_FLASH_JOB_ERROR_IMAGE_REFUSED },
  { MPF_FAMILY_UNKNOWN,     TRUE,  MPF_FAMILY_HAME_STOCK, MPF_FLASH_GOAL_STOCK,   MPF_FLASH_PATH_AUTO, FALSE, 0, FALSE, MPF_FLASH_JOB_ERROR_UNKNOWN_DEVICE },
  { MPF_FAMILY_UNKNOWN,     TRUE,  MPF_FAMILY_HAME_STOCK, MPF_FLASH_GOAL_STOCK,   MPF_FLASH_PATH_RECOVERY, TRUE, MPF_FLASH_PATH_RECOVERY, FALSE, 0 },
  /* the goal must fit the image */
  { MPF_FAMILY_HAME_STOCK,  TRUE,  MPF_FAMILY_OPENWRT,    MPF_FLASH_GOAL_STOCK,   MPF_FLASH_PATH_AUTO, FALSE, 0, FALSE, MPF_FLASH_JOB_ERROR_IMAGE_REFUSED },
  { MPF_FAMILY_OPENWRT,     TRUE,  MPF_FAMILY_HAME_STOCK, MPF_FLASH_GOAL_OPENWRT, MPF_FLASH_PATH_AUTO, FALSE, 0, FALSE, MPF_FLASH_JOB_ERROR_IMAGE_REFUSED },
  { MPF_FAMILY_OPENWRT,     TRUE,  MPF_FAMILY_HAME_STOCK, MPF_FLASH_GOAL_REINSTALL, MPF_FLASH_PATH_AUTO, FALSE, 0, FALSE, MPF_FLASH_JOB_ERROR_IMAGE_REFUSED },
  { MPF_FAMILY_HAME_STOCK,  TRUE,  MPF_FAMILY_HAME_STOCK, MPF_FLASH_GOAL_REINSTALL, MPF_FLASH_PATH_AUTO, TRUE, MPF_FLASH_PATH_WEB, FALSE, 0 },
};

static void
test_row (gconstpointer data)
{
  const Row *r = data;
  g_autoptr(MpfFlashPlan) plan = g_new0 (MpfFlashPlan, 1);
  g_autoptr(GError) error = NULL;
  gboolean ok = mpf_flash_choose_path (r->found, r->answered, r->image, r->goal, r->forced, plan, &error);

  g_assert_cmpint (ok, ==, r->ok);
  if (r->ok)
    {
      g_assert_no_error (error);
      g_assert_cmpint (plan->path, ==, r->path);
      g_assert_cmpint (plan->encode, ==, r->encode);
      g_assert_nonnull (plan->reason);
      g_assert_cmpstr (plan->reason, !=, "");
      g_assert_cmpint (plan->target_family, ==, r->image);
    }
  else
    {
      g_assert_error (error, MPF_FLASH_JOB_ERROR, r->code);
      g_assert_cmpstr (error->message, !=, "");
    }
}

static void
test_names (void)
{
  MpfFlashPath p;
  MpfFlashGoal g;

  g_assert_true (mpf_flash_path_from_string ("recovery", &p));
  g_assert_cmpint (p, ==, MPF_FLASH_PATH_RECOVERY);
  g_assert_false (mpf_flash_path_from_string ("tftp", &p));
  g_assert_true (mpf_flash_goal_from_string ("openwrt", &g));
  g_assert_cmpint (g, ==, MPF_FLASH_GOAL_OPENWRT);
  g_assert_cmpstr (mpf_flash_stage_to_string (MPF_FLASH_STAGE_WAIT_BOOTLOADER), ==, "wait-bootloader");
  for (int s = MPF_FLASH_STAGE_IDLE; s <= MPF_FLASH_STAGE_FAILED; s++)
    {
      g_assert_cmpstr (mpf_flash_stage_to_string (s), !=, "unknown");
      g_assert_cmpstr (mpf_flash_stage_display_name (s), !=, "");
    }
}

static void
test_boxed (void)
{
  MpfRouterInfo info = { .interface = (char *) "eth0", .address = (char *) "192.168.169.1",
                         .family = MPF_FAMILY_HAME_STOCK, .version = (char *) "2.3" };
  g_autoptr(MpfRouterInfo) copy = g_boxed_copy (MPF_TYPE_ROUTER_INFO, &info);

  g_assert_cmpstr (copy->address, ==, "192.168.169.1");
  g_assert_true (copy->address != info.address);
  g_assert_cmpint (copy->family, ==, MPF_FAMILY_HAME_STOCK);
  g_assert_null (copy->mac);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autofree char *name = g_strdup_printf ("/flash/path-table/%u-%s-%s-%s", i,
                                               mpf_family_to_string (rows[i].found),
                                               mpf_flash_goal_to_string (rows[i].goal),
                                               mpf_flash_path_to_string (rows[i].forced));
      g_test_add_data_func (name, &rows[i], test_row);
    }
  g_test_add_func ("/flash/names", test_names);
  g_test_add_func ("/flash/boxed", test_boxed);
  return g_test_run ();
}
