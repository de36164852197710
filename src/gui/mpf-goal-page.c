#include "config.h"

#include <glib/gi18n.h>

#include <json-glib/json-glib.h>

#include "mpf-board.h"
#include "mpf-goal-page.h"

struct _MpfGoalPage
{
  AdwBin          parent_instance;
  GtkCheckButton *goal_stock;
  GtkCheckButton *goal_openwrt;
  GtkCheckButton *goal_reinstall;
  AdwComboRow    *board_row;
  GtkPicture     *board_picture;
  GHashTable     *pictures;     /* board id -> drawing's file name */
};

G_DEFINE_FINAL_TYPE (MpfGoalPage, mpf_goal_page, ADW_TYPE_BIN)

/* The "picture" keys of data/boards.json (the core's board table has no use
 * for them). A board without one simply shows no drawing. */
static GHashTable *
load_pictures (void)
{
  GHashTable *pictures = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GBytes) bytes = g_resources_lookup_data ("/io/github/mprflash/MprFlash/data/boards.json",
                                                     G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonArray *boards;

  if (bytes == NULL
      || !json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL))
    return pictures;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    return pictures;
  boards = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (boards); i++)
    {
      JsonNode *node = json_array_get_element (boards, i);
      JsonObject *board = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *id = board != NULL ? json_object_get_string_member_with_default (board, "id", NULL) : NULL;
      const char *picture = board != NULL ? json_object_get_string_member_with_default (board, "picture", NULL) : NULL;

      if (id != NULL && picture != NULL)
        g_hash_table_insert (pictures, g_strdup (id), g_strdup (picture));
    }
  return pictures;
}

/* Once the drawing has its size, scroll the page so it is seen: it appears
 * below the list of models, often under the window's edge. Kept up for a few
 * frames: the focus coming back from the closing pop-up scrolls too. */
static gboolean
reveal_picture_cb (GtkWidget *picture, GdkFrameClock *clock, gpointer user_data)
{
  guint *frames = user_data;
  GtkWidget *scrolled = gtk_widget_get_ancestor (picture, GTK_TYPE_SCROLLED_WINDOW);
  GtkWidget *content = scrolled != NULL ? gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scrolled)) : NULL;
  graphene_rect_t bounds;

  if (GTK_IS_VIEWPORT (content))
    content = gtk_viewport_get_child (GTK_VIEWPORT (content));
  if (content == NULL || !gtk_widget_get_visible (picture) || ++*frames > 20)
    return G_SOURCE_REMOVE;
  if (gtk_widget_get_height (picture) > 0 && gtk_widget_compute_bounds (picture, content, &bounds))
    {
      GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
      double bottom = bounds.origin.y + bounds.size.height;

      if (bottom > gtk_adjustment_get_value (adj) + gtk_adjustment_get_page_size (adj))
        gtk_adjustment_set_value (adj, MIN (bounds.origin.y, bottom - gtk_adjustment_get_page_size (adj)));
    }
  return G_SOURCE_CONTINUE;
}

/* The drawing follows the model chosen; its text alternative names the model. */
static void
board_selected_cb (MpfGoalPage *self)
{
  const char *id = mpf_goal_page_get_board (self);
  const char *picture = id != NULL ? g_hash_table_lookup (self->pictures, id) : NULL;
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->board_picture), picture != NULL);
  if (picture == NULL)
    return;
  path = g_strconcat ("/io/github/mprflash/MprFlash/illustrations/", picture, NULL);
  gtk_picture_set_resource (self->board_picture, path);
  /* Translators: the text alternative of a drawing; %s is a router's model, e.g. "Poray MPR-L8". */
  text = g_strdup_printf (_("Drawing of the %s: the model name on its label, and its ports"),
                          mpf_board_lookup (id)->display_name);
  gtk_picture_set_alternative_text (self->board_picture, text);
  /* GTK 4.8 gives the alternative text as the description only: the name is
   * what a screen reader says first. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->board_picture),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
  gtk_widget_add_tick_callback (GTK_WIDGET (self->board_picture), reveal_picture_cb, g_new0 (guint, 1), g_free);
}

static void
mpf_goal_page_dispose (GObject *object)
{
  MpfGoalPage *self = MPF_GOAL_PAGE (object);

  g_clear_pointer (&self->pictures, g_hash_table_unref);
  G_OBJECT_CLASS (mpf_goal_page_parent_class)->dispose (object);
}

static void
mpf_goal_page_class_init (MpfGoalPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = mpf_goal_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/mprflash/MprFlash/ui/mpf-goal-page.ui");
  gtk_widget_class_bind_template_child (widget_class, MpfGoalPage, goal_stock);
  gtk_widget_class_bind_template_child (widget_class, MpfGoalPage, goal_openwrt);
  gtk_widget_class_bind_template_child (widget_class, MpfGoalPage, goal_reinstall);
  gtk_widget_class_bind_template_child (widget_class, MpfGoalPage, board_row);
  gtk_widget_class_bind_template_child (widget_class, MpfGoalPage, board_picture);
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

  self->pictures = load_pictures ();
  g_signal_connect_swapped (self->board_row, "notify::selected", G_CALLBACK (board_selected_cb), self);
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
