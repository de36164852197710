#include "config.h"

#include <glib/gi18n.h>

#include "mpf-goal-page.h"

struct _MpfGoalPage
{
  AdwBin          parent_instance;
  GtkCheckButton *goal_stock;
  GtkCheckButton *goal_openwrt;
  GtkCheckButton *goal_reinstall;
  AdwComboRow    *board_row;
};

G_DEFINE_FINAL_TYPE (MpfGoalPage, mpf_goal_page, ADW_TYPE_BIN)

static void
mpf_goal_page_class_init (MpfGoalPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/mprflash/MprFlash/ui/mpf-goal-page.ui");
  gtk_widget_class_bind_template_child (widget_class, MpfGoalPage, goal_stock);
  gtk_widget_class_bind_template_child (widget_class, MpfGoalPage, goal_openwrt);
  gtk_widget_class_bind_template_child (widget_class, MpfGoalPage, goal_reinstall);
  gtk_widget_class_bind_template_child (widget_class, MpfGoalPage, board_row);
}

static void
mpf_goal_page_init (MpfGoalPage *self)
{
  g_autoptr(GtkStringList) boards = gtk_string_list_new (NULL);
  const MpfBoard *const *all = mpf_board_all ();

  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_string_list_append (boards, _("Find out automatically"));
  for (guint i = 0; all != NULL && all[i] != NULL; i++)
    gtk_string_list_append (boards, all[i]->display_name);
  adw_combo_row_set_model (self->board_row, G_LIST_MODEL (boards));
}

MpfFlashGoal
mpf_goal_page_get_goal (MpfGoalPage *self)
{
  if (gtk_check_button_get_active (self->goal_openwrt))
    return MPF_FLASH_GOAL_OPENWRT;
  if (gtk_check_button_get_active (self->goal_reinstall))
    return MPF_FLASH_GOAL_REINSTALL;
  return MPF_FLASH_GOAL_STOCK;
}

const char *
mpf_goal_page_get_board (MpfGoalPage *self)
{
  guint i = adw_combo_row_get_selected (self->board_row);
  const MpfBoard *const *all = mpf_board_all ();

  if (i == 0 || i == GTK_INVALID_LIST_POSITION)
    return NULL;
  return all[i - 1]->id;
}
