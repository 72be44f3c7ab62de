/* cmd_launch_show.c: finding a launched study and showing its jobs (shared
 * by launch --wait, status and cancel). */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd_launch.h"
#include "fsutil.h"
#include "launch_record.h"

char *launch_root(const char *results_dir, const char *tag)
{
    const char *rd = results_dir ? results_dir : getenv("HPOLAB_RESULTS");
    char *base = hpolab_expand_user(rd && rd[0] ? rd : "~/hpolab");
    char *root = base ? hpolab_path_join(base, tag) : NULL;
    free(base);
    return root;
}

int launch_open(const char *command, const char *results_dir, const char *tag,
                struct hpolab_launch_plan *plan)
{
    struct hpolab_error err;
    char *root = launch_root(results_dir, tag);
    if (!root) {
        fprintf(stderr, "%s: out of memory\n", command);
        return 1;
    }
    int32_t st = hpolab_launch_record_read(root, plan, &err);
    if (st == HPOLAB_ERR_NOT_FOUND)
        fprintf(stderr, "%s: no launched study '%s' in %s (no %s there; "
                        "give --results_dir if it is elsewhere)\n",
                command, tag, root, HPOLAB_LAUNCH_RECORD_NAME);
    else if (st != HPOLAB_OK)
        fprintf(stderr, "%s: %s\n", command, err.message);
    free(root);
    return st == HPOLAB_OK ? 0 : 2;
}

static void fmt_elapsed(char *buf, size_t size, double s)
{
    if (s < 0)
        snprintf(buf, size, "-");
    else if (s < 120)
        snprintf(buf, size, "%.1fs", s);
    else if (s < 7200)
        snprintf(buf, size, "%dm%02ds", (int)s / 60, (int)s % 60);
    else
        snprintf(buf, size, "%dh%02dm", (int)s / 3600, (int)s / 60 % 60);
}

void launch_print_totals(FILE *out, const struct hpolab_launch_totals *t)
{
    fprintf(out, "%zu job%s: %zu done, %zu running, %zu pending, %zu failed, "
                 "%zu cancelled",
            t->total, t->total == 1 ? "" : "s", t->count[HPOLAB_SLICE_DONE],
            t->count[HPOLAB_SLICE_RUNNING], t->count[HPOLAB_SLICE_PENDING],
            t->count[HPOLAB_SLICE_FAILED], t->count[HPOLAB_SLICE_CANCELLED]);
    if (t->count[HPOLAB_SLICE_UNKNOWN])
        fprintf(out, ", %zu unknown", t->count[HPOLAB_SLICE_UNKNOWN]);
    fprintf(out, "\n");
}

void launch_print_table(FILE *out, const struct hpolab_launch_plan *plan,
                        const struct hpolab_launch_row *rows,
                        const struct hpolab_launch_totals *totals)
{
    char when[64] = "?";
    time_t t = (time_t)plan->created;
    struct tm tm;
    if (gmtime_r(&t, &tm))
        strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
    fprintf(out, "study %s: benchmark %s, %s engine, launched %s, master "
                 "random_seed %u\nresults: %s\n\n",
            plan->tag, plan->benchmark, plan->engine, when, plan->master_seed,
            plan->root);
    char best_head[128];
    snprintf(best_head, sizeof best_head, "best %s (%s)", plan->metric,
             plan->mode == HPOLAB_MODE_MAX ? "max" : "min");
    fprintf(out, "%-24s %-10s %9s %8s  %-22s %s\n", "experiment", "state",
            "elapsed", "results", best_head, "job");
    for (size_t i = 0; i < plan->n_slices; i++) {
        const struct hpolab_launch_row *r = &rows[i];
        const struct hpolab_launch_slice *s = &plan->slices[i];
        char el[32], res[32], best[64];
        fmt_elapsed(el, sizeof el, r->elapsed);
        if (r->results >= 0)
            snprintf(res, sizeof res, "%lld", (long long)r->results);
        else
            snprintf(res, sizeof res, "-");
        if (r->has_best)
            snprintf(best, sizeof best, "%.6g", r->best);
        else
            snprintf(best, sizeof best, "-");
        fprintf(out, "%-24s %-10s %9s %8s  %-22s %s%s\n", s->subdir,
                hpolab_slice_state_name(r->job.state), el, res, best,
                r->job.job_id[0] ? r->job.job_id : "-",
                s->skipped ? " (kept from an earlier launch)" : "");
        if (r->job.message[0] && r->job.state != HPOLAB_SLICE_DONE &&
            r->job.state != HPOLAB_SLICE_RUNNING)
            fprintf(out, "    %s\n", r->job.message);
    }
    fprintf(out, "\n");
    launch_print_totals(out, totals);
}

void launch_print_change(FILE *out, const struct hpolab_launch_plan *plan,
                         size_t slice, const struct hpolab_job_state *js,
                         const struct hpolab_launch_totals *totals)
{
    const struct hpolab_launch_slice *s = &plan->slices[slice];
    char el[32] = "";
    if (js->start > 0 && js->end > 0) {
        char e[24];
        fmt_elapsed(e, sizeof e, js->end - js->start);
        snprintf(el, sizeof el, " after %s", e);
    }
    char prefix[64] = "";
    if (totals)
        snprintf(prefix, sizeof prefix, "[%zu/%zu ended] ",
                 totals->count[HPOLAB_SLICE_DONE] +
                     totals->count[HPOLAB_SLICE_FAILED] +
                     totals->count[HPOLAB_SLICE_CANCELLED],
                 totals->total);
    char best[96] = "";
    double b;
    int64_t rows;
    if (js->state == HPOLAB_SLICE_DONE &&
        hpolab_launch_best_so_far(s->dir, plan->metric, plan->mode, &b, &rows))
        snprintf(best, sizeof best, "; best %s %.6g", plan->metric, b);
    fprintf(out, "%s%s (%s): %s%s%s%s%s\n", prefix, s->subdir, s->job_name,
            hpolab_slice_state_name(js->state), el, best,
            js->message[0] && js->state != HPOLAB_SLICE_DONE ? ": " : "",
            js->state != HPOLAB_SLICE_DONE ? js->message : "");
    fflush(out);
}

int launch_follow(const struct hpolab_launch_plan *plan, double poll_s,
                  volatile int *stop)
{
    int32_t *last = malloc((plan->n_slices + 1) * sizeof *last);
    if (!last)
        return 1;
    for (size_t i = 0; i < plan->n_slices; i++)
        last[i] = -1;
    int rc = 1;
    char last_warning[512] = "";
    for (;;) {
        struct hpolab_launch_row *rows = NULL;
        struct hpolab_launch_totals t;
        char warning[512];
        struct hpolab_error err;
        if (hpolab_launch_collect(plan, 1, 0, &rows, &t, warning,
                                  sizeof warning, &err) != HPOLAB_OK) {
            fprintf(stderr, "hpolab: %s\n", err.message);
            break;
        }
        if (warning[0] && strcmp(warning, last_warning) != 0)
            fprintf(stderr, "hpolab: %s\n", warning);
        snprintf(last_warning, sizeof last_warning, "%s", warning);
        for (size_t i = 0; i < plan->n_slices; i++)
            if (rows[i].job.state != last[i]) {
                if (last[i] != -1 || rows[i].job.state != HPOLAB_SLICE_PENDING)
                    launch_print_change(stdout, plan, i, &rows[i].job, &t);
                last[i] = rows[i].job.state;
            }
        free(rows);
        if (t.all_final) {
            printf("all jobs ended: ");
            launch_print_totals(stdout, &t);
            rc = t.count[HPOLAB_SLICE_DONE] == t.total ? 0 : 1;
            break;
        }
        if (stop && *stop) {
            rc = 130;
            break;
        }
        struct timespec ts = {(time_t)poll_s,
                              (long)((poll_s - (double)(time_t)poll_s) * 1e9)};
        nanosleep(&ts, NULL);
    }
    free(last);
    return rc;
}
