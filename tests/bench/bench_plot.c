/* bench_plot.c: the performance goal of issue 5. Writes 40 experiments
 * (4 setups x 10 seeds) of 20 000 result rows each as results.csv.zip into
 * a temp folder (not timed), then times what `hpolab plot` does: collect
 * (find, read, filter), aggregate with iqm_bootstrap and 1 000 bootstrap
 * samples, and write the gnuplot script and data (no rendering). Goal:
 * under 1 s. Prints one line per phase and the total.
 *
 *   build/tests/bench/bench_plot [rows] [experiments]   (from the build dir) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "buffer.h"
#include "collect_find.h"
#include "fsutil.h"
#include "log.h"
#include "plot_compare.h"
#include "plot_params.h"
#include "plot_render.h"
#include "plugin_loader.h"
#include "registry.h"
#include "results_zip.h"

static double load(void)
{
    double l[1] = {0};
    return getloadavg(l, 1) == 1 ? l[0] : -1;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* CPU seconds of all threads of this process (the machine may be shared:
 * wall time then overstates what plotting costs). */
static double cpu(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 +
           (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec * 1e-6;
}

static void put(struct hpolab_buffer *b, const char *text)
{
    hpolab_buffer_append(b, text, strlen(text));
}

static int write_experiment(const char *root, int setup, int seed, int rows,
                            struct hpolab_error *err)
{
    static const char *const algs[] = {"RS", "ASHA", "BO", "MOBSTER"};
    char name[256], line[512];
    snprintf(name, sizeof name, "bench-toy-%d-2026-01-01-10-%02d-%02d-000",
             seed, setup, seed);
    char *dir = hpolab_path_join(root, name);
    if (hpolab_mkdir_p(dir, err) != HPOLAB_OK)
        return 0;
    json_t *md = json_pack("{s:i, s:s, s:s, s:s, s:f, s:[s], s:s}", "seed",
                           seed, "algorithm", algs[setup], "tag", "bench",
                           "benchmark", "toy", "st_tuner_creation_timestamp",
                           1.0, "metric_names", "val_loss", "metric_mode",
                           "min");
    char *mdtext = json_dumps(md, JSON_PRESERVE_ORDER);
    json_decref(md);
    char *mdpath = hpolab_path_join(dir, "metadata.json");
    int ok = hpolab_write_file_atomic(mdpath, mdtext, strlen(mdtext), err) ==
             HPOLAB_OK;
    free(mdtext);
    free(mdpath);
    struct hpolab_buffer csv;
    hpolab_buffer_init(&csv);
    put(&csv, "epoch,val_loss,st_worker_time,st_decision,st_status,trial_id,"
              "config_lr,config_batch_size,st_tuner_time\n");
    unsigned s = (unsigned)(setup * 1000 + seed + 1);
    double t = 0;
    for (int i = 0; ok && i < rows; i++) {
        s = s * 1103515245u + 12345u;
        double u = (s >> 8) / 16777216.0;
        t += 0.05 + 0.1 * u;
        int trial = i / 20, epoch = i % 20 + 1;
        double loss = 1.0 / (1 + 0.1 * epoch) * (0.5 + u) / (1 + setup * 0.1);
        snprintf(line, sizeof line, "%d,%.17g,%.17g,CONTINUE,InProgress,%d,"
                                    "%.17g,%d,%.17g\n",
                 epoch, loss, t * 0.9, trial, 1e-3 * (1 + u), 32 << (i % 3),
                 t);
        put(&csv, line);
    }
    void *zip = NULL;
    size_t zlen = 0;
    ok = ok &&
         hpolab_zip_single_member("results.csv", (const char *)csv.data,
                                  csv.len, &zip, &zlen, err) == HPOLAB_OK;
    char *zpath = hpolab_path_join(dir, "results.csv.zip");
    ok = ok && hpolab_write_file_atomic(zpath, zip, zlen, err) == HPOLAB_OK;
    free(zpath);
    free(zip);
    hpolab_buffer_free(&csv);
    free(dir);
    return ok;
}

int main(int argc, char **argv)
{
    int rows = argc > 1 ? atoi(argv[1]) : 20000;
    int n = argc > 2 ? atoi(argv[2]) : 40;
    char root[] = "/tmp/hpolab-bench-plot-XXXXXX";
    struct hpolab_error err;
    if (!mkdtemp(root)) {
        perror("mkdtemp");
        return 1;
    }
    for (int i = 0; i < n; i++)
        if (!write_experiment(root, i % 4, i / 4, rows, &err)) {
            fprintf(stderr, "%s\n", err.message);
            return 1;
        }
    struct hpolab_registry *reg = NULL;
    if (hpolab_registry_create(&reg, &err) != HPOLAB_OK ||
        hpolab_loader_load_all(reg, &err) != HPOLAB_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    struct hpolab_plot_params p;
    hpolab_plot_params_init(&p);
    hpolab_plot_params_finish(&p, &err); /* iqm_bootstrap, B = 1000 */
    const char *tags[1] = {"bench"};
    struct hpolab_collect_query q = {.root = root, .tags = tags, .n_tags = 1,
                                     .setup = p.setup};
    struct hpolab_collection c;
    struct hpolab_diag warn = {0};
    double c0 = cpu();
    double t0 = now();
    if (hpolab_collect_find(&q, &c, &warn, &err) != HPOLAB_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    double t1 = now();
    struct hpolab_compare cmp;
    if (hpolab_compare_build(&c, &p, &cmp, &warn, &err) != HPOLAB_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    double t2 = now();
    char stem[4096];
    snprintf(stem, sizeof stem, "%s/bench", root);
    json_t *opts = json_pack("{s:b}", "render", 0);
    if (hpolab_plot_render(reg, "gnuplot", opts, cmp.figure, stem, &err) !=
        HPOLAB_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    double t3 = now();
    double c3 = cpu();
    size_t points = 0;
    for (size_t s = 0; s < cmp.figure->subplots[0].n_series; s++)
        points += cmp.figure->subplots[0].series[s].n;
    printf("bench_plot: %d experiments x %d rows, iqm_bootstrap B=%u\n", n,
           rows, p.bootstrap_samples);
    printf("  find + metadata     %.3f s (%zu experiments)\n", t1 - t0, c.n);
    printf("  read + aggregate    %.3f s (%zu curves, %zu points drawn)\n",
           t2 - t1, cmp.curves, points);
    printf("  write gnuplot files %.3f s\n", t3 - t2);
    printf("  total               %.3f s wall (goal < 1 s), %.3f s CPU on "
           "%ld CPUs, load average now %.1f\n",
           t3 - t0, c3 - c0, sysconf(_SC_NPROCESSORS_ONLN), load());
    json_decref(opts);
    hpolab_compare_free(&cmp);
    hpolab_collection_free(&c);
    hpolab_diag_free(&warn);
    hpolab_plot_params_free(&p);
    hpolab_registry_destroy(reg);
    /* leave no 40 MB behind: remove the files written */
    for (int i = 0; i < n; i++) {
        char name[512];
        snprintf(name, sizeof name,
                 "%s/bench-toy-%d-2026-01-01-10-%02d-%02d-000", root, i / 4,
                 i % 4, i / 4);
        char a[600], b[600];
        snprintf(a, sizeof a, "%s/metadata.json", name);
        snprintf(b, sizeof b, "%s/results.csv.zip", name);
        remove(a);
        remove(b);
        remove(name);
    }
    snprintf(stem, sizeof stem, "%s/bench.gp", root);
    remove(stem);
    snprintf(stem, sizeof stem, "%s/bench.dat", root);
    remove(stem);
    remove(root);
    return t3 - t0 < 1.0 ? 0 : 3;
}
