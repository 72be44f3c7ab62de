/* cmd_launch.c: `hpolab launch STUDY --engine local|slurm`: run every
 * (method, seed) experiment of one benchmark of a study as its own job, in
 * parallel, each job running `hpolab run` for that slice (Syne Tune's
 * launch_remote_*, framework reference §4.1, §4.2), with one master seed
 * shared by all and the results of each under
 * <results>/<tag>/<method>-<seed>/<tuner name>/. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cli_options.h"
#include "clock.h"
#include "cmd_launch.h"
#include "diag.h"
#include "fsutil.h"
#include "launch_record.h"
#include "launch_scale.h"
#include "launch_state.h"
#include "log.h"
#include "plugin_loader.h"
#include "registry.h"
#include "study.h"
#include "tuner_name.h"

static const struct cli_option launch_options[] = {
    {"engine", CLI_STRING, "local|slurm|sagemaker",
     "where the jobs run: processes on this machine, Slurm jobs, or "
     "SageMaker training jobs (required)"},
    {"wait", CLI_FLAG, NULL,
     "follow the study with a progress display until every job ended"},
    {"skip_existing", CLI_FLAG, NULL,
     "start only the slices that have no complete results yet (the master "
     "seed of the earlier launch is reused)"},
    {"max_parallel", CLI_INT, "N",
     "experiments at once (local default: as many as the CPUs/GPUs fit given "
     "n_workers; slurm: array throttle, default none)"},
    {"time_limit", CLI_INT, "SECONDS",
     "time limit of each job (default 1.2 x max_wallclock_time)"},
    {"partition", CLI_STRING, "NAME", "slurm: partition (default: the "
                                      "cluster's)"},
    {"account", CLI_STRING, "NAME", "slurm: account to charge"},
    {"cpus_per_task", CLI_INT, "N", "slurm: CPUs per job (default n_workers)"},
    {"gpus", CLI_INT, "N", "slurm: GPUs per job (--gres=gpu:N; default none)"},
    {"sbatch_args", CLI_STRING, "'ARGS'",
     "slurm: further sbatch arguments, whitespace-separated (no quoting)"},
    {"image", CLI_STRING, "URI",
     "sagemaker: the training image (default: the study's "
     "sagemaker.image)"},
    {"role", CLI_STRING, "ARN",
     "sagemaker: the execution role (default: AWS_ROLE, else the study's "
     "sagemaker.role)"},
    {"instance_type", CLI_STRING, "TYPE",
     "sagemaker: instance type (default: the study's "
     "sagemaker.instance_type, else ml.c5.4xlarge)"},
    {"bucket", CLI_STRING, "NAME",
     "sagemaker: S3 bucket (default: HPOLAB_S3_BUCKET, else "
     "sagemaker-<region>-<account>)"},
    {"no_array", CLI_FLAG, NULL,
     "slurm: one job per slice named <tag>-<method>-<seed>-<suffix> instead "
     "of one job array"},
    {NULL, 0, NULL, NULL},
};

/* Options hpolab launch sets per slice itself: not forwarded as given. */
static const char *const per_slice[] = {"experiment_tag", "benchmark",
                                        "method",         "num_seeds",
                                        "start_seed",     "random_seed",
                                        "results_dir",    NULL};

static int is_per_slice(const char *name)
{
    for (size_t i = 0; per_slice[i]; i++)
        if (strcmp(per_slice[i], name) == 0)
            return 1;
    return 0;
}

static int is_launch_option(const char *name)
{
    for (size_t i = 0; launch_options[i].name; i++)
        if (strcmp(launch_options[i].name, name) == 0)
            return 1;
    return 0;
}

/* launch_options followed by hpolab run's; [owned: free]. */
static struct cli_option *all_options(void)
{
    size_t n1 = 0, n2 = 0;
    while (launch_options[n1].name)
        n1++;
    while (hpolab_run_cli_options[n2].name)
        n2++;
    struct cli_option *o = calloc(n1 + n2 + 1, sizeof *o);
    if (!o)
        return NULL;
    memcpy(o, launch_options, n1 * sizeof *o);
    memcpy(o + n1, hpolab_run_cli_options, n2 * sizeof *o);
    return o;
}

static void usage(FILE *out, const struct hpolab_study *study)
{
    fprintf(out,
            "usage: hpolab launch STUDY.json --engine local|slurm|sagemaker [options]\n"
            "\n"
            "Runs every experiment (method x seed) of one benchmark of a "
            "study as its own\njob, in parallel: each job runs `hpolab run` "
            "for its slice, all with one\nmaster random seed (paired "
            "seeds). Results go to\n<results_dir>/<tag>/<method>-<seed>/"
            "<tuner name>/; `hpolab status TAG` and\n`hpolab cancel TAG` "
            "work from any shell.\n\n"
            "       hpolab launch --resume TAG [--results_dir DIR] [--wait] "
            "[--max_parallel N]\n\n"
            "continues the study TAG after a crash from its launch record "
            "(complete\nexperiments kept, live jobs adopted, partial ones "
            "continued with `hpolab run\n--resume`, the rest started; see "
            "hpolab launch --resume --help).\n\n"
            "options of hpolab launch:\n");
    cli_options_print(out, launch_options);
    fprintf(out, "\noptions of hpolab run, given to every job:\n");
    /* hpolab run's --resume is hpolab launch --resume TAG here (above) */
    size_t n_run = 0;
    while (hpolab_run_cli_options[n_run].name)
        n_run++;
    struct cli_option *run_opts = calloc(n_run + 1, sizeof *run_opts);
    for (size_t i = 0, k = 0; run_opts && i < n_run; i++)
        if (strcmp(hpolab_run_cli_options[i].name, "resume") != 0)
            run_opts[k++] = hpolab_run_cli_options[i];
    cli_options_print(out, run_opts ? run_opts : hpolab_run_cli_options);
    free(run_opts);
    if (study && study->n_extra_args) {
        fprintf(out, "\noptions of %s (its \"extra_args\"), given to every "
                     "job:\n",
                study->path);
        for (size_t i = 0; i < study->n_extra_args; i++)
            fprintf(out, "  --%-26s %s\n", study->extra_args[i].name,
                    study->extra_args[i].help ? study->extra_args[i].help
                                              : "");
    }
    fprintf(out, "\nExit status: 0 launched (with --wait: every job done), 1 "
                 "some job could not be\nsubmitted or failed, 2 bad input, "
                 "130 interrupted.\n");
}

static void print_diag(const struct hpolab_diag *d)
{
    for (size_t i = 0; i < d->count; i++)
        fprintf(stderr, "%s\n", d->lines[i] ? d->lines[i] : "(out of memory)");
}

static int plugin_exists(void *user, int32_t kind, const char *id,
                         char *available, size_t size)
{
    const struct hpolab_registry *reg = user;
    if (hpolab_registry_find(reg, kind, id))
        return 1;
    if (size)
        available[0] = '\0';
    return 0;
}

/* "--name value" tokens of every given option of hpolab run that is not set
 * per slice, and of the study's extra arguments. [owned: free each and the
 * array]. */
static char **forward_tokens(const struct cli_parser *p, const json_t *extra,
                             size_t *n_out)
{
    size_t cap = 2 * (json_object_size(p->values) + json_object_size(extra)) + 1;
    char **tok = calloc(cap, sizeof *tok);
    size_t n = 0;
    const char *key;
    json_t *val;
    json_object_foreach(p->values, key, val)
    {
        if (!tok || is_launch_option(key) || is_per_slice(key))
            continue;
        char text[64];
        const char *v = text;
        if (json_is_string(val))
            v = json_string_value(val);
        else if (json_is_integer(val))
            snprintf(text, sizeof text, "%lld",
                     (long long)json_integer_value(val));
        else if (json_is_real(val))
            snprintf(text, sizeof text, "%.17g", json_real_value(val));
        else if (json_is_boolean(val))
            snprintf(text, sizeof text, "%d", json_is_true(val));
        else
            continue;
        size_t len = strlen(key) + 3;
        tok[n] = malloc(len);
        if (tok[n])
            snprintf(tok[n], len, "--%s", key);
        tok[n + 1] = strdup(v);
        n += 2;
    }
    json_object_foreach((json_t *)extra, key, val)
    {
        if (!tok)
            break;
        size_t len = strlen(key) + 3;
        tok[n] = malloc(len);
        if (tok[n])
            snprintf(tok[n], len, "--%s", key);
        tok[n + 1] = strdup(json_string_value(val));
        n += 2;
    }
    for (size_t i = 0; tok && i < n; i++)
        if (!tok[i]) {
            for (size_t k = 0; k < n; k++)
                free(tok[k]);
            free(tok);
            return NULL;
        }
    *n_out = n;
    return tok;
}

/* Complete results from an earlier launch: the job recorded "done" and its
 * results are there. */
static int slice_complete(const struct hpolab_launch_plan *plan,
                          const struct hpolab_launch_slice *s)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", s->dir, HPOLAB_JOB_STATE_NAME);
    struct hpolab_job_state js;
    struct hpolab_error err;
    double best;
    int64_t rows;
    return hpolab_job_state_read(path, &js, &err) == HPOLAB_OK &&
           js.state == HPOLAB_SLICE_DONE &&
           hpolab_launch_best_so_far(s->dir, plan->metric, plan->mode, &best,
                                     &rows);
}

/* An earlier launch of the same tag that is still going blocks a new one. */
static int earlier_launch(const char *root, uint32_t *master, int *have)
{
    struct hpolab_launch_plan old;
    struct hpolab_error err;
    *have = 0;
    int32_t st = hpolab_launch_record_read(root, &old, &err);
    if (st == HPOLAB_ERR_NOT_FOUND) {
        hpolab_launch_plan_free(&old);
        return 0;
    }
    if (st != HPOLAB_OK) {
        fprintf(stderr, "hpolab launch: warning: ignoring the earlier launch "
                        "record: %s\n",
                err.message);
        hpolab_launch_plan_free(&old);
        return 0;
    }
    *have = 1;
    *master = old.master_seed;
    struct hpolab_launch_row *rows = NULL;
    struct hpolab_launch_totals t;
    char warning[512];
    int busy = 0;
    if (hpolab_launch_collect(&old, 1, 0, &rows, &t, warning, sizeof warning,
                              &err) == HPOLAB_OK)
        busy = (int)(t.count[HPOLAB_SLICE_PENDING] +
                     t.count[HPOLAB_SLICE_RUNNING]);
    if (busy)
        fprintf(stderr,
                "hpolab launch: study '%s' in %s still has %d job(s) pending "
                "or running; wait for them or stop them with 'hpolab cancel "
                "%s' first\n",
                old.tag, root, busy, old.tag);
    free(rows);
    hpolab_launch_plan_free(&old);
    return busy ? 2 : 0;
}

/* `--resume TAG` makes it another command: the study comes from TAG's
 * launch record, not from the command line. */
static int wants_resume(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--resume") == 0 ||
            strncmp(argv[i], "--resume=", 9) == 0)
            return 1;
    return 0;
}

int hpolab_cmd_launch(int argc, char **argv)
{
    if (wants_resume(argc, argv))
        return launch_resume_command(argc, argv);
    struct cli_option *opts = all_options();
    json_t *extra = json_object();
    struct cli_parser p = {.options = opts, .extra = extra,
                           .command = "hpolab launch"};
    struct hpolab_study *study = NULL;
    struct hpolab_registry *reg = NULL;
    struct hpolab_diag diag = {0};
    struct hpolab_launch_plan plan;
    hpolab_launch_plan_init(&plan);
    char **fwd = NULL;
    size_t n_fwd = 0;
    char *results_dir = NULL;
    struct hpolab_error err;
    int rc = opts && extra ? cli_parse(&p, argc, argv) : 1;
    if (rc == 0)
        rc = cli_check_ranges(&p);
    if (rc != 0)
        goto out;
    if (!p.positional) {
        if (p.help) {
            usage(stdout, NULL);
            goto out;
        }
        fprintf(stderr, "hpolab launch: a study file is required (hpolab "
                        "launch STUDY.json --engine local|slurm; see "
                        "--help)\n");
        rc = 2;
        goto out;
    }
    if (hpolab_study_open(p.positional, &study, &diag) != HPOLAB_OK) {
        print_diag(&diag);
        rc = 2;
        goto out;
    }
    if (p.help) {
        usage(stdout, study);
        goto out;
    }
    const char *engine = NULL;
    cli_get_string(&p, "engine", &engine);
    if (!engine || (strcmp(engine, "local") != 0 &&
                    strcmp(engine, "slurm") != 0 &&
                    strcmp(engine, "sagemaker") != 0)) {
        fprintf(stderr, "hpolab launch: --engine: expected 'local', "
                        "'slurm' or 'sagemaker', got %s%s%s\n",
                engine ? "'" : "", engine ? engine : "nothing",
                engine ? "'" : "");
        rc = 2;
        goto out;
    }
    const char *key;
    json_t *val;
    json_object_foreach(extra, key, val)
    {
        if (!hpolab_study_find_extra_arg(study, key)) {
            fprintf(stderr, "hpolab launch: unknown option '--%s' (neither "
                            "an option of hpolab launch or run nor declared "
                            "in %s's extra_args; see --help)\n",
                    key, study->path);
            rc = 2;
        }
    }
    if (rc != 0)
        goto out;
    if (hpolab_study_resolve(study, extra, &diag) != HPOLAB_OK) {
        print_diag(&diag);
        rc = 2;
        goto out;
    }
    int64_t verbose = 0;
    cli_get_bool(&p, "verbose", &verbose);
    hpolab_log_set_level(cli_log_level(verbose));

    /* benchmark, methods, seeds */
    const char *bname = NULL, *method = NULL;
    cli_get_string(&p, "benchmark", &bname);
    cli_get_string(&p, "method", &method);
    const struct hpolab_study_benchmark *b =
        bname ? hpolab_study_find_benchmark(study, bname)
              : study->n_benchmarks == 1 ? &study->benchmarks[0] : NULL;
    if (!b) {
        fprintf(stderr, "hpolab launch: %s: choose a benchmark with "
                        "--benchmark; it has:",
                study->path);
        for (size_t i = 0; i < study->n_benchmarks; i++)
            fprintf(stderr, " %s", study->benchmarks[i].name);
        fprintf(stderr, "\n");
        rc = 2;
        goto out;
    }
    if (method && !hpolab_study_find_method(study, method)) {
        fprintf(stderr, "hpolab launch: --method: %s has no method '%s'; it "
                        "has:",
                study->path, method);
        for (size_t i = 0; i < study->n_methods; i++)
            fprintf(stderr, " %s", study->methods[i].name);
        fprintf(stderr, "\n");
        rc = 2;
        goto out;
    }
    int64_t start_seed = 0, num_seeds = 1;
    cli_get_int(&p, "start_seed", &start_seed);
    cli_get_int(&p, "num_seeds", &num_seeds);

    /* tag and results */
    const char *tag = NULL;
    char tag_buf[HPOLAB_RANDOM_TAG_SIZE];
    cli_get_string(&p, "experiment_tag", &tag);
    if (!tag && study->name &&
        hpolab_validate_tag(study->name, NULL) == HPOLAB_OK)
        tag = study->name;
    if (!tag) {
        hpolab_random_tag(tag_buf, sizeof tag_buf, hpolab_launch_draw_seed());
        tag = tag_buf;
    }
    if (hpolab_validate_tag(tag, &err) != HPOLAB_OK) {
        fprintf(stderr, "hpolab launch: --experiment_tag: %s\n", err.message);
        rc = 2;
        goto out;
    }
    const char *rd = NULL;
    cli_get_string(&p, "results_dir", &rd);
    if (!rd)
        rd = getenv("HPOLAB_RESULTS");
    results_dir = hpolab_expand_user(rd && rd[0] ? rd : "~/hpolab");
    char *root = results_dir ? hpolab_path_join(results_dir, tag) : NULL;
    plan.root = root;
    if (!root || hpolab_check_writable_dir(root, &err) != HPOLAB_OK) {
        fprintf(stderr, "hpolab launch: results folder: %s\n",
                root ? err.message : "out of memory");
        rc = 2;
        goto out;
    }
    if (root[0] != '/') {
        char cwd[PATH_MAX];
        char *abs = getcwd(cwd, sizeof cwd) ? hpolab_path_join(cwd, root)
                                            : NULL;
        if (abs) {
            free(plan.root);
            plan.root = root = abs;
        }
    }

    /* seed: given, else the earlier launch's (pairing), else drawn */
    uint32_t master = 0;
    int have_old = 0;
    if ((rc = earlier_launch(root, &master, &have_old)) != 0)
        goto out;
    int64_t given_seed = -1;
    cli_get_int(&p, "random_seed", &given_seed);
    if (given_seed >= 0)
        master = (uint32_t)(given_seed % 2147483647);
    else if (!have_old)
        master = hpolab_launch_draw_seed();

    /* plugins: fail here, not in every job */
    if (hpolab_registry_create(&reg, &err) != HPOLAB_OK ||
        hpolab_loader_load_all(reg, &err) != HPOLAB_OK) {
        fprintf(stderr, "hpolab launch: %s\n", err.message);
        rc = 1;
        goto out;
    }
    if (hpolab_study_check_plugins(study, plugin_exists, reg, &diag) !=
        HPOLAB_OK) {
        print_diag(&diag);
        rc = 2;
        goto out;
    }

    /* the plan */
    int64_t n_workers = -1, scale = 0, time_limit = -1;
    double given_time = -1.0;
    cli_get_int(&p, "n_workers", &n_workers);
    cli_get_double(&p, "max_wallclock_time", &given_time);
    cli_get_bool(&p, "scale_max_wallclock_time", &scale);
    cli_get_int(&p, "time_limit", &time_limit);
    char suffix[HPOLAB_LAUNCH_SUFFIX_LEN + 1];
    hpolab_launch_suffix(hpolab_launch_draw_seed(), suffix, sizeof suffix);
    char exe[PATH_MAX];
    ssize_t exe_len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (exe_len <= 0) {
        fprintf(stderr, "hpolab launch: cannot find the hpolab program "
                        "(/proc/self/exe): %s\n",
                strerror(errno));
        rc = 1;
        goto out;
    }
    exe[exe_len] = '\0';
    char *study_abs = realpath(study->path, NULL);
    plan.tag = strdup(tag);
    plan.suffix = strdup(suffix);
    plan.engine = strdup(engine);
    plan.study = study_abs;
    plan.benchmark = strdup(b->name);
    plan.metric = strdup(b->metric);
    plan.mode = b->mode;
    plan.master_seed = master;
    plan.program = strdup(exe);
    plan.budget = hpolab_scaled_wallclock_time(
        given_time, n_workers, b->stop.max_wallclock_time, b->n_workers,
        (int)scale, NULL);
    plan.time_limit =
        time_limit > 0 ? time_limit : hpolab_launch_time_limit(plan.budget);
    plan.n_workers = n_workers > 0 ? n_workers : b->n_workers;
    plan.created = hpolab_wall_time();
    fwd = forward_tokens(&p, extra, &n_fwd);
    if (!plan.tag || !plan.suffix || !plan.engine || !plan.study ||
        !plan.benchmark || !plan.metric || !plan.program || !fwd) {
        fprintf(stderr, "hpolab launch: out of memory\n");
        rc = 1;
        goto out;
    }
    int64_t skip_existing = 0;
    cli_get_bool(&p, "skip_existing", &skip_existing);
    size_t skipped = 0;
    for (size_t i = 0; i < study->n_methods; i++) {
        const char *m = study->methods[i].name;
        if (method && strcmp(method, m) != 0)
            continue;
        for (int64_t seed = start_seed; seed < num_seeds; seed++) {
            if (hpolab_launch_plan_add(&plan, m, seed,
                                       (const char *const *)fwd, n_fwd,
                                       &err) != HPOLAB_OK) {
                fprintf(stderr, "hpolab launch: slice %s-%lld: %s\n", m,
                        (long long)seed, err.message);
                rc = 2;
                goto out;
            }
            struct hpolab_launch_slice *s = &plan.slices[plan.n_slices - 1];
            if (skip_existing && slice_complete(&plan, s)) {
                s->skipped = 1;
                skipped++;
                continue;
            }
            /* a state left by an earlier launch is not this job's */
            char path[4200];
            snprintf(path, sizeof path, "%s/%s", s->dir,
                     HPOLAB_JOB_STATE_NAME);
            unlink(path);
        }
    }
    if (plan.n_slices == 0) {
        printf("nothing to launch: --start_seed %lld >= --num_seeds %lld "
               "(seeds run are start_seed .. num_seeds-1)\n",
               (long long)start_seed, (long long)num_seeds);
        goto out;
    }
    if (hpolab_launch_record_write(&plan, &err) != HPOLAB_OK) {
        fprintf(stderr, "hpolab launch: %s\n", err.message);
        rc = 1;
        goto out;
    }
    printf("Master random_seed = %u\n", master);
    printf("Launching %zu experiment(s) of '%s' (benchmark %s) on the %s "
           "engine; time limit %lld s per job\n",
           plan.n_slices - skipped, tag, b->name, engine,
           (long long)plan.time_limit);
    if (skipped)
        printf("  skipping %zu slice(s) with complete results\n", skipped);
    printf("  results: %s/<method>-<seed>/<tuner name>/\n", root);
    fflush(stdout);

    struct launch_engine_args ea = {.registry = reg};
    int64_t flag = 0;
    ea.wait = cli_get_bool(&p, "wait", &flag) && flag;
    cli_get_int(&p, "max_parallel", &ea.max_parallel);
    cli_get_string(&p, "partition", &ea.partition);
    cli_get_string(&p, "account", &ea.account);
    ea.cpus_per_task = plan.n_workers;
    cli_get_int(&p, "cpus_per_task", &ea.cpus_per_task);
    /* simulated trials are no processes: such an experiment keeps one CPU
     * busy (its tuner), not one per worker */
    const char *backend = b->backend;
    cli_get_string(&p, "backend", &backend);
    ea.cpus_per_slice =
        backend && strcmp(backend, "simulator") == 0 ? 1 : plan.n_workers;
    cli_get_int(&p, "gpus", &ea.gpus);
    cli_get_string(&p, "sbatch_args", &ea.sbatch_args);
    flag = 0;
    ea.use_array = !(cli_get_bool(&p, "no_array", &flag) && flag);
    cli_get_string(&p, "image", &ea.image);
    cli_get_string(&p, "role", &ea.role);
    cli_get_string(&p, "instance_type", &ea.instance_type);
    cli_get_string(&p, "bucket", &ea.bucket);
    ea.study_sagemaker = json_object_get(study->json, "sagemaker");
    ea.study_dir = study->dir;
    ea.backend = b->backend;
    rc = strcmp(engine, "local") == 0    ? launch_run_local(&plan, &ea)
         : strcmp(engine, "slurm") == 0 ? launch_run_slurm(&plan, &ea)
                                        : launch_run_sagemaker(&plan, &ea);
out:
    for (size_t i = 0; fwd && i < n_fwd; i++)
        free(fwd[i]);
    free(fwd);
    hpolab_launch_plan_free(&plan);
    hpolab_diag_free(&diag);
    hpolab_study_free(study);
    hpolab_registry_destroy(reg);
    json_decref(extra);
    cli_free(&p);
    free(opts);
    free(results_dir);
    return rc;
}
