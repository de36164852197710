#pragma once

/* Shared by the tests that run mprflash-cli and mkimage as subprocesses. */

#include <string.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>

typedef struct {
  int   status;   /* exit status */
  char *out;
  char *err;
} CliResult;

static inline void
cli_result_clear (CliResult *r)
{
  g_clear_pointer (&r->out, g_free);
  g_clear_pointer (&r->err, g_free);
}

/* Runs @argv (NULL-terminated) with a C locale and an optional extra
 * environment variable; stdout and stderr captured. */
static inline CliResult
run_argv (const char *const *argv, const char *env_name, const char *env_value)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  CliResult r = { 0 };

  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "LANGUAGE");
  if (env_name != NULL)
    g_subprocess_launcher_setenv (launcher, env_name, env_value, TRUE);
  proc = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &r.out, &r.err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (proc));
  r.status = g_subprocess_get_exit_status (proc);
  return r;
}

static inline JsonObject *
parse_json_object (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static inline gboolean
json_has_problem (JsonObject *obj, const char *code)
{
  JsonArray *problems = json_object_get_array_member (obj, "problems");

  for (guint i = 0; i < json_array_get_length (problems); i++)
    {
      JsonObject *p = json_array_get_object_element (problems, i);
      g_assert_cmpstr (json_object_get_string_member (p, "message"), !=, "");
      if (g_strcmp0 (json_object_get_string_member (p, "code"), code) == 0)
        return TRUE;
    }
  return FALSE;
}

static inline void
write_file (const char *path, GBytes *bytes)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, g_bytes_get_data (bytes, NULL), (gssize) g_bytes_get_size (bytes), &error);
  g_assert_no_error (error);
}
