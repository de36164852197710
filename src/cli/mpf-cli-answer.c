#include "config.h"

#include <stdlib.h>
#include <glib/gi18n.h>

#include "mpf-cli-answer.h"

const char *
mpf_cli_yes_no_hint (void)
{
  /* TRANSLATORS: follows a yes/no question in the terminal. The lower-case
   * letter answers yes, the capital one is the default (no). Use the first
   * letter of your translation of the answer "yes" (context "answer"), so
   * the hint shows what is accepted; "y" and "yes" always work as well. */
  return _("[y/N]");
}

gboolean
mpf_cli_answer_is_yes (const char *line)
{
  g_autofree char *word = NULL, *yes = NULL, *initial = NULL;

  if (line == NULL)
    return FALSE;
  word = g_strstrip (g_strdup (line));
  if (*word == '\0')
    return FALSE;
  if (g_ascii_strcasecmp (word, "y") == 0 || g_ascii_strcasecmp (word, "yes") == 0)
    return TRUE;

  /* The answer in the language the messages are shown in (LANGUAGE may
   * differ from the locale, e.g. LANG=C.UTF-8 LANGUAGE=de). */
  if (g_utf8_validate (word, -1, NULL))
    {
      g_autofree char *folded = g_utf8_casefold (word, -1);

      /* TRANSLATORS: the word that answers a yes/no question in the
       * terminal; it and its first letter are accepted as yes. */
      yes = g_utf8_casefold (C_("answer", "yes"), -1);
      initial = g_utf8_substring (yes, 0, 1);
      if (g_str_equal (folded, yes) || g_str_equal (folded, initial))
        return TRUE;
    }

  /* The locale's own yes (LC_MESSAGES' YESEXPR): "j" in German, "д" in Russian. */
  return rpmatch (word) == 1;
}
