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
/* `hpolab sagemaker-entry`: inside a training container (cmd_sagemaker_entry.c). */
int hpolab_cmd_sagemaker_entry(int argc, char **argv);

/* The options of `hpolab run` (ends with {NULL}); `hpolab launch` accepts
 * them all and forwards them to every slice. */
extern const struct cli_option hpolab_run_cli_options[];
int hpolab_cmd_plot(int argc, char **argv);
int hpolab_cmd_sync(int argc, char **argv);
/* Downloads s3://<bucket>/hpolab/<tag>/ (metadata.json and results.csv.zip,
 * or everything with all) into <results>/<tag>/ and prints one line; errors
 * are one line on stderr starting with command. bucket NULL:
 * $HPOLAB_S3_BUCKET, else sagemaker-<region>-<account>; results_dir, region,
 * profile NULL: the defaults. Returns an exit status (0, 1, 2). */
int hpolab_sync_tag(const char *command, const char *tag, const char *bucket,
                    const char *results_dir, const char *region,
                    const char *profile, int all);

#endif
