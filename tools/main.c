/* main.c: the hpolab command: dispatch to a subcommand. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct {
    const char *name;
    int (*fn)(int, char **);
    const char *summary;
} commands[] = {
    {"run", hpolab_cmd_run, "run experiments of a study on this machine"},
    {"plot", hpolab_cmd_plot, "draw a study's results: curves, bands, table"},
    {"plugins", hpolab_cmd_plugins, "list the plugins hpolab finds"},
    {"plugin", hpolab_cmd_plugin,
     "new, pack, install, remove or check a plugin package"},
    {"launch", hpolab_cmd_launch,
     "run a study's experiments in parallel (local processes or Slurm)"},
    {"status", hpolab_cmd_status, "show the jobs of a launched study"},
    {"cancel", hpolab_cmd_cancel, "stop the jobs of a launched study"},
    {"sync", hpolab_cmd_sync, "download a study's results from S3"},
    {"job", hpolab_cmd_job, "(internal) one job of a launched study"},
    {"sagemaker-entry", hpolab_cmd_sagemaker_entry,
     "(internal) the command of a SageMaker training job"},
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: hpolab <command> [options]\n"
            "\n"
            "hpolab runs hyperparameter-optimisation studies: many experiments\n"
            "(benchmark x method x seed) whose results are compared in plots.\n"
            "\n"
            "commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out,
            "\n"
            "Run 'hpolab <command> --help' for the options of a command.\n"
            "Environment: HPOLAB_RESULTS (results folder, default ~/hpolab),\n"
            "HPOLAB_PLUGIN_PATH (extra plugin folders, ':'-separated),\n"
            "HPOLAB_S3_BUCKET (hpolab sync's bucket), AWS_* (see docs/aws.md),\n"
            "HPOLAB_LOG_LEVEL (error, warn, info or debug; launched jobs inherit\n"
            "it; --verbose is info).\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("hpolab %s (plugin ABI %d.%d)\n", HPOLAB_VERSION_STRING,
               HPOLAB_ABI_MAJOR_NUMBER, HPOLAB_ABI_MINOR_NUMBER);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "hpolab: unknown command '%s' (see 'hpolab --help')\n",
            argv[1]);
    return 2;
}
