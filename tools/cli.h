/* cli.h: the subcommands of the hpolab command, one file each. */
#ifndef HPOLAB_TOOLS_CLI_H
#define HPOLAB_TOOLS_CLI_H

#include "cli_options.h"

/* Each returns the process exit status: 0 success, 1 failure of the work,
 * 2 bad input (usage, study file, names), 130 interrupted. */
int hpolab_cmd_run(int argc, char **argv);
int hpolab_cmd_plugins(int argc, char **argv);
/* `hpolab plugin new|pack|install|remove|check` (cmd_plugin.c). */
int hpolab_cmd_plugin(int argc, char **argv);
/* `hpolab plugin new KIND NAME [DIR]` (cmd_plugin_new.c); argv[0] is "new". */
int hpolab_cmd_plugin_new(int argc, char **argv);
int hpolab_cmd_launch(int argc, char **argv);
int hpolab_cmd_job(int argc, char **argv);
int hpolab_cmd_status(int argc, char **argv);
int hpolab_cmd_cancel(int argc, char **argv);

/* The options of `hpolab run` (ends with {NULL}); `hpolab launch` accepts
 * them all and forwards them to every slice. */
extern const struct cli_option hpolab_run_cli_options[];
int hpolab_cmd_plot(int argc, char **argv);

#endif
