#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Exit codes shared by every mprflash-cli command (listed by --help). */
typedef enum {
  MPF_CLI_EXIT_OK = 0,
  MPF_CLI_EXIT_REFUSED = 1,   /* the image is refused / has problems; the operation failed */
  MPF_CLI_EXIT_USAGE = 2,     /* bad command line */
  MPF_CLI_EXIT_IO = 3,        /* a file could not be read or written */
} MpfCliExit;

/* One subcommand: argv[0] is the command's own name, the rest its arguments. */
typedef struct {
  const char *name;
  const char *summary;        /* marked for translation; translated when shown */
  int       (*run) (int argc, char **argv);
} MpfCliCommand;

/* Each command lives in src/cli/mpf-cli-<name>.c and adds one row to the
 * table in mprflash-cli.c. */
int mpf_cli_image (int argc, char **argv);

G_END_DECLS
