/* cmd_launch_job.c: `hpolab job ROOT --slice I`: one job of a launched
 * study, as both engines start it. It records its own state
 * (<slice dir>/job.json: running, then done / failed / cancelled with the
 * exit code), so status never depends on what a scheduler still remembers,
 * and runs the slice's `hpolab run` in this process. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cli_options.h"
#include "clock.h"
#include "fsutil.h"
#include "launch_record.h"
#include "launch_state.h"

static const struct cli_option job_options[] = {
    {"slice", CLI_INT, "I", "index of the slice in ROOT/launch.json"},
    {"log_to_slice_dir", CLI_BOOL, "BOOL",
     "append stdout and stderr to <slice dir>/std.out and std.err (Slurm "
     "jobs; the local engine does this itself)"},
    {"st_checkpoint_dir", CLI_STRING, "DIR",
     "given by the local backend to every job it starts; not used"},
    {NULL, 0, NULL, NULL},
};

/* The last non-empty line of a file (at most size-1 bytes of it). */
static void last_line(const char *path, char *out, size_t size)
{
    out[0] = '\0';
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    char buf[4096];
    off_t end = lseek(fd, 0, SEEK_END);
    off_t from = end > (off_t)sizeof buf - 1 ? end - (off_t)sizeof buf + 1 : 0;
    ssize_t n = pread(fd, buf, sizeof buf - 1, from);
    close(fd);
    if (n <= 0)
        return;
    buf[n] = '\0';
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' ||
                     buf[n - 1] == ' '))
        buf[--n] = '\0';
    char *nl = strrchr(buf, '\n');
    snprintf(out, size, "%s", nl ? nl + 1 : buf);
}

static void job_id_from_env(char *out, size_t size)
{
    const char *arr = getenv("SLURM_ARRAY_JOB_ID");
    const char *task = getenv("SLURM_ARRAY_TASK_ID");
    const char *id = getenv("SLURM_JOB_ID");
    if (arr && task)
        snprintf(out, size, "%s_%s", arr, task);
    else if (id)
        snprintf(out, size, "%s", id);
    else
        out[0] = '\0';
}

int hpolab_cmd_job(int argc, char **argv)
{
    struct cli_parser p = {.options = job_options, .command = "hpolab job"};
    int rc = cli_parse(&p, argc, argv);
    struct hpolab_launch_plan plan;
    hpolab_launch_plan_init(&plan);
    struct hpolab_error err;
    int64_t index = -1, log_to_dir = 0;
    if (rc != 0)
        goto out;
    if (p.help || !p.positional) {
        fprintf(p.help ? stdout : stderr,
                "usage: hpolab job ROOT --slice I\n\n(internal) One job of "
                "a study started by `hpolab launch`: runs the slice's "
                "`hpolab run`\nand records its state in <slice "
                "dir>/job.json.\n\noptions:\n");
        cli_options_print(p.help ? stdout : stderr, job_options);
        rc = p.help ? 0 : 2;
        goto out;
    }
    cli_get_int(&p, "slice", &index);
    cli_get_bool(&p, "log_to_slice_dir", &log_to_dir);
    if (hpolab_launch_record_read(p.positional, &plan, &err) != HPOLAB_OK) {
        fprintf(stderr, "hpolab job: %s\n", err.message);
        rc = 2;
        goto out;
    }
    if (index < 0 || (size_t)index >= plan.n_slices) {
        fprintf(stderr, "hpolab job: --slice: expected 0 to %zu for %s/%s, "
                        "got %lld\n",
                plan.n_slices ? plan.n_slices - 1 : 0, p.positional,
                HPOLAB_LAUNCH_RECORD_NAME, (long long)index);
        rc = 2;
        goto out;
    }
    const struct hpolab_launch_slice *s = &plan.slices[index];
    char state_path[4200], err_path[4200];
    snprintf(state_path, sizeof state_path, "%s/%s", s->dir,
             HPOLAB_JOB_STATE_NAME);
    snprintf(err_path, sizeof err_path, "%s/std.err", s->dir);
    if (hpolab_mkdir_p(s->dir, &err) != HPOLAB_OK) {
        fprintf(stderr, "hpolab job: slice %s: %s\n", s->subdir, err.message);
        rc = 1;
        goto out;
    }
    if (log_to_dir) {
        char out_path[4200];
        snprintf(out_path, sizeof out_path, "%s/std.out", s->dir);
        int o = open(out_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
        int e = open(err_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
        if (o < 0 || e < 0) {
            fprintf(stderr, "hpolab job: slice %s: cannot write its output "
                            "to %s\n",
                    s->subdir, s->dir);
            rc = 1;
            goto out;
        }
        fflush(stdout);
        fflush(stderr);
        dup2(o, 1);
        dup2(e, 2);
        close(o);
        close(e);
    }
    struct hpolab_job_state js;
    /* cancelled before it started: do not run */
    if (hpolab_job_state_read(state_path, &js, &err) == HPOLAB_OK &&
        js.state == HPOLAB_SLICE_CANCELLED) {
        fprintf(stderr, "hpolab job: slice %s was cancelled before it "
                        "started\n",
                s->subdir);
        rc = 130;
        goto out;
    }
    hpolab_job_state_init(&js);
    hpolab_job_state_set_self(&js);
    job_id_from_env(js.job_id, sizeof js.job_id);
    js.state = HPOLAB_SLICE_RUNNING;
    js.start = hpolab_wall_time();
    if (hpolab_job_state_write(state_path, &js, &err) != HPOLAB_OK) {
        fprintf(stderr, "hpolab job: slice %s: %s\n", s->subdir, err.message);
        rc = 1;
        goto out;
    }
    rc = hpolab_cmd_run((int)s->argc, s->argv);
    fflush(stdout);
    fflush(stderr);
    /* someone who knows better (time limit, cancel) may have settled it */
    struct hpolab_job_state now;
    if (hpolab_job_state_read(state_path, &now, &err) == HPOLAB_OK &&
        hpolab_slice_state_is_final(now.state))
        goto out;
    js.end = hpolab_wall_time();
    js.exit_code = rc;
    /* hpolab run exits 128 + the signal that interrupted it (130 Ctrl-C,
     * 143 SIGTERM from cancel or scancel, 129 SIGHUP) */
    int interrupted = rc > 128 && rc < 128 + 65;
    js.state = rc == 0        ? HPOLAB_SLICE_DONE
               : interrupted ? HPOLAB_SLICE_CANCELLED
                             : HPOLAB_SLICE_FAILED;
    if (interrupted)
        snprintf(js.message, sizeof js.message,
                 "cancelled (hpolab run stopped by signal %d)", rc - 128);
    else if (rc != 0) {
        char line[900];
        last_line(err_path, line, sizeof line);
        snprintf(js.message, sizeof js.message, "hpolab run exited with %d%s%s",
                 rc, line[0] ? ": " : "", line);
    }
    if (hpolab_job_state_write(state_path, &js, &err) != HPOLAB_OK)
        fprintf(stderr, "hpolab job: slice %s: %s\n", s->subdir, err.message);
out:
    hpolab_launch_plan_free(&plan);
    cli_free(&p);
    return rc;
}
