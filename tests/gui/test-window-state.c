/* MpfWindow: remembers its size through GSettings (memory backend in tests);
 * says what the Flatpak sandbox forbids only when it runs in one. */
#include "config.h"

#include <adwaita.h>

#include "mpf-window.h"

static void
test_window_restores_and_saves_size (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  MpfWindow *window;
  int width, height;

  g_settings_set_int (settings, "window-width", 801);
  g_settings_set_int (settings, "window-height", 602);

  window = mpf_window_new (NULL);
  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  g_assert_cmpint (width, ==, 801);
  g_assert_cmpint (height, ==, 602);

  /* Closing only saves once the window is on screen, as a person would close it. */
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (gtk_widget_get_realized (GTK_WIDGET (window)));
  gtk_window_set_default_size (GTK_WINDOW (window), 640, 480);
  gtk_window_close (GTK_WINDOW (window));

  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 640);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 480);
  g_assert_false (g_settings_get_boolean (settings, "window-maximized"));
}

static void
test_window_sandbox_note (void)
{
  MpfWindow *window = mpf_window_new (NULL);
  GtkWidget *note = (GtkWidget *) gtk_widget_get_template_child (GTK_WIDGET (window),
                                                                 MPF_TYPE_WINDOW,
                                                                 "sandbox_note");
  gboolean sandboxed;

  g_assert_nonnull (note);
  g_object_get (window, "sandboxed", &sandboxed, NULL);
  g_assert_cmpint (sandboxed, ==, g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS));
  g_assert_cmpint (gtk_widget_get_visible (note), ==, sandboxed);

  g_object_set (window, "sandboxed", TRUE, NULL);
  g_assert_true (gtk_widget_get_visible (note));
  g_object_set (window, "sandboxed", FALSE, NULL);
  g_assert_false (gtk_widget_get_visible (note));

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/gui/window/restores-and-saves-size", test_window_restores_and_saves_size);
  g_test_add_func ("/gui/window/sandbox-note", test_window_sandbox_note);

  return g_test_run ();
}
