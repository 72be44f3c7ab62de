/* slurm_trials.c: a trial run is one Slurm batch job: a one-line script
 * (`exec` of the entry point with the trial's arguments, every value
 * single-quoted) whose stdout / stderr Slurm appends to <trial_dir>/std.out
 * and std.err. Its lines are read from std.out as it grows; its end comes
 * from squeue. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "slurm_internal.h"

void slurm_run_free(struct slurm_run *run)
{
    if (!run)
        return;
    free(run->trial_dir);
    free(run->line);
    free(run);
}

static int mkdirs(const char *path)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s", path) >= (int)sizeof tmp)
        return ENAMETOOLONG;
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
            return errno;
        *p = '/';
    }
    if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
        return errno;
    return 0;
}

static int write_file(const char *path, const char *text, mode_t mode)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0)
        return errno;
    size_t len = strlen(text), off = 0;
    while (off < len) {
        ssize_t n = write(fd, text + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            close(fd);
            unlink(tmp);
            return e;
        }
        off += (size_t)n;
    }
    if (close(fd) != 0 || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return e;
    }
    return 0;
}

/* "#!/bin/sh\nexec 'a' 'b' ...\n" for the trial's argv. [owned: free] */
static char *script_text(const struct slurm_backend *b,
                         const struct hpolab_trial_job *job)
{
    uint32_t n = hpolab_host->config_count(job->config);
    size_t cap = 64, len = 0;
    char *s = malloc(cap);
    if (!s)
        return NULL;
    len = (size_t)snprintf(s, cap, "#!/bin/sh\nexec");
    for (uint32_t i = 0; i < b->entry_argc + 2 * n + 2; i++) {
        char flag[300];
        const char *tok;
        if (i < b->entry_argc) {
            tok = b->entry_argv[i];
        } else if (i < b->entry_argc + 2 * n) {
            uint32_t k = (i - b->entry_argc) / 2;
            if ((i - b->entry_argc) % 2 == 0) {
                snprintf(flag, sizeof flag, "--%s",
                         hpolab_host->config_name(job->config, k));
                tok = flag;
            } else {
                tok = hpolab_host->config_text(job->config, k);
            }
        } else {
            tok = i == b->entry_argc + 2 * n ? "--st_checkpoint_dir"
                                             : job->checkpoint_dir;
        }
        char *q = tok ? hpolab_sh_quote(tok) : NULL;
        if (!q) {
            free(s);
            return NULL;
        }
        size_t need = len + strlen(q) + 3;
        if (need > cap) {
            cap = 2 * need;
            char *p = realloc(s, cap);
            if (!p) {
                free(q);
                free(s);
                return NULL;
            }
            s = p;
        }
        len += (size_t)snprintf(s + len, cap - len, " %s", q);
        free(q);
    }
    if (len + 2 > cap) {
        char *p = realloc(s, len + 2);
        if (!p) {
            free(s);
            return NULL;
        }
        s = p;
    }
    strcpy(s + len, "\n");
    return s;
}

#define MAX_ARGS 64

int32_t slurm_submit(struct slurm_backend *b, struct hpolab_ctx *ctx,
                     const struct hpolab_trial_job *job, struct slurm_run *run)
{
    long long id = (long long)job->trial_id;
    int e = mkdirs(job->trial_dir);
    if (e)
        return hpolab_set_error(ctx, HPOLAB_ERR_IO,
                                "trial %lld: cannot create %s: %s", id,
                                job->trial_dir, strerror(e));
    char path[4200], out[4200], err[4200], name[300], opt[7][300];
    char *cfg = hpolab_host->config_to_json(job->config);
    snprintf(path, sizeof path, "%s/config.json", job->trial_dir);
    e = cfg ? write_file(path, cfg, 0666) : ENOMEM;
    hpolab_host->free(cfg);
    char *text = e ? NULL : script_text(b, job);
    snprintf(path, sizeof path, "%s/job.sh", job->trial_dir);
    if (!e)
        e = text ? write_file(path, text, 0755) : ENOMEM;
    free(text);
    if (e)
        return hpolab_set_error(ctx, HPOLAB_ERR_IO,
                                "trial %lld: cannot write its job script in "
                                "%s: %s",
                                id, job->trial_dir, strerror(e));
    snprintf(out, sizeof out, "%s/std.out", job->trial_dir);
    snprintf(err, sizeof err, "%s/std.err", job->trial_dir);
    /* a resumed trial's earlier output was emitted already */
    struct stat sb;
    run->out_off = stat(out, &sb) == 0 ? sb.st_size : 0;
    const char *base = strrchr(b->experiment_dir, '/');
    snprintf(name, sizeof name, "--job-name=%s-%lld",
             base ? base + 1 : b->experiment_dir, id);
    const char *argv[MAX_ARGS];
    size_t n = 0, k = 0;
    argv[n++] = "sbatch";
    argv[n++] = "--parsable";
    argv[n++] = "--open-mode=append";
    argv[n++] = name;
    snprintf(opt[k], sizeof opt[k], "--chdir=%s",
             b->working_dir ? b->working_dir : b->experiment_dir);
    argv[n++] = opt[k++];
    snprintf(opt[k], sizeof opt[k], "--output=%s", out);
    argv[n++] = opt[k++];
    snprintf(opt[k], sizeof opt[k], "--error=%s", err);
    argv[n++] = opt[k++];
    snprintf(opt[k], sizeof opt[k], "--cpus-per-task=%lld",
             (long long)b->cpus_per_task);
    argv[n++] = opt[k++];
    if (b->time_limit > 0) {
        snprintf(opt[k], sizeof opt[k], "--time=%lld",
                 (long long)((b->time_limit + 59) / 60));
        argv[n++] = opt[k++];
    }
    if (b->gpus > 0) {
        snprintf(opt[k], sizeof opt[k], "--gres=gpu:%lld", (long long)b->gpus);
        argv[n++] = opt[k++];
    }
    if (b->partition && *b->partition) {
        snprintf(opt[k], sizeof opt[k], "--partition=%s", b->partition);
        argv[n++] = opt[k++];
    }
    char acct[300];
    if (b->account && *b->account) {
        snprintf(acct, sizeof acct, "--account=%s", b->account);
        argv[n++] = acct;
    }
    char *extra = strdup(b->sbatch_args ? b->sbatch_args : "");
    char *save = NULL;
    for (char *t = extra ? strtok_r(extra, " \t\n", &save) : NULL;
         t && n < MAX_ARGS - 2; t = strtok_r(NULL, " \t\n", &save))
        argv[n++] = t;
    argv[n++] = path;
    argv[n] = NULL;
    struct hpolab_capture r;
    const char *what = "";
    e = extra ? hpolab_capture_run(argv, b->command_timeout, &r, &what)
              : ENOMEM;
    int32_t st = HPOLAB_OK;
    if (e)
        st = hpolab_set_error(ctx, HPOLAB_ERR_PROCESS,
                              "trial %lld: sbatch %s", id, what);
    else if (r.exit_code != 0)
        st = hpolab_set_error(ctx, HPOLAB_ERR_PROCESS,
                              "trial %lld: sbatch refused the job (exit %d): "
                              "%s",
                              id, r.exit_code, r.err);
    else {
        size_t d = 0;
        while (r.out[d] >= '0' && r.out[d] <= '9' && d + 1 < sizeof run->job_id)
            d++;
        if (d == 0)
            st = hpolab_set_error(ctx, HPOLAB_ERR_PROCESS,
                                  "trial %lld: sbatch printed no job id: "
                                  "'%.100s'",
                                  id, r.out);
        memcpy(run->job_id, r.out, d);
        run->job_id[d] = '\0';
    }
    if (!e)
        hpolab_capture_free(&r);
    free(extra);
    return st;
}

static void emit_line(struct slurm_backend *b, struct hpolab_ctx *ctx,
                      struct slurm_run *run, const char *line, size_t len)
{
    (void)b;
    if (!run->stopped)
        hpolab_host->emit_line(ctx, run->trial_id, line, len);
}

void slurm_read_output(struct slurm_backend *b, struct hpolab_ctx *ctx,
                       struct slurm_run *run, int final)
{
    char path[4200], buf[65536];
    snprintf(path, sizeof path, "%s/std.out", run->trial_dir);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        for (;;) {
            ssize_t n = pread(fd, buf, sizeof buf, run->out_off);
            if (n <= 0)
                break;
            run->out_off += n;
            size_t start = 0;
            for (size_t i = 0; i < (size_t)n; i++) {
                if (buf[i] != '\n')
                    continue;
                if (run->line_len) {
                    size_t need = run->line_len + (i - start);
                    char *p = realloc(run->line, need + 1);
                    if (p) {
                        memcpy(p + run->line_len, buf + start, i - start);
                        run->line = p;
                        emit_line(b, ctx, run, p, need);
                    }
                    run->line_len = 0;
                } else {
                    emit_line(b, ctx, run, buf + start, i - start);
                }
                start = i + 1;
            }
            size_t rest = (size_t)n - start;
            if (rest) {
                size_t need = run->line_len + rest;
                if (need + 1 > run->line_cap) {
                    char *p = realloc(run->line, need + 1);
                    if (!p)
                        break;
                    run->line = p;
                    run->line_cap = need + 1;
                }
                memcpy(run->line + run->line_len, buf + start, rest);
                run->line_len = need;
            }
        }
        close(fd);
    }
    if (final && run->line_len) {
        emit_line(b, ctx, run, run->line, run->line_len);
        run->line_len = 0;
    }
}

/* The last line of <trial_dir>/std.err, for a failure message. */
static void err_tail(const struct slurm_run *run, char *out, size_t size)
{
    char path[4200], buf[2048];
    out[0] = '\0';
    snprintf(path, sizeof path, "%s/std.err", run->trial_dir);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    off_t end = lseek(fd, 0, SEEK_END);
    off_t from = end > (off_t)sizeof buf - 1 ? end - (off_t)sizeof buf + 1 : 0;
    ssize_t n = pread(fd, buf, sizeof buf - 1, from);
    close(fd);
    if (n <= 0)
        return;
    buf[n] = '\0';
    while (n > 0 && strchr("\r\n ", buf[n - 1]))
        buf[--n] = '\0';
    const char *nl = strrchr(buf, '\n');
    snprintf(out, size, "%s", nl ? nl + 1 : buf);
}

static int is_final(const char *state)
{
    static const char *const live[] = {"PENDING", "CONFIGURING", "RUNNING",
                                       "COMPLETING", "SUSPENDED", "REQUEUED",
                                       "RESIZING", "SIGNALING", "STAGE_OUT",
                                       NULL};
    for (size_t i = 0; live[i]; i++)
        if (strncmp(state, live[i], strlen(live[i])) == 0)
            return 0;
    return 1;
}

static void finish(struct slurm_backend *b, struct hpolab_ctx *ctx,
                   struct slurm_run *run, const char *state, int code,
                   int *emitted)
{
    run->ended = 1;
    if (run->stopped)
        return;
    slurm_read_output(b, ctx, run, 1);
    if (strcmp(state, "COMPLETED") == 0) {
        hpolab_host->emit_exit(ctx, run->trial_id, HPOLAB_TRIAL_COMPLETED,
                               NULL);
    } else {
        char tail[600], msg[900];
        err_tail(run, tail, sizeof tail);
        snprintf(msg, sizeof msg, "Slurm job %s: %s (exit code %d)%s%s",
                 run->job_id, state, code, tail[0] ? ": " : "", tail);
        hpolab_host->emit_exit(ctx, run->trial_id, HPOLAB_TRIAL_FAILED, msg);
    }
    *emitted = 1;
}

int32_t slurm_poll_states(struct slurm_backend *b, struct hpolab_ctx *ctx,
                          int *emitted)
{
    size_t len = 1, live = 0;
    for (size_t i = 0; i < b->n_runs; i++)
        if (!b->runs[i]->ended) {
            len += strlen(b->runs[i]->job_id) + 1;
            live++;
        }
    if (live == 0)
        return HPOLAB_OK;
    char *ids = malloc(len);
    if (!ids)
        return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
    ids[0] = '\0';
    for (size_t i = 0; i < b->n_runs; i++)
        if (!b->runs[i]->ended) {
            if (ids[0])
                strcat(ids, ",");
            strcat(ids, b->runs[i]->job_id);
        }
    const char *argv[] = {"squeue", "-h", "-t", "all", "-j", ids, "-O",
                          "JobID:|,State:|,exit_code:", NULL};
    struct hpolab_capture r;
    const char *what = "";
    int e = hpolab_capture_run(argv, b->command_timeout, &r, &what);
    free(ids);
    if (e) {
        hpolab_log(ctx, HPOLAB_LOG_WARN, "squeue %s", what);
        return HPOLAB_OK; /* try again at the next poll */
    }
    int purged = r.exit_code != 0 && strstr(r.err, "Invalid job id");
    if (r.exit_code != 0 && !purged) {
        hpolab_log(ctx, HPOLAB_LOG_WARN, "squeue failed (exit %d): %s",
                   r.exit_code, r.err);
        hpolab_capture_free(&r);
        return HPOLAB_OK;
    }
    for (size_t i = 0; i < b->n_runs; i++) {
        struct slurm_run *run = b->runs[i];
        if (run->ended)
            continue;
        char state[64] = "";
        long code = -1;
        size_t idlen = strlen(run->job_id);
        for (char *line = r.out; line && *line;) {
            char *nl = strchr(line, '\n');
            char *bar = strchr(line, '|');
            size_t n = bar ? (size_t)(bar - line) : 0;
            while (n && line[n - 1] == ' ')
                n--;
            if (bar && n == idlen && strncmp(line, run->job_id, idlen) == 0) {
                char *s = bar + 1;
                char *bar2 = strchr(s, '|');
                size_t m = bar2 ? (size_t)(bar2 - s) : strcspn(s, "\n");
                while (m && s[m - 1] == ' ')
                    m--;
                snprintf(state, sizeof state, "%.*s", (int)m, s);
                if (bar2)
                    code = (strtol(bar2 + 1, NULL, 10) >> 8) & 0xff;
            }
            line = nl ? nl + 1 : NULL;
        }
        if (!state[0])
            finish(b, ctx, run, "no longer known to Slurm", -1, emitted);
        else if (is_final(state))
            finish(b, ctx, run, state, (int)code, emitted);
    }
    hpolab_capture_free(&r);
    return HPOLAB_OK;
}

void slurm_cancel(struct slurm_backend *b, struct hpolab_ctx *ctx,
                  struct slurm_run *run)
{
    const char **argv = calloc(b->n_runs + 2, sizeof *argv);
    size_t n = 0;
    if (!argv)
        return;
    argv[n++] = "scancel";
    for (size_t i = 0; i < b->n_runs; i++) {
        struct slurm_run *r = b->runs[i];
        if ((run && r != run) || r->ended || !r->job_id[0])
            continue;
        argv[n++] = r->job_id;
    }
    argv[n] = NULL;
    if (n == 1) {
        free(argv);
        return;
    }
    struct hpolab_capture res;
    const char *what = "";
    int e = hpolab_capture_run(argv, b->command_timeout, &res, &what);
    if (e)
        hpolab_log(ctx, HPOLAB_LOG_WARN, "scancel %s", what);
    else if (res.exit_code != 0)
        hpolab_log(ctx, HPOLAB_LOG_WARN, "scancel failed (exit %d): %s",
                   res.exit_code, res.err);
    if (!e)
        hpolab_capture_free(&res);
    free(argv);
}
