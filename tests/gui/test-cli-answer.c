/* mprflash-cli's yes/no answers: English, the translated "yes", and the
 * locale's own yes (rpmatch), with locales this test compiles itself with
 * localedef: a missing locale fails the test, it never passes without it. */
#include "config.h"

#include <locale.h>
#include <string.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "mpf-cli-answer.h"

static char *locpath;

/* Compiles NAME (e.g. "de_DE") for UTF-8 into locpath; FALSE with a reason. */
static gboolean
build_locale (const char *name)
{
  g_autofree char *out = g_strdup_printf ("%s/%s.UTF-8", locpath, name);
  g_autofree char *err = NULL;
  const char *argv[] = { "localedef", "-c", "-i", name, "-f", "UTF-8", out, NULL };
  g_autoptr(GError) error = NULL;

  if (g_file_test (out, G_FILE_TEST_IS_DIR))
    return TRUE;
  /* localedef exits 1 for mere warnings (-c): judge by what it wrote. */
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                     NULL, NULL, NULL, &err, NULL, &error)
      || !g_file_test (out, G_FILE_TEST_IS_DIR))
    {
      g_test_message ("cannot compile the %s.UTF-8 locale (localedef from libc-bin, definitions "
                      "from the locales package, see build-aux/dev.sh): %s",
                      name, error != NULL ? error->message : err);
      return FALSE;
    }
  return TRUE;
}

/* Switches messages and LC_MESSAGES; setlocale also drops gettext's cache.
 * LOCPATH hides the system's locales, so it is set only for ours. */
static gboolean
use (const char *locale, const char *language, gboolean ours)
{
  g_setenv ("LANGUAGE", language, TRUE);
  if (ours)
    g_setenv ("LOCPATH", locpath, TRUE);
  else
    g_unsetenv ("LOCPATH");
  return setlocale (LC_ALL, locale) != NULL;
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
test_english (void)
{
  g_assert_true (use ("C.UTF-8", "", FALSE));
  g_assert_cmpstr (mpf_cli_yes_no_hint (), ==, "[y/N]");
  for (const char *const *s = (const char *const[]) { "y", "Y", "yes", "YES", " y ", NULL }; *s; s++)
    g_assert_true (mpf_cli_answer_is_yes (*s));
  for (const char *const *s = (const char *const[]) { "", " ", "n", "no", "N", "j", "x", NULL }; *s; s++)
    g_assert_false (mpf_cli_answer_is_yes (*s));
  g_assert_false (mpf_cli_answer_is_yes (NULL));
}

/* German messages in a C locale: only the translation can know "j". */
static void
test_translated_yes (void)
{
  g_assert_true (use ("C.UTF-8", "de", FALSE));
  g_assert_cmpstr (mpf_cli_yes_no_hint (), ==, "[j/N]");
  for (const char *const *s = (const char *const[]) { "j", "J", "ja", "Ja", "y", "yes", NULL }; *s; s++)
    g_assert_true (mpf_cli_answer_is_yes (*s));
  for (const char *const *s = (const char *const[]) { "n", "nein", "", NULL }; *s; s++)
    g_assert_false (mpf_cli_answer_is_yes (*s));
}

/* The locale's YESEXPR alone: Swedish has no translation here, yet "j"
 * means yes under LC_ALL=sv_SE.UTF-8 (and not under C). */
static void
test_locale_yes (void)
{
  if (!build_locale ("sv_SE") || !build_locale ("de_DE"))
    {
      g_test_fail ();
      return;
    }
  g_assert_true (use ("sv_SE.UTF-8", "sv", TRUE));
  g_assert_cmpstr (mpf_cli_yes_no_hint (), ==, "[y/N]");
  g_assert_true (mpf_cli_answer_is_yes ("j"));
  g_assert_true (mpf_cli_answer_is_yes ("ja"));
  g_assert_false (mpf_cli_answer_is_yes ("n"));
  g_assert_false (mpf_cli_answer_is_yes ("nej"));

  g_assert_true (use ("de_DE.UTF-8", "", TRUE));
  g_assert_cmpstr (mpf_cli_yes_no_hint (), ==, "[j/N]");
  g_assert_true (mpf_cli_answer_is_yes ("j"));
  g_assert_true (mpf_cli_answer_is_yes ("y"));
  g_assert_false (mpf_cli_answer_is_yes ("nein"));
}

/* In every language, the letter the hint offers for yes is accepted. */
static void
test_hints_match_answers (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("MPF_SOURCE_ROOT"), "po", "LINGUAS", NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) langs = NULL;
  guint checked = 0;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  langs = g_strsplit_set (text, " \t\n", -1);
  for (guint i = 0; langs[i] != NULL; i++)
    {
      const char *hint, *slash;
      g_autofree char *letter = NULL;

      if (*langs[i] == '\0' || *langs[i] == '#')
        continue;
      g_assert_true (use ("C.UTF-8", langs[i], FALSE));
      hint = mpf_cli_yes_no_hint ();
      slash = strchr (hint, '/');
      g_assert_nonnull (slash);
      letter = g_strndup (hint + 1, (gsize) (slash - hint - 1));
      if (!mpf_cli_answer_is_yes (letter))
        {
          g_test_message ("%s: the hint %s offers “%s”, which is not accepted as yes", langs[i], hint, letter);
          g_test_fail ();
        }
      checked++;
    }
  g_assert_cmpuint (checked, >=, 13);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  const char *localedir = g_getenv ("MPF_LOCALEDIR");
  int status;

  g_test_init (&argc, &argv, NULL);
  g_assert_nonnull (localedir);
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  locpath = g_dir_make_tmp ("mpf-locales-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/cli-answer/english", test_english);
  g_test_add_func ("/cli-answer/translated-yes", test_translated_yes);
  g_test_add_func ("/cli-answer/locale-yes", test_locale_yes);
  g_test_add_func ("/cli-answer/hints-match-answers", test_hints_match_answers);
  status = g_test_run ();

  remove_tree (locpath);
  g_free (locpath);
  return status;
}
