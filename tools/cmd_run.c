/* cmd_run.c: `hpolab run STUDY`: run the selected (method, seed)
 * experiments of one benchmark one after another on this machine
 * (Syne Tune's hpo_main_local, framework reference §3.1, §3.2, §3.7). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cli.h"
#include "cli_options.h"
#include "cli_signals.h"
#include "clock.h"
#include "diag.h"
#include "fsutil.h"
#include "launch_scale.h"
#include "log.h"
#include "metadata.h"
#include "plugin_loader.h"
#include "registry.h"
#include "results_root.h"
#include "resume_find.h"
#include "space.h"
#include "study.h"
#include "tuner.h"
#include "tuner_name.h"

#define SEED_MODULUS 2147483647u /* 2^31 - 1 (framework reference §3.3) */

struct run_args {
    const char *study_path;
    const char *experiment_tag;
    const char *benchmark;
    const char *method;
    int64_t num_seeds;
    int64_t start_seed;
    int64_t random_seed; /* -1: draw one */
    int64_t n_workers;   /* -1: the benchmark's */
    double max_wallclock_time;  /* < 0: the benchmark's */
    int scale_max_wallclock_time;
    double results_update_interval; /* seconds */
    int64_t max_num_evaluations; /* -1: the benchmark's */
    const char *results_dir;
    const char *backend;       /* NULL: the benchmark's */
    json_t *backend_options;   /* owned; NULL: see run_backend_options */
    json_t *no_options;        /* owned; {} */
    int verbose;
    int resume;
    int help;
    json_t *extra; /* name -> string, options the study declares */
    struct cli_parser parser; /* owns the option values above */
};

const struct cli_option hpolab_run_cli_options[] = {
    {"experiment_tag", CLI_STRING, "TAG",
     "name of the study's results: letters, digits and '-' (default: the "
     "study's name, else a random word-word)"},
    {"benchmark", CLI_STRING, "NAME",
     "benchmark to run (may be left out when the study has one)"},
    {"method", CLI_STRING, "NAME", "run only this method (default: all)"},
    {"num_seeds", CLI_INT, "N",
     "seeds run are start_seed .. N-1 (an exclusive end, as in Syne Tune; "
     "default 1)"},
    {"start_seed", CLI_INT, "S", "first seed (default 0)"},
    {"random_seed", CLI_INT, "M",
     "master random seed; experiment seed = (M + seed) mod (2^31 - 1), the "
     "same for every method (default: drawn and printed)"},
    {"n_workers", CLI_INT, "N", "trials run at once (default: the benchmark's)"},
    {"max_wallclock_time", CLI_DOUBLE, "SECONDS",
     "time budget of each experiment (default: the benchmark's)"},
    {"scale_max_wallclock_time", CLI_BOOL, "BOOL",
     "with --n_workers A below the benchmark's B and no --max_wallclock_time: "
     "budget = benchmark's budget x B / A (default false)"},
    {"max_num_evaluations", CLI_INT, "N",
     "stop after more than N results (default: the benchmark's)"},
    {"results_dir", CLI_STRING, "DIR",
     "where experiment folders go (default: $HPOLAB_RESULTS, else ~/hpolab)"},
    {"backend", CLI_STRING, "NAME",
     "backend plugin that runs the trials, e.g. simulator (default: the "
     "benchmark's)"},
    {"backend_options", CLI_STRING, "JSON",
     "that backend's options as a JSON object, e.g. '{\"benchmark\": "
     "\"transformer_like\"}' (default: the benchmark's backend_options if "
     "the backend is the benchmark's, else {})"},
    {"results_update_interval", CLI_DOUBLE, "SECONDS",
     "rewrite results.csv.zip at most this often while tuning (default 10; "
     "always at the end)"},
    {"verbose", CLI_BOOL, "BOOL", "log what the tuner and plugins do"},
    {"resume", CLI_FLAG, NULL,
     "continue each selected experiment's latest folder where it stopped "
     "(killed, interrupted); a complete one is skipped, a missing one "
     "started (docs/resume.md)"},
    {NULL, 0, NULL, NULL},
};

static void usage(FILE *out, const struct hpolab_study *study)
{
    fprintf(out,
            "usage: hpolab run STUDY.json [options]\n"
            "\n"
            "Runs the experiments (method x seed) of one benchmark of a study, "
            "one after\nanother, each with n_workers trials at once, and "
            "writes each experiment's\nmetadata.json and results.csv.zip to "
            "<results_dir>/<tuner name>/.\n\noptions (--name value or "
            "--name=value):\n");
    cli_options_print(out, hpolab_run_cli_options);
    if (study && study->n_extra_args) {
        fprintf(out, "\noptions of %s (its \"extra_args\"):\n", study->path);
        for (size_t i = 0; i < study->n_extra_args; i++) {
            const struct hpolab_study_extra_arg *x = &study->extra_args[i];
            char left[128], dflt[256] = "";
            snprintf(left, sizeof left, "--%s %s", x->name,
                     hpolab_study_arg_type_name(x->type));
            if (x->required) {
                snprintf(dflt, sizeof dflt, " (required)");
            } else if (x->default_value && !json_is_null(x->default_value)) {
                char *d = json_dumps(x->default_value, JSON_ENCODE_ANY);
                snprintf(dflt, sizeof dflt, " (default %s)", d ? d : "?");
                free(d);
            }
            fprintf(out, "  %-28s %s%s\n", left, x->help ? x->help : "", dflt);
            if (x->choices) {
                char *c = json_dumps(x->choices, JSON_ENCODE_ANY);
                fprintf(out, "  %-28s one of %s\n", "", c ? c : "?");
                free(c);
            }
        }
    } else if (!study)
        fprintf(out, "\nA study may declare options of its own "
                     "(\"extra_args\"); 'hpolab run STUDY.json --help' "
                     "lists them.\n");
    fprintf(out, "\nExit status: 0 done, 1 an experiment failed, 2 bad "
                 "input, 128 + the signal when interrupted (130 Ctrl-C, 143 "
                 "SIGTERM, 129 hangup).\n");
}

/* ---- signals ------------------------------------------------------------ */

static struct hpolab_tuner *volatile current_tuner;
static volatile sig_atomic_t interrupts;
static volatile sig_atomic_t first_signal; /* decides the exit status */

static void on_signal(int sig)
{
    if (!first_signal)
        first_signal = sig;
    interrupts++;
    struct hpolab_tuner *t = current_tuner;
    if (t)
        hpolab_tuner_interrupt(t, interrupts >= 2);
}

static const char *signal_what(int sig)
{
    switch (sig) {
    case SIGHUP:
        return "hangup (the terminal closed)";
    case SIGTERM:
        return "termination request (SIGTERM)";
    default:
        return "interrupt (Ctrl-C)";
    }
}

/* ---- progress ----------------------------------------------------------- */

struct progress_state {
    const char *label;
    const char *metric;
    int tty;
    double last_print;
};

static void on_progress(const struct hpolab_tuner_progress *p, void *user)
{
    struct progress_state *ps = user;
    double now = hpolab_mono_time();
    if (!p->final && !ps->tty && now - ps->last_print < 30.0)
        return;
    if (!p->final && ps->tty && now - ps->last_print < 0.2)
        return;
    ps->last_print = now;
    char budget[64] = "";
    if (p->budget >= 0)
        snprintf(budget, sizeof budget, "/%.0fs", p->budget);
    char best[128] = "best -";
    if (p->has_best)
        snprintf(best, sizeof best, "best %s %.6g (trial %lld)", ps->metric,
                 p->best, (long long)p->best_trial);
    fprintf(stderr, "%s[%s] %.1fs%s  running %lld  finished %lld (failed %lld)"
                    "  results %lld  %s%s",
            ps->tty ? "\r\033[K" : "", ps->label, p->elapsed, budget,
            (long long)p->running, (long long)p->finished,
            (long long)p->failed, (long long)p->evaluations, best,
            ps->tty && !p->final ? "" : "\n");
    fflush(stderr);
}

/* ---- one experiment ------------------------------------------------------ */

static uint32_t draw_master_seed(void)
{
    uint32_t v = 0;
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        if (read(fd, &v, sizeof v) != (ssize_t)sizeof v)
            v = 0;
        close(fd);
    }
    if (v == 0)
        v = (uint32_t)(hpolab_wall_time() * 1000.0) ^ (uint32_t)getpid();
    return v % SEED_MODULUS;
}

static json_t *experiment_metadata(const struct run_args *a,
                                   const struct hpolab_study *study,
                                   const struct hpolab_study_benchmark *b,
                                   const char *method, int64_t seed,
                                   uint32_t master, const char *tag,
                                   int64_t n_workers, double max_time)
{
    json_t *md = json_object();
    json_object_set_new(md, "seed", json_integer(seed));
    json_object_set_new(md, "algorithm", json_string(method));
    json_object_set_new(md, "tag", json_string(tag));
    json_object_set_new(md, "benchmark", json_string(b->name));
    json_object_set_new(md, "random_seed", json_integer(master));
    json_object_set_new(md, "n_workers", json_integer(n_workers));
    if (max_time >= 0)
        json_object_set_new(md, "max_wallclock_time",
                            max_time == (double)(int64_t)max_time
                                ? json_integer((int64_t)max_time)
                                : json_real(max_time));
    const json_t *extra = study->arg_values;
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)extra, key, val)
    {
        if (!json_is_null(val))
            json_object_set(md, key, val);
    }
    if (b->instance_type)
        json_object_set_new(md, "instance_type", json_string(b->instance_type));
    json_object_set_new(md, "study", json_string(study->path));
    return md;
}

static int32_t fill_stop_criterion(const struct hpolab_study_benchmark *b,
                                   double max_time, int64_t max_evals,
                                   struct hpolab_stop_criterion *sc)
{
    hpolab_stop_criterion_init(sc);
    sc->max_wallclock_time = max_time;
    sc->max_num_evaluations = max_evals;
    sc->max_num_trials_started = b->stop.max_num_trials_started;
    sc->max_num_trials_completed = b->stop.max_num_trials_completed;
    sc->max_num_trials_finished = b->stop.max_num_trials_finished;
    sc->max_cost = b->stop.max_cost;
    int32_t st = HPOLAB_OK;
    for (int is_max = 0; is_max < 2 && st == HPOLAB_OK; is_max++) {
        const json_t *obj =
            is_max ? b->stop.max_metric_value : b->stop.min_metric_value;
        const char *key;
        json_t *val;
        json_object_foreach((json_t *)obj, key, val)
        {
            st = hpolab_stop_criterion_add_metric(sc, is_max, key,
                                                  json_number_value(val));
            if (st != HPOLAB_OK)
                break;
        }
    }
    return st;
}

static const char *entry_stem(const struct hpolab_study_benchmark *b,
                              char *buf, size_t size)
{
    /* The script's file stem for an interpreter entry, else the program's. */
    if (b->entry_argc == 0) /* a simulated benchmark runs no script */
        return b->name;
    const char *path = b->entry_argc > 1 && b->entry_argv[1][0] != '-'
                           ? b->entry_argv[1]
                           : b->entry_argv[0];
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    snprintf(buf, size, "%s", base);
    char *dot = strrchr(buf, '.');
    if (dot && dot != buf)
        *dot = '\0';
    return buf;
}

/* --backend_options, else the benchmark's own when the backend is its own. */
static const json_t *run_backend_options(const struct run_args *a,
                                         const struct hpolab_study_benchmark *b)
{
    if (a->backend_options)
        return a->backend_options;
    if (!a->backend || strcmp(a->backend, b->backend) == 0)
        return b->backend_options;
    return a->no_options;
}

/* The tuner options of one method on benchmark b, without the
 * experiment's folder, stop criterion, metadata and progress. */
static struct hpolab_tuner_options
method_tuner_options(const struct hpolab_study *study,
                     const struct hpolab_study_benchmark *b,
                     const struct hpolab_study_method *m,
                     struct hpolab_registry *reg, int64_t n_workers,
                     uint32_t seed)
{
    return (struct hpolab_tuner_options){
        .registry = reg,
        .where = study->path,
        .entry_argv = (const char *const *)b->entry_argv,
        .entry_argc = (uint32_t)b->entry_argc,
        .working_dir = b->working_dir,
        .space = b->space,
        .metric = b->metric,
        .mode = b->mode,
        .resource_attr = b->resource_attr,
        .max_resource_attr = b->max_resource_attr,
        .n_workers = (int32_t)n_workers,
        .max_failures = b->max_failures,
        .points_to_evaluate = b->points_to_evaluate,
        .method_name = m->name,
        .scheduler = m->scheduler,
        .searcher = m->searcher,
        .scheduler_options = m->scheduler_options,
        .searcher_options = m->searcher_options,
        .random_seed = seed,
        .backend = b->backend,
        .backend_options = b->backend_options,
        .benchmark_name = b->name,
    };
}

/* Exit status for a tuner error: 2 for what the study or the command line
 * got wrong, 1 for everything else. */
static int exit_status_of(int32_t st)
{
    return st == HPOLAB_ERR_INVALID || st == HPOLAB_ERR_NOT_FOUND ||
                   st == HPOLAB_ERR_TYPE || st == HPOLAB_ERR_RANGE
               ? 2
               : 1;
}

/* Returns a process exit status. */
static int run_experiment(const struct run_args *a,
                          const struct hpolab_study *study,
                          const struct hpolab_study_benchmark *b,
                          const struct hpolab_study_method *m,
                          struct hpolab_registry *reg, const char *tag,
                          const char *results_dir, int64_t seed,
                          uint32_t master)
{
    int64_t n_workers = a->n_workers > 0 ? a->n_workers : b->n_workers;
    int scaled = 0;
    double max_time = hpolab_scaled_wallclock_time(
        a->max_wallclock_time, a->n_workers, b->stop.max_wallclock_time,
        b->n_workers, a->scale_max_wallclock_time, &scaled);
    if (scaled)
        printf("Scaling max_wallclock_time: %g (from %g)\n", max_time,
               b->stop.max_wallclock_time);
    int64_t max_evals = a->max_num_evaluations >= 0
                            ? a->max_num_evaluations
                            : b->stop.max_num_evaluations;
    struct hpolab_error err;
    char *dir = NULL;
    int resuming = 0;
    if (a->resume) {
        int32_t fst = hpolab_experiment_find_latest(results_dir, tag, b->name,
                                                    seed, m->name, &dir, &err);
        if (fst != HPOLAB_OK) {
            fprintf(stderr, "hpolab run: %s\n", err.message);
            return 1;
        }
        int state = dir ? hpolab_experiment_state(dir)
                        : HPOLAB_EXPERIMENT_NO_JOURNAL;
        if (state == HPOLAB_EXPERIMENT_COMPLETE) {
            printf("Experiment (%s/%s/%lld) of %s is already complete: %s\n",
                   m->name, b->name, (long long)seed, tag, dir);
            free(dir);
            fflush(stdout);
            return 0;
        }
        if (state == HPOLAB_EXPERIMENT_PARTIAL) {
            resuming = 1;
            /* the experiment's own master seed, unless one is given (then
             * the journal tells whether it matches) */
            json_t *old = NULL;
            if (a->random_seed < 0 &&
                hpolab_metadata_read(dir, &old, &err) == HPOLAB_OK &&
                json_is_integer(json_object_get(old, "random_seed")))
                master = (uint32_t)json_integer_value(
                    json_object_get(old, "random_seed"));
            json_decref(old);
        } else {
            if (dir)
                printf("%s has no journal and cannot be resumed: the "
                       "experiment starts again\n",
                       dir);
            else
                printf("Experiment (%s/%s/%lld) of %s was not started: it "
                       "starts now\n",
                       m->name, b->name, (long long)seed, tag);
            free(dir);
            dir = NULL;
        }
    }
    uint32_t eff_seed = (uint32_t)(((uint64_t)master + (uint64_t)seed) %
                                   SEED_MODULUS);
    char name[256];
    if (!dir) {
        if (hpolab_tuner_name(tag, b->name, seed, hpolab_wall_time(), name,
                              sizeof name, &err) != HPOLAB_OK) {
            fprintf(stderr, "hpolab run: %s\n", err.message);
            return 2;
        }
        dir = hpolab_path_join(results_dir, name);
    }
    printf("%s experiment (%s/%s/%lld) of %s: max_wallclock_time %g s, "
           "n_workers %lld, seed %u\n  results: %s\n",
           resuming ? "Resuming" : "Starting", m->name, b->name,
           (long long)seed, tag, max_time,
           (long long)n_workers, eff_seed, dir ? dir : name);
    fflush(stdout);

    struct hpolab_stop_criterion sc;
    json_t *md = experiment_metadata(a, study, b, m->name, seed, master, tag,
                                     n_workers, max_time);
    char stem[256];
    int rc = 0;
    if (!dir || !md || fill_stop_criterion(b, max_time, max_evals, &sc) !=
                           HPOLAB_OK) {
        fprintf(stderr, "hpolab run: out of memory\n");
        free(dir);
        json_decref(md);
        return 1;
    }
    char label[256];
    snprintf(label, sizeof label, "%s seed %lld", m->name, (long long)seed);
    struct progress_state ps = {.label = label, .metric = b->metric,
                                .tty = isatty(STDERR_FILENO)};
    struct hpolab_tuner_options o =
        method_tuner_options(study, b, m, reg, n_workers, eff_seed);
    o.backend = a->backend ? a->backend : b->backend;
    o.backend_options = run_backend_options(a, b);
    o.experiment_dir = dir;
    o.stop = &sc;
    o.metadata = md;
    o.entrypoint_stem = entry_stem(b, stem, sizeof stem);
    o.results_update_interval = a->results_update_interval;
    o.stop_grace_period = 10.0;
    o.progress = on_progress;
    o.progress_user = &ps;
    o.resume = resuming;
    struct rusage ru0;
    getrusage(RUSAGE_SELF, &ru0);
    struct hpolab_tuner *t = NULL;
    int32_t st = hpolab_tuner_create(&o, &t, &err);
    if (st == HPOLAB_OK) {
        current_tuner = t;
        if (interrupts)
            hpolab_tuner_interrupt(t, interrupts >= 2);
        st = hpolab_tuner_run(t, &err);
        current_tuner = NULL;
    }
    if (t) {
        const struct hpolab_tuner_summary *s = hpolab_tuner_summary(t);
        printf("--------------------\n");
        printf("%lld trials (%lld completed, %lld failed, %lld stopped), %lld "
               "results in %.1f s%s%s\n",
               (long long)s->trials_started, (long long)s->trials_completed,
               (long long)s->trials_failed, (long long)s->trials_stopped,
               (long long)s->evaluations, s->elapsed,
               s->stop_reason ? "; ended by " : "",
               s->stop_reason ? s->stop_reason : "");
        if (s->has_best)
            printf("%s: best %.10g for trial-id %lld\nbest configuration: %s\n",
                   b->metric, s->best, (long long)s->best_trial,
                   s->best_config_json ? s->best_config_json : "?");
        /* The tuner's own cost, without the trials' (they are children). */
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        double cpu = (double)(ru.ru_utime.tv_sec - ru0.ru_utime.tv_sec) +
                     (double)(ru.ru_stime.tv_sec - ru0.ru_stime.tv_sec) +
                     (double)(ru.ru_utime.tv_usec - ru0.ru_utime.tv_usec) * 1e-6 +
                     (double)(ru.ru_stime.tv_usec - ru0.ru_stime.tv_usec) * 1e-6;
        double sys_cpu = (double)(ru.ru_stime.tv_sec - ru0.ru_stime.tv_sec) +
                         (double)(ru.ru_stime.tv_usec - ru0.ru_stime.tv_usec) * 1e-6;
        printf("tuner: %.3f s CPU (%.3f ms per trial; %.3f s in the kernel), "
               "peak RSS %.1f MiB\n",
               cpu, s->trials_started ? cpu * 1e3 / (double)s->trials_started : 0.0,
               sys_cpu, (double)ru.ru_maxrss / 1024.0);
        printf("results: %s\n--------------------\n", dir);
    }
    if (st == HPOLAB_ERR_INTERRUPTED) {
        int sig = first_signal ? first_signal : SIGINT;
        fprintf(stderr, "hpolab run: %s: %s\n", signal_what(sig),
                err.message);
        rc = 128 + sig;
    } else if (st != HPOLAB_OK) {
        fprintf(stderr, "hpolab run: %s\n", err.message);
        rc = exit_status_of(st);
    }
    hpolab_tuner_destroy(t);
    hpolab_stop_criterion_free(&sc);
    json_decref(md);
    free(dir);
    fflush(stdout);
    return rc;
}

/* ---- command -------------------------------------------------------------- */

static int parse_args(int argc, char **argv, struct run_args *a)
{
    memset(a, 0, sizeof *a);
    a->num_seeds = 1;
    a->random_seed = -1;
    a->n_workers = -1;
    a->max_wallclock_time = -1.0;
    a->results_update_interval = 10.0;
    a->max_num_evaluations = -1;
    a->extra = json_object();
    a->no_options = json_object();
    a->parser = (struct cli_parser){
        .options = hpolab_run_cli_options, .extra = a->extra, .command = "hpolab run"};
    struct cli_parser *pp = &a->parser;
    int rc = cli_parse(pp, argc, argv);
    if (rc != 0)
        return rc;
    a->help = pp->help;
    a->study_path = pp->positional;
    cli_get_string(pp, "experiment_tag", &a->experiment_tag);
    cli_get_string(pp, "benchmark", &a->benchmark);
    cli_get_string(pp, "method", &a->method);
    cli_get_int(pp, "num_seeds", &a->num_seeds);
    cli_get_int(pp, "start_seed", &a->start_seed);
    cli_get_int(pp, "random_seed", &a->random_seed);
    cli_get_int(pp, "n_workers", &a->n_workers);
    cli_get_double(pp, "max_wallclock_time", &a->max_wallclock_time);
    cli_get_double(pp, "results_update_interval",
                   &a->results_update_interval);
    cli_get_int(pp, "max_num_evaluations", &a->max_num_evaluations);
    cli_get_string(pp, "results_dir", &a->results_dir);
    cli_get_string(pp, "backend", &a->backend);
    const char *bo = NULL;
    cli_get_string(pp, "backend_options", &bo);
    if (bo) {
        json_error_t je;
        a->backend_options = json_loads(bo, 0, &je);
        if (!json_is_object(a->backend_options)) {
            fprintf(stderr, "hpolab run: --backend_options: expected a JSON "
                            "object, e.g. '{\"benchmark\": "
                            "\"transformer_like\"}', got '%s'%s%s\n",
                    bo, a->backend_options ? "" : ": ",
                    a->backend_options ? "" : je.text);
            return 2;
        }
    }
    int64_t verbose = 0, scale = 0;
    cli_get_bool(pp, "verbose", &verbose);
    cli_get_bool(pp, "scale_max_wallclock_time", &scale);
    a->scale_max_wallclock_time = (int)scale;
    a->verbose = (int)verbose;
    int64_t resume = 0;
    cli_get_bool(pp, "resume", &resume);
    a->resume = (int)resume;
    return cli_check_ranges(pp);
}

static void print_diag(const struct hpolab_diag *d)
{
    for (size_t i = 0; i < d->count; i++)
        fprintf(stderr, "%s\n", d->lines[i] ? d->lines[i] : "(out of memory)");
}

/* hpolab_study_check_plugins callback: is there a plugin of that kind? */
static int plugin_exists(void *user, int32_t kind, const char *id,
                         char *available, size_t size)
{
    const struct hpolab_registry *reg = user;
    if (hpolab_registry_find(reg, kind, id))
        return 1;
    size_t used = 0;
    available[0] = '\0';
    for (size_t i = 0; i < hpolab_registry_component_count(reg); i++) {
        const struct hpolab_component *c = hpolab_registry_component_at(reg, i);
        if (c->kind != kind || used >= size)
            continue;
        int n = snprintf(available + used, size - used, "%s%s",
                         used ? ", " : "", c->id);
        if (n > 0)
            used += (size_t)n;
    }
    return 0;
}

/* Options given on the command line that neither hpolab run nor the study
 * declares. */
static int check_extra_options(const struct hpolab_study *study,
                               const json_t *extra)
{
    const char *key;
    json_t *val;
    int bad = 0;
    json_object_foreach((json_t *)extra, key, val)
    {
        if (!hpolab_study_find_extra_arg(study, key)) {
            fprintf(stderr,
                    "hpolab run: unknown option '--%s' (neither an option of "
                    "hpolab run nor declared in %s's extra_args; see "
                    "'hpolab run %s --help')\n",
                    key, study->path, study->path);
            bad = 1;
        }
    }
    return bad;
}

int hpolab_cmd_run(int argc, char **argv)
{
    /* as Syne Tune's tuner (framework reference 1.7): before any plugin
     * loads a math library, which reads it once. The GP searcher's BLAS
     * threads otherwise wait on each other (a MOBSTER experiment on 2 CPUs:
     * 32 s instead of 18 s); trials get the same value. */
    setenv("OMP_NUM_THREADS", "1", 0);
    struct run_args a;
    int rc = parse_args(argc, argv, &a);
    struct hpolab_study *study = NULL;
    struct hpolab_registry *reg = NULL;
    struct hpolab_diag diag = {0};
    char *results_dir = NULL;
    char tag_buf[64];
    if (rc != 0)
        goto out;
    if (!a.study_path) {
        if (a.help) {
            usage(stdout, NULL);
            goto out;
        }
        fprintf(stderr, "hpolab run: a study file is required "
                        "(hpolab run STUDY.json; see --help)\n");
        rc = 2;
        goto out;
    }
    if (hpolab_study_open(a.study_path, &study, &diag) != HPOLAB_OK) {
        print_diag(&diag);
        rc = 2;
        goto out;
    }
    if (a.help) {
        usage(stdout, study);
        goto out;
    }
    if (check_extra_options(study, a.extra)) {
        rc = 2;
        goto out;
    }
    if (hpolab_study_resolve(study, a.extra, &diag) != HPOLAB_OK) {
        print_diag(&diag);
        rc = 2;
        goto out;
    }
    hpolab_log_set_level(cli_log_level(a.verbose));

    /* the benchmark */
    const struct hpolab_study_benchmark *b = NULL;
    if (a.benchmark) {
        b = hpolab_study_find_benchmark(study, a.benchmark);
        if (!b) {
            fprintf(stderr, "hpolab run: --benchmark: %s has no benchmark "
                            "'%s'; it has:",
                    study->path, a.benchmark);
            for (size_t i = 0; i < study->n_benchmarks; i++)
                fprintf(stderr, " %s", study->benchmarks[i].name);
            fprintf(stderr, "\n");
            rc = 2;
            goto out;
        }
    } else if (study->n_benchmarks == 1) {
        b = &study->benchmarks[0];
    } else {
        fprintf(stderr, "hpolab run: %s has %zu benchmarks; choose one with "
                        "--benchmark:",
                study->path, study->n_benchmarks);
        for (size_t i = 0; i < study->n_benchmarks; i++)
            fprintf(stderr, " %s", study->benchmarks[i].name);
        fprintf(stderr, "\n");
        rc = 2;
        goto out;
    }
    if (a.method && !hpolab_study_find_method(study, a.method)) {
        fprintf(stderr, "hpolab run: --method: %s has no method '%s'; it has:",
                study->path, a.method);
        for (size_t i = 0; i < study->n_methods; i++)
            fprintf(stderr, " %s", study->methods[i].name);
        fprintf(stderr, "\n");
        rc = 2;
        goto out;
    }

    /* tag and results folder */
    struct hpolab_error err;
    const char *tag = a.experiment_tag;
    if (!tag) {
        if (study->name && hpolab_validate_tag(study->name, NULL) == HPOLAB_OK) {
            tag = study->name;
        } else {
            hpolab_random_tag(tag_buf, sizeof tag_buf, draw_master_seed());
            tag = tag_buf;
        }
    }
    if (hpolab_validate_tag(tag, &err) != HPOLAB_OK) {
        fprintf(stderr, "hpolab run: --experiment_tag: %s\n", err.message);
        rc = 2;
        goto out;
    }
    results_dir = hpolab_results_root(a.results_dir);
    if (!results_dir ||
        hpolab_check_writable_dir(results_dir, &err) != HPOLAB_OK) {
        fprintf(stderr, "hpolab run: results folder: %s\n",
                results_dir ? err.message : "out of memory");
        rc = 2;
        goto out;
    }

    /* plugins */
    if (hpolab_registry_create(&reg, &err) != HPOLAB_OK ||
        hpolab_loader_load_all(reg, &err) != HPOLAB_OK) {
        fprintf(stderr, "hpolab run: %s\n", err.message);
        rc = 1;
        goto out;
    }
    int32_t pst = hpolab_study_apply_presets(
        study, hpolab_registry_presets(reg), &diag);
    if (pst == HPOLAB_ERR_NOMEM) {
        fprintf(stderr, "hpolab run: out of memory\n");
        rc = 1;
        goto out;
    }
    if (hpolab_study_check_plugins(study, plugin_exists, reg, &diag) !=
            HPOLAB_OK ||
        pst != HPOLAB_OK) {
        print_diag(&diag);
        rc = 2;
        goto out;
    }

    if (a.backend && !hpolab_registry_find(reg, HPOLAB_KIND_BACKEND,
                                           a.backend)) {
        char avail[512];
        plugin_exists(reg, HPOLAB_KIND_BACKEND, a.backend, avail,
                      sizeof avail);
        fprintf(stderr, "hpolab run: --backend: no backend plugin named "
                        "'%s'; available: %s\n",
                a.backend, avail[0] ? avail : "none");
        rc = 2;
        goto out;
    }

    /* Every selected method's scheduler and searcher once, so that a bad
     * option stops the study before its first trial. */
    for (size_t i = 0; i < study->n_methods; i++) {
        const struct hpolab_study_method *m = &study->methods[i];
        if (a.method && strcmp(a.method, m->name) != 0)
            continue;
        struct hpolab_tuner_options o = method_tuner_options(
            study, b, m, reg, a.n_workers > 0 ? a.n_workers : b->n_workers,
            0);
        o.backend = a.backend ? a.backend : b->backend;
        o.backend_options = run_backend_options(&a, b);
        int32_t st = hpolab_tuner_check(&o, &err);
        if (st != HPOLAB_OK) {
            fprintf(stderr, "hpolab run: method '%s': %s\n", m->name,
                    err.message);
            rc = exit_status_of(st);
            goto out;
        }
    }

    /* the experiments, method-major, seed-minor */
    uint32_t master = a.random_seed >= 0
                          ? (uint32_t)(a.random_seed % SEED_MODULUS)
                          : draw_master_seed();
    if (a.resume && a.random_seed < 0) {
        /* experiments that start now pair with the resumed ones */
        char *any = NULL;
        json_t *md = NULL;
        if (hpolab_experiment_find_latest(results_dir, tag, b->name, -1, NULL,
                                          &any, &err) == HPOLAB_OK &&
            any && hpolab_metadata_read(any, &md, &err) == HPOLAB_OK &&
            json_is_integer(json_object_get(md, "random_seed")))
            master = (uint32_t)json_integer_value(
                json_object_get(md, "random_seed"));
        json_decref(md);
        free(any);
    }
    printf("Master random_seed = %u\n", master);
    if (a.start_seed >= a.num_seeds)
        printf("nothing to run: --start_seed %lld >= --num_seeds %lld (seeds "
               "run are start_seed .. num_seeds-1)\n",
               (long long)a.start_seed, (long long)a.num_seeds);
    cli_install_stop_signals(on_signal);
    for (size_t i = 0; i < study->n_methods && rc == 0; i++) {
        const struct hpolab_study_method *m = &study->methods[i];
        if (a.method && strcmp(a.method, m->name) != 0)
            continue;
        for (int64_t seed = a.start_seed; seed < a.num_seeds && rc == 0;
             seed++)
            rc = run_experiment(&a, study, b, m, reg, tag, results_dir, seed,
                                master);
    }
    if (rc == 0)
        printf("All experiments of '%s' are in %s\n", tag, results_dir);
out:
    hpolab_diag_free(&diag);
    hpolab_study_free(study);
    hpolab_registry_destroy(reg);
    json_decref(a.extra);
    json_decref(a.backend_options);
    json_decref(a.no_options);
    cli_free(&a.parser);
    free(results_dir);
    return rc;
}
