/* cmd_launch_resume.c: `hpolab launch --resume TAG`: continue a launched
 * study after a crash, from its launch record: the same study, benchmark,
 * master seed, tag, job-name suffix and forwarded options; complete
 * experiments kept, live jobs adopted, partial experiments continued with
 * `hpolab run --resume`, the rest started (core/src/launch_resume.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_options.h"
#include "cmd_launch.h"
#include "launch_record.h"
#include "launch_resume.h"
#include "log.h"
#include "plugin_loader.h"
#include "registry.h"
#include "tuner_name.h"

static const struct cli_option resume_options[] = {
    {"resume", CLI_STRING, "TAG",
     "the study to continue (its <results_dir>/TAG/launch.json)"},
    {"results_dir", CLI_STRING, "DIR",
     "where the study's folder is (default: $HPOLAB_RESULTS, else "
     "~/hpolab)"},
    {"wait", CLI_FLAG, NULL,
     "follow the study with a progress display until every job ended"},
    {"max_parallel", CLI_INT, "N",
     "experiments at once (default: the earlier launch's)"},
    {"verbose", CLI_FLAG, NULL, "log more"},
    {NULL, 0, NULL, NULL},
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: hpolab launch --resume TAG [--results_dir DIR] [--wait] "
            "[--max_parallel N]\n\n"
            "Continues the study TAG started by `hpolab launch` after a "
            "crash (its supervisor\nor jobs killed, the machine rebooted, "
            "Slurm jobs cancelled), on the same engine\nwith the same "
            "study, master seed, job names and options (from its "
            "launch.json):\n"
            "  keep      experiments that completed are left alone\n"
            "  adopt     jobs still running (or queued in Slurm) are waited "
            "for, not started twice\n"
            "  continue  partial experiments go on with `hpolab run "
            "--resume` (same folder,\n"
            "            same trial ids, no lost or duplicated rows)\n"
            "  start     jobs that never started start now\n\n"
            "options:\n");
    cli_options_print(out, resume_options);
    fprintf(out, "\nExit status: 0 resumed (with --wait: every job done), 1 "
                 "a job could not be\nstarted or failed, 2 bad input or the "
                 "study is still running.\n");
}

/* The recorded Slurm options of the earlier launch (cmd_launch_slurm.c
 * stores them in engine_info.options). */
static void slurm_options(const json_t *info, struct launch_engine_args *ea)
{
    const json_t *o = json_object_get(info, "options");
    const json_t *v;
    ea->use_array = 1;
    if (!json_is_object(o))
        return;
    if (json_is_string(v = json_object_get(o, "partition")))
        ea->partition = json_string_value(v);
    if (json_is_string(v = json_object_get(o, "account")))
        ea->account = json_string_value(v);
    if (json_is_integer(v = json_object_get(o, "cpus_per_task")))
        ea->cpus_per_task = json_integer_value(v);
    if (json_is_integer(v = json_object_get(o, "gpus")))
        ea->gpus = json_integer_value(v);
    if (json_is_string(v = json_object_get(o, "sbatch_args")))
        ea->sbatch_args = json_string_value(v);
    if (json_is_boolean(v = json_object_get(o, "use_array")))
        ea->use_array = json_is_true(v);
    if (json_is_integer(v = json_object_get(o, "max_parallel")) &&
        ea->max_parallel <= 0)
        ea->max_parallel = json_integer_value(v);
}

int launch_resume_command(int argc, char **argv)
{
    struct cli_parser p = {.options = resume_options,
                           .command = "hpolab launch --resume"};
    struct hpolab_launch_plan plan;
    hpolab_launch_plan_init(&plan);
    struct hpolab_resume_slice *rs = NULL;
    unsigned char *adopted = NULL;
    struct hpolab_registry *reg = NULL;
    json_t *old_info = NULL;
    struct hpolab_error err;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout); /* before --resume takes "--help" for its tag */
            return 0;
        }
    int rc = cli_parse(&p, argc, argv);
    if (rc == 0)
        rc = cli_check_ranges(&p);
    if (rc != 0)
        goto out;
    if (p.help) {
        usage(stdout);
        goto out;
    }
    const char *tag = NULL, *rd = NULL;
    cli_get_string(&p, "resume", &tag);
    cli_get_string(&p, "results_dir", &rd);
    if (!tag || !tag[0] || p.positional) {
        fprintf(stderr, "hpolab launch --resume: expected the tag of a "
                        "launched study and nothing else (hpolab launch "
                        "--resume TAG [--results_dir DIR]; the study and "
                        "its options come from TAG's launch.json)%s%s\n",
                p.positional ? "; got " : "",
                p.positional ? p.positional : "");
        rc = 2;
        goto out;
    }
    if (hpolab_validate_tag(tag, &err) != HPOLAB_OK) {
        fprintf(stderr, "hpolab launch --resume: %s\n", err.message);
        rc = 2;
        goto out;
    }
    int64_t verbose = 0;
    cli_get_bool(&p, "verbose", &verbose);
    hpolab_log_set_level(cli_log_level(verbose));
    if ((rc = launch_open("hpolab launch --resume", rd, tag, &plan)) != 0)
        goto out;
    hpolab_resume_live_fn live = hpolab_resume_live_for(plan.engine);
    if (!live) {
        fprintf(stderr, "hpolab launch --resume: study '%s' ran on the "
                        "engine '%s', which cannot be resumed\n",
                tag, plan.engine);
        rc = 2;
        goto out;
    }
    if (hpolab_launch_resume_check(&plan, &err) != HPOLAB_OK ||
        hpolab_launch_resume_assess(&plan, live, &rs, &err) != HPOLAB_OK) {
        fprintf(stderr, "hpolab launch --resume: %s\n", err.message);
        rc = 2;
        goto out;
    }
    size_t count[4] = {0};
    printf("Resuming '%s' (benchmark %s, %s engine); master random_seed = "
           "%u\n",
           plan.tag, plan.benchmark, plan.engine, plan.master_seed);
    for (size_t i = 0; i < plan.n_slices; i++) {
        count[rs[i].action]++;
        printf("  %-24s %-8s %s\n", plan.slices[i].subdir,
               hpolab_resume_action_name(rs[i].action), rs[i].why);
    }
    printf("  %zu kept, %zu adopted, %zu continued, %zu started\n",
           count[HPOLAB_RESUME_KEEP], count[HPOLAB_RESUME_ADOPT],
           count[HPOLAB_RESUME_CONTINUE], count[HPOLAB_RESUME_FRESH]);
    fflush(stdout);
    old_info = plan.engine_info ? json_incref(plan.engine_info) : NULL;
    if (hpolab_launch_resume_apply(&plan, rs, &adopted, &err) != HPOLAB_OK ||
        hpolab_launch_record_write(&plan, &err) != HPOLAB_OK) {
        fprintf(stderr, "hpolab launch --resume: %s\n", err.message);
        rc = 1;
        goto out;
    }
    if (count[HPOLAB_RESUME_KEEP] == plan.n_slices) {
        printf("every experiment of '%s' is complete: nothing to resume\n",
               plan.tag);
        goto out;
    }
    if (hpolab_registry_create(&reg, &err) != HPOLAB_OK ||
        hpolab_loader_load_all(reg, &err) != HPOLAB_OK) {
        fprintf(stderr, "hpolab launch --resume: %s\n", err.message);
        rc = 1;
        goto out;
    }
    struct launch_engine_args ea = {.registry = reg, .adopted = adopted};
    int64_t flag = 0;
    ea.wait = cli_get_bool(&p, "wait", &flag) && flag;
    ea.max_parallel = plan.max_parallel;
    cli_get_int(&p, "max_parallel", &ea.max_parallel);
    ea.cpus_per_task = plan.n_workers;
    if (strcmp(plan.engine, "slurm") == 0) {
        slurm_options(old_info, &ea);
        rc = launch_run_slurm(&plan, &ea);
    } else {
        rc = launch_run_local(&plan, &ea);
    }
out:
    json_decref(old_info);
    free(adopted);
    hpolab_resume_slices_free(rs, plan.n_slices);
    hpolab_registry_destroy(reg);
    hpolab_launch_plan_free(&plan);
    cli_free(&p);
    return rc;
}
