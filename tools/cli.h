/* cli.h: the subcommands of the hpolab command, one file each. */
#ifndef HPOLAB_TOOLS_CLI_H
#define HPOLAB_TOOLS_CLI_H

/* Each returns the process exit status: 0 success, 1 failure of the work,
 * 2 bad input (usage, study file, names), 130 interrupted. */
int hpolab_cmd_run(int argc, char **argv);
int hpolab_cmd_plugins(int argc, char **argv);
int hpolab_cmd_sync(int argc, char **argv);

#endif
