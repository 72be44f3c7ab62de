/* local_leftover.c: trial processes that outlive their tuner. Each run's
 * leader writes <trial dir>/pid ("pid starttime", starttime being field 22
 * of /proc/<pid>/stat) when it starts; the file goes when the run ends. A
 * tuner killed with SIGKILL leaves the files of its running trials behind;
 * the backend of the next tuner on that folder (hpolab run --resume) stops
 * those groups when it is created: their stdout pipe is gone, so they
 * cannot be adopted. The start time tells a reused pid apart. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "local_internal.h"

#define LEFTOVER_POLL_S 0.02
#define LEFTOVER_AFTER_KILL_S 5.0

/* pgrp, state and starttime of a process from /proc; 0 if it is gone. */
static int proc_stat(pid_t pid, pid_t *pgrp, char *state,
                     unsigned long long *start)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *fp = fopen(path, "re");
    if (!fp)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    const char *p = strrchr(buf, ')');
    if (!p)
        return 0;
    /* after ")": field 3 state, 5 pgrp, 22 starttime */
    int pg = 0;
    unsigned long long st = 0;
    char s = 0;
    if (sscanf(p + 1,
               " %c %*d %d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d "
               "%*d %*d %*d %*d %llu",
               &s, &pg, &st) != 3)
        return 0;
    *pgrp = pg;
    *state = s;
    *start = st;
    return 1;
}

int32_t local_pid_write(struct hpolab_ctx *ctx, const struct local_run *run)
{
    pid_t pg;
    char state;
    unsigned long long start;
    if (!proc_stat(run->pid, &pg, &state, &start))
        return HPOLAB_OK; /* gone already (or no /proc): nothing to find */
    char text[64];
    int n = snprintf(text, sizeof text, "%d %llu\n", (int)run->pid, start);
    char *path = local_path_join(run->trial_dir, "pid");
    if (!path)
        return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM,
                                "trial %lld: out of memory",
                                (long long)run->trial_id);
    int32_t st = local_write_file(ctx, run->trial_id, path, text, (size_t)n);
    free(path);
    return st;
}

/* A leftover group: its id (the leader's pid) and the leader's start. */
struct leftover {
    pid_t pgid;
    unsigned long long start;
    char *dir; /* owned */
};

/* Whether a live (not zombie) member of the group remains. Members started
 * at or after the leader; the leader itself must still be the one of the
 * pid file. */
static int group_alive(const struct leftover *l)
{
    pid_t pg;
    char state;
    unsigned long long start;
    if (proc_stat(l->pgid, &pg, &state, &start) && start != l->start)
        return 0; /* the pid was reused: the group ended long ago */
    DIR *d = opendir("/proc");
    if (!d)
        return kill(-l->pgid, 0) == 0;
    int alive = 0;
    struct dirent *e;
    while (!alive && (e = readdir(d))) {
        if (!isdigit((unsigned char)e->d_name[0]))
            continue;
        pid_t pid = (pid_t)atoi(e->d_name);
        if (proc_stat(pid, &pg, &state, &start) && pg == l->pgid &&
            state != 'Z' && start >= l->start)
            alive = 1;
    }
    closedir(d);
    return alive;
}

static void nap(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    nanosleep(&ts, NULL);
}

/* Reads <dir>/pid; 1 and *l filled (dir not set) when it names a group. */
static int read_pid_file(const char *dir, struct leftover *l)
{
    char *path = local_path_join(dir, "pid");
    FILE *fp = path ? fopen(path, "re") : NULL;
    free(path);
    if (!fp)
        return 0;
    int pid = 0;
    unsigned long long start = 0;
    int ok = fscanf(fp, "%d %llu", &pid, &start) == 2 && pid > 1;
    fclose(fp);
    l->pgid = (pid_t)pid;
    l->start = start;
    return ok;
}

void local_stop_leftovers(struct local_backend *b, struct hpolab_ctx *ctx)
{
    DIR *d = opendir(b->experiment_dir);
    if (!d)
        return;
    struct leftover *list = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!isdigit((unsigned char)e->d_name[0]))
            continue;
        char *dir = local_path_join(b->experiment_dir, e->d_name);
        struct leftover l = {0};
        if (!dir || !read_pid_file(dir, &l) || !group_alive(&l)) {
            if (dir)
                local_unlink(ctx, dir, "pid");
            free(dir);
            continue;
        }
        if (n == cap) {
            size_t c = cap ? cap * 2 : 8;
            struct leftover *a = realloc(list, c * sizeof *a);
            if (!a) {
                free(dir);
                break;
            }
            list = a;
            cap = c;
        }
        l.dir = dir;
        list[n++] = l;
        hpolab_log(ctx, HPOLAB_LOG_WARN,
                   "trial %s: its process group %d is left from a previous "
                   "tuner and cannot be adopted (its output pipe is gone): "
                   "stopping it",
                   e->d_name, (int)l.pgid);
        kill(-l.pgid, SIGTERM);
    }
    closedir(d);
    double t0 = local_monotonic();
    int killed = 0;
    for (;;) {
        size_t alive = 0;
        for (size_t i = 0; i < n; i++)
            alive += list[i].pgid > 0 && group_alive(&list[i]);
        if (alive == 0)
            break;
        double waited = local_monotonic() - t0;
        if (!killed && waited >= b->grace) {
            for (size_t i = 0; i < n; i++)
                kill(-list[i].pgid, SIGKILL);
            killed = 1;
        }
        if (killed && waited >= b->grace + LEFTOVER_AFTER_KILL_S) {
            hpolab_log(ctx, HPOLAB_LOG_ERROR,
                       "%zu leftover trial process group(s) did not end "
                       "after SIGKILL",
                       alive);
            break;
        }
        nap(LEFTOVER_POLL_S);
    }
    for (size_t i = 0; i < n; i++) {
        local_unlink(ctx, list[i].dir, "pid");
        free(list[i].dir);
    }
    free(list);
}
