/* cmd_plot.c: `hpolab plot [TAG]`: collect a study's experiments, aggregate
 * them and draw the comparison (or, with --per-trial, one seed's learning
 * curves) through a plotter plugin, with a summary table (issue 5;
 * framework reference §5). docs/plotting.md is the manual. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "cli_options.h"
#include "collect_find.h"
#include "diag.h"
#include "fsutil.h"
#include "log.h"
#include "plot_compare.h"
#include "plot_params.h"
#include "plot_render.h"
#include "plot_trials.h"
#include "plugin_loader.h"
#include "registry.h"
#include "results_root.h"
#include "study.h"

static const struct cli_option plot_options[] = {
    {"study", CLI_STRING, "FILE",
     "the study file: its name is the default tag, its \"plot\" section "
     "gives defaults for every option below"},
    {"results_dir", CLI_STRING, "DIR",
     "where experiment folders are (default: $HPOLAB_RESULTS, else ~/hpolab)"},
    {"output", CLI_STRING, "STEM",
     "output files STEM.png/.svg/.pdf/.gp/.dat, STEM-summary.csv/.md "
     "(default: ./TAG, ./TAG-trials-seedS with --per-trial)"},
    {"setup", CLI_STRING, "TEMPLATE",
     "curve of an experiment: a metadata key or a template such as "
     "'{algorithm}' or '{n_workers} workers' (default: algorithm)"},
    {"subplot", CLI_STRING, "TEMPLATE",
     "subplot of an experiment, like --setup (default: one plot)"},
    {"setups", CLI_STRING, "A,B,..", "setups to draw, in this order (default: "
                                     "all found)"},
    {"where", CLI_STRING, "KEY=VALUE",
     "keep experiments whose metadata KEY is VALUE; repeat for more (same "
     "key: any value; different keys: all)"},
    {"since", CLI_STRING, "DATETIME",
     "keep experiments started at or after YYYY-MM-DD[-HH-MM-SS] (UTC)"},
    {"until", CLI_STRING, "DATETIME", "... and at or before this"},
    {"benchmark", CLI_STRING, "NAME", "the benchmark (when there are several)"},
    {"benchmark_key", CLI_STRING, "KEY",
     "metadata key naming the benchmark (default: benchmark)"},
    {"metric", CLI_STRING, "NAME",
     "metric to plot (default: the experiments' first metric)"},
    {"mode", CLI_STRING, "min|max", "(default: the experiments' metric mode)"},
    {"convert_to_min", CLI_BOOL, "BOOL",
     "for mode max draw 1 - value (default true, as Syne Tune)"},
    {"metric_multiplier", CLI_DOUBLE, "X",
     "multiply values by X first (default 1)"},
    {"aggregate", CLI_STRING, "MODE",
     "iqm_bootstrap (default), mean_and_ci or median_percentiles"},
    {"bootstrap_samples", CLI_INT, "B", "bootstrap samples (default 1000)"},
    {"bootstrap_seed", CLI_INT, "N",
     "seed of the bootstrap, so a plot is reproducible (default 0)"},
    {"num_runs", CLI_INT, "N",
     "runs expected per setup; others are reported (default: the most any "
     "setup has)"},
    {"target", CLI_DOUBLE, "V",
     "summary: time until the plotted value reaches V"},
    {"title", CLI_STRING, "TEXT", "figure title"},
    {"xlabel", CLI_STRING, "TEXT", "(default: wall-clock time (secs))"},
    {"ylabel", CLI_STRING, "TEXT", "(default: the metric)"},
    {"xlim", CLI_STRING, "LO,HI", "x range (also crops before aggregating)"},
    {"ylim", CLI_STRING, "LO,HI", "y range"},
    {"logx", CLI_BOOL, "BOOL", "logarithmic x axis"},
    {"logy", CLI_BOOL, "BOOL", "logarithmic y axis"},
    {"grid", CLI_BOOL, "BOOL", "grid lines"},
    {"size", CLI_STRING, "WxH",
     "image size in pixels (default 1000x800 per subplot)"},
    {"dpi", CLI_INT, "N", "dots per inch for PDF/SVG sizes (default 200)"},
    {"nrows", CLI_INT, "N", "subplot rows"},
    {"ncols", CLI_INT, "N", "subplot columns"},
    {"subplot_titles", CLI_STRING, "A,B,..", "titles of the subplots"},
    {"legend", CLI_STRING, "WHERE",
     "'top right' (default), 'top left', 'bottom right', 'bottom left', "
     "outside, below, none"},
    {"format", CLI_STRING, "LIST", "png,svg,pdf (default: all three)"},
    {"per-trial", CLI_FLAG, NULL,
     "draw each trial's learning curve for one seed (--seed)"},
    {"seed", CLI_INT, "S", "the seed for --per-trial (default 0)"},
    {"plotter", CLI_STRING, "NAME", "plotter plugin (default: gnuplot)"},
    {"gnuplot", CLI_STRING, "PROGRAM", "gnuplot program (default: gnuplot)"},
    {"download-from-s3", CLI_FLAG, NULL,
     "first download the tag's metadata.json and results.csv.zip files from "
     "s3://<bucket>/hpolab/TAG/ (as hpolab sync TAG)"},
    {"bucket", CLI_STRING, "B",
     "with --download-from-s3: the bucket (default: $HPOLAB_S3_BUCKET, else "
     "sagemaker-<region>-<account>)"},
    {"no_render", CLI_FLAG, NULL,
     "write the script and data only, do not run the plotter's renderer"},
    {"verbose", CLI_BOOL, "BOOL", "log more (per-setup run times)"},
    {NULL, 0, NULL, NULL},
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: hpolab plot [TAG[,TAG...]] [options]\n"
            "\n"
            "Finds the experiments of a study (TAG-*/ and TAG/*/TAG-*/ under "
            "the results\nfolder, also folders written by Syne Tune), draws "
            "each setup's best value so far\nover wall-clock time, "
            "aggregated over seeds with a confidence band, and prints\na "
            "summary table (also written as CSV and Markdown).\n\noptions "
            "(--name value or --name=value):\n");
    cli_options_print(out, plot_options);
    fprintf(out, "\nExit status: 0 drawn (warnings may name experiments left "
                 "out), 1 nothing could\nbe drawn, 2 bad input.\n");
}

/* Take every --where out of argv (the option parser keeps only the last
 * value of an option). */
static int take_where(int *argc, char **argv, const char ***where, size_t *n)
{
    *where = calloc((size_t)*argc + 1, sizeof **where);
    if (!*where)
        return 0;
    int out = 0;
    for (int i = 0; i < *argc; i++) {
        if (strcmp(argv[i], "--where") == 0 && i + 1 < *argc) {
            (*where)[(*n)++] = argv[++i];
        } else if (strncmp(argv[i], "--where=", 8) == 0) {
            (*where)[(*n)++] = argv[i] + 8;
        } else {
            argv[out++] = argv[i];
        }
    }
    *argc = out;
    return 1;
}

static void print_warnings(const struct hpolab_diag *d)
{
    for (size_t i = 0; i < d->count; i++)
        fprintf(stderr, "hpolab plot: warning: %s\n", d->lines[i]);
}

/* "a,b" -> array of borrowed-in-copy pieces (owned copy in *buf). */
static const char **split_tags(const char *text, char **buf, size_t *n)
{
    *n = 0;
    *buf = strdup(text);
    const char **tags = calloc(strlen(text) + 2, sizeof *tags);
    if (!*buf || !tags) {
        free(tags);
        return NULL;
    }
    for (char *s = *buf, *save = NULL, *t; (t = strtok_r(s, ",", &save));
         s = NULL)
        tags[(*n)++] = t;
    return tags;
}

static int write_text(const char *path, const char *text)
{
    struct hpolab_error err;
    if (hpolab_write_file_atomic(path, text, strlen(text), &err) != HPOLAB_OK) {
        fprintf(stderr, "hpolab plot: %s\n", err.message);
        return 0;
    }
    return 1;
}

static void list_outputs(const char *stem)
{
    static const char *const ext[] = {".png", ".svg", ".pdf", ".gp", ".dat",
                                      "-summary.csv", "-summary.md"};
    char path[4096];
    printf("wrote:");
    for (size_t i = 0; i < sizeof ext / sizeof *ext; i++) {
        struct stat st;
        snprintf(path, sizeof path, "%s%s", stem, ext[i]);
        if (stat(path, &st) == 0)
            printf(" %s", path);
    }
    printf("\n");
}

/* Write the summary table: printed, and as CSV and Markdown. */
static int summary_out(const struct hpolab_summary *s, const char *stem)
{
    struct hpolab_error err;
    char *text = NULL, *csv = NULL, *md = NULL;
    int ok = hpolab_summary_text(s, &text, &err) == HPOLAB_OK &&
             hpolab_summary_csv(s, &csv, &err) == HPOLAB_OK &&
             hpolab_summary_markdown(s, &md, &err) == HPOLAB_OK;
    if (!ok) {
        fprintf(stderr, "hpolab plot: summary: %s\n", err.message);
    } else {
        printf("%s", text);
        char path[4096];
        snprintf(path, sizeof path, "%s-summary.csv", stem);
        ok = write_text(path, csv);
        snprintf(path, sizeof path, "%s-summary.md", stem);
        ok = ok && write_text(path, md);
    }
    free(text);
    free(csv);
    free(md);
    return ok;
}

int hpolab_cmd_plot(int argc, char **argv)
{
    int rc = 2;
    struct cli_parser parser = {.options = plot_options,
                                .command = "hpolab plot"};
    struct hpolab_plot_params p;
    hpolab_plot_params_init(&p);
    struct hpolab_study *study = NULL;
    struct hpolab_diag diag = {0}, warn = {0};
    struct hpolab_collection coll = {0};
    struct hpolab_compare cmp = {0};
    struct hpolab_figure *trials_fig = NULL;
    struct hpolab_registry *reg = NULL;
    struct hpolab_error err;
    const char **where = NULL, **tags = NULL;
    size_t n_where = 0, n_tags = 0;
    char *tag_buf = NULL, *root = NULL, *stem = NULL, *where_ctx = NULL;
    json_t *cli_params = NULL, *plotter_opts = NULL;

    if (!take_where(&argc, argv, &where, &n_where)) {
        fprintf(stderr, "hpolab plot: out of memory\n");
        goto out;
    }
    if (cli_parse(&parser, argc, argv) != 0 || cli_check_ranges(&parser))
        goto out;
    if (parser.help) {
        usage(stdout);
        rc = 0;
        goto out;
    }
    int64_t verbose = 0;
    cli_get_bool(&parser, "verbose", &verbose);
    hpolab_log_set_level(cli_log_level(verbose));

    /* parameters: the study's plot section, then the command line */
    const char *study_path = NULL;
    if (cli_get_string(&parser, "study", &study_path)) {
        if (hpolab_study_open(study_path, &study, &diag) != HPOLAB_OK) {
            for (size_t i = 0; i < diag.count; i++)
                fprintf(stderr, "%s\n", diag.lines[i]);
            goto out;
        }
        size_t len = strlen(study_path) + 8;
        if (!(where_ctx = malloc(len)))
            goto oom;
        snprintf(where_ctx, len, "%s: plot", study_path);
        if (hpolab_plot_params_apply(&p, json_object_get(study->json, "plot"),
                                     where_ctx, &err) != HPOLAB_OK) {
            fprintf(stderr, "%s\n", err.message);
            goto out;
        }
    }
    if (!(cli_params = json_object()))
        goto oom;
    const char *key;
    json_t *val;
    json_object_foreach(parser.values, key, val)
    {
        if (hpolab_plot_params_is_key(key) &&
            json_object_set(cli_params, key, val) != 0)
            goto oom;
    }
    if (hpolab_plot_params_apply(&p, cli_params, "hpolab plot: --", &err) !=
            HPOLAB_OK ||
        hpolab_plot_params_finish(&p, &err) != HPOLAB_OK) {
        fprintf(stderr, "%s\n", err.message);
        goto out;
    }

    /* what to collect */
    const char *tag_text = parser.positional;
    if (!tag_text && study)
        tag_text = study->name;
    if (!tag_text) {
        fprintf(stderr, "hpolab plot: give the experiment tag (hpolab plot "
                        "TAG), or --study FILE of a study with a name; see "
                        "--help\n");
        goto out;
    }
    if (!(tags = split_tags(tag_text, &tag_buf, &n_tags)))
        goto oom;
    const char *rd = NULL;
    cli_get_string(&parser, "results_dir", &rd);
    if (json_is_true(json_object_get(parser.values, "download-from-s3"))) {
        const char *bucket = NULL;
        cli_get_string(&parser, "bucket", &bucket);
        for (size_t i = 0; i < n_tags; i++) {
            int src = hpolab_sync_tag("hpolab plot", tags[i], bucket, rd,
                                      NULL, NULL, 0);
            if (src != 0) {
                rc = src;
                goto out;
            }
        }
    }
    if (!(root = hpolab_results_root(rd)))
        goto oom;
    if (!hpolab_is_dir(root)) {
        fprintf(stderr, "hpolab plot: results folder %s does not exist (set "
                        "it with --results_dir or HPOLAB_RESULTS)\n",
                root);
        rc = 1;
        goto out;
    }
    struct hpolab_collect_query q = {.root = root,
                                     .tags = tags,
                                     .n_tags = n_tags,
                                     .setup = p.setup,
                                     .subplot = p.subplot,
                                     .where = where,
                                     .n_where = n_where,
                                     .benchmark = p.benchmark};
    cli_get_string(&parser, "since", &q.since);
    cli_get_string(&parser, "until", &q.until);
    cli_get_string(&parser, "benchmark_key", &q.benchmark_key);
    if (hpolab_collect_find(&q, &coll, &warn, &err) != HPOLAB_OK) {
        print_warnings(&warn);
        fprintf(stderr, "hpolab plot: %s\n", err.message);
        rc = err.status == HPOLAB_ERR_NOMEM ? 1 : 2;
        goto out;
    }
    if (coll.n == 0) {
        print_warnings(&warn);
        fprintf(stderr,
                "hpolab plot: no experiment matches: looked for %s/%s-*/ and "
                "%s/%s/*/%s-*/ (%zu experiment folder%s seen%s)\n",
                root, tags[0], root, tags[0], tags[0], coll.folders,
                coll.folders == 1 ? "" : "s",
                n_where || q.since || q.until || p.benchmark
                    ? "; the filters left none"
                    : "");
        rc = 1;
        goto out;
    }

    /* the figure */
    int per_trial = json_is_true(json_object_get(parser.values, "per-trial"));
    int64_t seed = 0;
    cli_get_int(&parser, "seed", &seed);
    const struct hpolab_figure *fig;
    size_t ntrials = 0;
    int32_t st = per_trial ? hpolab_trials_build(&coll, &p, seed, &trials_fig,
                                                 &ntrials, &warn, &err)
                           : hpolab_compare_build(&coll, &p, &cmp, &warn, &err);
    print_warnings(&warn);
    if (st != HPOLAB_OK) {
        fprintf(stderr, "hpolab plot: %s\n", err.message);
        rc = st == HPOLAB_ERR_INVALID ? 2 : 1;
        goto out;
    }
    fig = per_trial ? trials_fig : cmp.figure;

    /* files */
    const char *out_opt = NULL;
    if (cli_get_string(&parser, "output", &out_opt)) {
        stem = strdup(out_opt);
    } else {
        size_t len = strlen(tags[0]) + 64;
        if ((stem = malloc(len)))
            snprintf(stem, len, per_trial ? "%s-trials-seed%lld" : "%s",
                     tags[0], (long long)seed);
    }
    if (!stem)
        goto oom;
    char *slash = strrchr(stem, '/');
    if (slash && slash != stem) {
        *slash = '\0';
        int32_t mk = hpolab_mkdir_p(stem, &err);
        *slash = '/';
        if (mk != HPOLAB_OK) {
            fprintf(stderr, "hpolab plot: --output: %s\n", err.message);
            rc = 2;
            goto out;
        }
    }
    if (!(plotter_opts = json_object()) ||
        json_object_set_new(plotter_opts, "format", json_string(p.format)))
        goto oom;
    const char *plotter = "gnuplot", *gnuplot = NULL;
    cli_get_string(&parser, "plotter", &plotter);
    if (cli_get_string(&parser, "gnuplot", &gnuplot))
        json_object_set_new(plotter_opts, "gnuplot", json_string(gnuplot));
    if (json_is_true(json_object_get(parser.values, "no_render")))
        json_object_set_new(plotter_opts, "render", json_false());
    if (hpolab_registry_create(&reg, &err) != HPOLAB_OK ||
        hpolab_loader_load_all(reg, &err) != HPOLAB_OK ||
        hpolab_plot_render(reg, plotter, plotter_opts, fig, stem, &err) !=
            HPOLAB_OK) {
        fprintf(stderr, "hpolab plot: %s\n", err.message);
        rc = 1;
        goto out;
    }
    if (per_trial) {
        printf("%zu trials of seed %lld drawn\n", ntrials, (long long)seed);
    } else {
        printf("%zu curves from %zu experiments; metric %s\n", cmp.curves,
               cmp.runs_used, cmp.metric);
        if (!summary_out(&cmp.summary, stem)) {
            rc = 1;
            goto out;
        }
    }
    list_outputs(stem);
    rc = 0;
    goto out;
oom:
    fprintf(stderr, "hpolab plot: out of memory\n");
    rc = 1;
out:
    hpolab_registry_destroy(reg);
    hpolab_compare_free(&cmp);
    hpolab_figure_free(trials_fig);
    hpolab_collection_free(&coll);
    hpolab_diag_free(&diag);
    hpolab_diag_free(&warn);
    hpolab_study_free(study);
    hpolab_plot_params_free(&p);
    json_decref(cli_params);
    json_decref(plotter_opts);
    cli_free(&parser);
    free(where);
    free(tags);
    free(tag_buf);
    free(root);
    free(stem);
    free(where_ctx);
    return rc;
}
