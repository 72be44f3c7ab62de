/* cmd_status.c: `hpolab status TAG`: every job of a launched study with its
 * state, elapsed time and best objective value so far, plus totals. Works
 * from any shell (it reads <results>/<tag>/launch.json and the jobs' state
 * files, and asks Slurm about jobs that recorded nothing final). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_options.h"
#include "cmd_launch.h"

static const struct cli_option status_options[] = {
    {"results_dir", CLI_STRING, "DIR",
     "where the study's folder is (default: $HPOLAB_RESULTS, else "
     "~/hpolab)"},
    {"wait", CLI_FLAG, NULL, "follow the study until every job ended"},
    {NULL, 0, NULL, NULL},
};

static volatile int stop;

int hpolab_cmd_status(int argc, char **argv)
{
    struct cli_parser p = {.options = status_options,
                           .command = "hpolab status"};
    int rc = cli_parse(&p, argc, argv);
    struct hpolab_launch_plan plan;
    hpolab_launch_plan_init(&plan);
    if (rc != 0)
        goto out;
    if (p.help || !p.positional) {
        fprintf(p.help ? stdout : stderr,
                "usage: hpolab status TAG [options]\n\nShows each job of the "
                "study TAG started by `hpolab launch`: its state\n(pending, "
                "running, done, failed, cancelled), elapsed time and best "
                "value so far,\nthen the totals. Exit status: 0 shown, 2 no "
                "such study.\n\noptions:\n");
        cli_options_print(p.help ? stdout : stderr, status_options);
        rc = p.help ? 0 : 2;
        goto out;
    }
    const char *rd = NULL;
    cli_get_string(&p, "results_dir", &rd);
    if ((rc = launch_open("hpolab status", rd, p.positional, &plan)) != 0)
        goto out;
    int sagemaker = strcmp(plan.engine, "sagemaker") == 0;
    if (sagemaker)
        launch_sagemaker_refresh("hpolab status", &plan);
    int64_t wait = 0;
    if (cli_get_bool(&p, "wait", &wait) && wait)
        launch_follow(&plan, 2.0, &stop);
    struct hpolab_launch_row *rows = NULL;
    struct hpolab_launch_totals t;
    char warning[512];
    struct hpolab_error err;
    if (hpolab_launch_collect(&plan, 1, 1, &rows, &t, warning, sizeof warning,
                              &err) != HPOLAB_OK) {
        fprintf(stderr, "hpolab status: %s\n", err.message);
        rc = 1;
        goto out;
    }
    if (warning[0])
        fprintf(stderr, "hpolab status: %s\n", warning);
    launch_print_table(stdout, &plan, rows, &t);
    if (sagemaker)
        launch_sagemaker_print_cost(stdout, &plan);
    free(rows);
out:
    hpolab_launch_plan_free(&plan);
    cli_free(&p);
    return rc;
}
