/* launch_slurm.c: see launch_slurm.h. */
#include "launch_slurm.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buffer.h"
#include "fsutil.h"
#include "launch_proc.h"
#include "launch_state.h"
#include "sh_quote.h"

int64_t hpolab_slurm_minutes(int64_t seconds)
{
    int64_t m = (seconds + 59) / 60;
    return m < 1 ? 1 : m;
}

char *hpolab_slurm_index_ranges(const size_t *idx, size_t n)
{
    size_t cap = n * 24 + 1, len = 0;
    char *s = malloc(cap);
    if (!s)
        return NULL;
    s[0] = '\0';
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && idx[j + 1] == idx[j] + 1)
            j++;
        int k = j > i ? snprintf(s + len, cap - len, "%s%zu-%zu",
                                 len ? "," : "", idx[i], idx[j])
                      : snprintf(s + len, cap - len, "%s%zu", len ? "," : "",
                                 idx[i]);
        len += (size_t)k;
        i = j + 1;
    }
    return s;
}

/* The batch script: the only shell involved is Slurm's own way of starting
 * a batch job; every value in it is single-quoted. */
static int32_t write_script(const struct hpolab_launch_plan *plan,
                            const char *path, struct hpolab_error *err)
{
    char *prog = hpolab_sh_quote(plan->program),
         *root = hpolab_sh_quote(plan->root);
    char *text = NULL;
    int32_t st = HPOLAB_OK;
    if (prog && root) {
#define SCRIPT_FORMAT                                                          \
    "#!/bin/sh\n"                                                             \
    "# hpolab launch %s: each job runs one slice of the study;\n"             \
    "# the slice is the array task id, else the first argument.\n"            \
    "exec %s job %s --slice \"${SLURM_ARRAY_TASK_ID:-$1}\" "                 \
    "--log_to_slice_dir 1\n"
        int n = snprintf(NULL, 0, SCRIPT_FORMAT, plan->tag, prog, root);
        text = malloc((size_t)n + 1);
        if (text)
            snprintf(text, (size_t)n + 1, SCRIPT_FORMAT, plan->tag, prog, root);
#undef SCRIPT_FORMAT
    }
    if (!text)
        st = hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    else
        st = hpolab_write_file_atomic(path, text, strlen(text), err);
    if (st == HPOLAB_OK && chmod(path, 0755) != 0)
        st = hpolab_error_set(err, HPOLAB_ERR_IO, "%s: cannot make it "
                              "executable", path);
    free(prog);
    free(root);
    free(text);
    return st;
}

struct argv_list {
    char **v;
    size_t n, cap;
    int nomem;
};

static void add(struct argv_list *a, const char *f, ...) HPOLAB_PRINTF(2, 3);
static void add(struct argv_list *a, const char *f, ...)
{
    if (a->nomem)
        return;
    if (a->n + 2 > a->cap) {
        size_t cap = a->cap ? 2 * a->cap : 32;
        char **p = realloc(a->v, cap * sizeof *p);
        if (!p) {
            a->nomem = 1;
            return;
        }
        a->v = p;
        a->cap = cap;
    }
    va_list ap, ap2;
    va_start(ap, f);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, f, ap);
    va_end(ap);
    char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (s)
        vsnprintf(s, (size_t)n + 1, f, ap2);
    va_end(ap2);
    if (!s) {
        a->nomem = 1;
        return;
    }
    a->v[a->n++] = s;
    a->v[a->n] = NULL;
}

static void argv_free(struct argv_list *a)
{
    for (size_t i = 0; i < a->n; i++)
        free(a->v[i]);
    free(a->v);
    memset(a, 0, sizeof *a);
}

static void common_args(struct argv_list *a,
                        const struct hpolab_launch_plan *plan,
                        const struct hpolab_slurm_options *o,
                        const char *outdir)
{
    add(a, "sbatch");
    add(a, "--parsable");
    add(a, "--chdir=%s", plan->root);
    add(a, "--time=%" PRId64, hpolab_slurm_minutes(plan->time_limit));
    add(a, "--cpus-per-task=%" PRId64,
        o->cpus_per_task > 0 ? o->cpus_per_task : 1);
    if (o->gpus > 0)
        add(a, "--gres=gpu:%" PRId64, o->gpus);
    if (o->partition)
        add(a, "--partition=%s", o->partition);
    if (o->account)
        add(a, "--account=%s", o->account);
    /* Slurm's own output: only what happens before `hpolab job` takes over
     * (it writes the slice's std.out / std.err itself). */
    add(a, "--output=%s/%%x-%%A_%%a.out", outdir);
    add(a, "--error=%s/%%x-%%A_%%a.out", outdir);
    for (size_t i = 0; i < o->n_extra; i++)
        add(a, "%s", o->extra_args[i]);
}

/* The job id sbatch --parsable printed ("12" or "12;cluster"), or NULL. */
static int parse_job_id(const char *out, char *id, size_t size)
{
    size_t n = 0;
    while (out[n] >= '0' && out[n] <= '9' && n + 1 < size) {
        id[n] = out[n];
        n++;
    }
    id[n] = '\0';
    return n > 0 && (out[n] == '\0' || out[n] == '\n' || out[n] == ';');
}

static void mark_failed(const struct hpolab_launch_plan *plan, size_t i,
                        const char *message, hpolab_slurm_fail_fn fail,
                        void *user)
{
    struct hpolab_job_state js;
    hpolab_job_state_init(&js);
    js.state = HPOLAB_SLICE_FAILED;
    snprintf(js.message, sizeof js.message, "%s", message);
    struct hpolab_error e;
    char *path = hpolab_path_join(plan->slices[i].dir, HPOLAB_JOB_STATE_NAME);
    if (path && hpolab_mkdir_p(plan->slices[i].dir, &e) == HPOLAB_OK)
        hpolab_job_state_write(path, &js, &e);
    free(path);
    if (fail)
        fail(user, i, message);
}

/* One sbatch call; returns the job id in id or a message in msg. */
static int sbatch(struct argv_list *a, double timeout, char *id,
                  size_t id_size, char *msg, size_t msg_size)
{
    struct hpolab_proc_result r;
    struct hpolab_error e;
    int32_t st = hpolab_proc_run((const char *const *)a->v, timeout, &r, &e);
    int ok = 0;
    if (st != HPOLAB_OK)
        snprintf(msg, msg_size, "%s", e.message);
    else if (r.exit_code != 0)
        snprintf(msg, msg_size, "sbatch refused the job (exit %d): %s",
                 r.exit_code, r.err[0] ? r.err : "(no message)");
    else if (!parse_job_id(r.out, id, id_size))
        snprintf(msg, msg_size, "sbatch printed no job id: '%.200s'", r.out);
    else
        ok = 1;
    hpolab_proc_result_free(&r);
    /* one line: sbatch prints its complaint over several */
    for (char *c = msg; *c; c++)
        if (*c == '\n')
            *c = ' ';
    return ok;
}

/* ---- one job per slice: sbatch calls SUBMIT_THREADS at a time --------- */

/* slurmctld serves RPCs concurrently: a few sbatch processes at once cut
 * the time to submit hundreds of jobs by about that factor. */
#define SUBMIT_THREADS 6

struct submission {
    struct argv_list a;
    double timeout;
    int ok;
    char id[64];
    char msg[1024];
};

struct submit_pool {
    struct submission *subs;
    size_t n;
    size_t next; /* taken under lock */
    pthread_mutex_t lock;
};

static void *submit_worker(void *arg)
{
    struct submit_pool *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->lock);
        size_t k = p->next++;
        pthread_mutex_unlock(&p->lock);
        if (k >= p->n)
            return NULL;
        struct submission *s = &p->subs[k];
        s->ok = sbatch(&s->a, s->timeout, s->id, sizeof s->id, s->msg,
                       sizeof s->msg);
    }
}

static int32_t submit_each(struct hpolab_launch_plan *plan,
                           const struct hpolab_slurm_options *o,
                           const char *outdir, const char *script,
                           const size_t *idx, size_t n_idx, json_t *info,
                           json_t *ids, hpolab_slurm_fail_fn fail, void *user,
                           size_t *submitted, struct hpolab_error *err)
{
    struct submit_pool pool = {.n = n_idx};
    pool.subs = calloc(n_idx, sizeof *pool.subs);
    if (!pool.subs)
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    int nomem = 0;
    for (size_t k = 0; k < n_idx; k++) {
        struct submission *s = &pool.subs[k];
        s->timeout = o->timeout_s;
        common_args(&s->a, plan, o, outdir);
        add(&s->a, "--job-name=%s", plan->slices[idx[k]].job_name);
        add(&s->a, "%s", script);
        add(&s->a, "%zu", idx[k]);
        nomem |= s->a.nomem;
    }
    int32_t st = HPOLAB_OK;
    if (nomem) {
        st = hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    } else {
        pthread_mutex_init(&pool.lock, NULL);
        pthread_t th[SUBMIT_THREADS];
        size_t started = 0;
        for (; started < SUBMIT_THREADS && started < n_idx; started++)
            if (pthread_create(&th[started], NULL, submit_worker, &pool) != 0)
                break;
        if (started == 0)
            submit_worker(&pool); /* no thread: do it here */
        for (size_t t = 0; t < started; t++)
            pthread_join(th[t], NULL);
        pthread_mutex_destroy(&pool.lock);
        for (size_t k = 0; k < n_idx; k++) {
            struct submission *s = &pool.subs[k];
            struct hpolab_launch_slice *sl = &plan->slices[idx[k]];
            if (s->ok) {
                json_array_append_new(ids, json_string(s->id));
                free(sl->job_id);
                sl->job_id = strdup(s->id);
                (*submitted)++;
            } else {
                mark_failed(plan, idx[k], s->msg, fail, user);
            }
        }
        json_t *jargv = json_array();
        for (size_t j = 0; jargv && j < pool.subs[0].a.n; j++)
            json_array_append_new(jargv, json_string(pool.subs[0].a.v[j]));
        json_object_set_new(info, "sbatch", jargv);
    }
    for (size_t k = 0; k < n_idx; k++)
        argv_free(&pool.subs[k].a);
    free(pool.subs);
    return st;
}

int32_t hpolab_slurm_submit(struct hpolab_launch_plan *plan,
                            const struct hpolab_slurm_options *o,
                            hpolab_slurm_fail_fn fail, void *user,
                            size_t *submitted, struct hpolab_error *err)
{
    *submitted = 0;
    char *outdir = hpolab_path_join(plan->root, "slurm");
    char script_name[64];
    snprintf(script_name, sizeof script_name, "launch-%s.sh", plan->suffix);
    char *script = outdir ? hpolab_path_join(outdir, script_name) : NULL;
    size_t *idx = calloc(plan->n_slices + 1, sizeof *idx);
    size_t n_idx = 0;
    int32_t st = HPOLAB_OK;
    if (!outdir || !script || !idx)
        st = hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    if (st == HPOLAB_OK)
        st = hpolab_mkdir_p(outdir, err);
    if (st == HPOLAB_OK)
        st = write_script(plan, script, err);
    for (size_t i = 0; st == HPOLAB_OK && i < plan->n_slices; i++) {
        if (plan->slices[i].skipped)
            continue;
        if (hpolab_mkdir_p(plan->slices[i].dir, err) != HPOLAB_OK) {
            mark_failed(plan, i, err->message, fail, user);
            continue;
        }
        idx[n_idx++] = i;
    }
    json_t *info = json_object();
    json_t *ids = json_array();
    if (st == HPOLAB_OK && (!info || !ids))
        st = hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    if (st == HPOLAB_OK && n_idx > 0 && o->use_array) {
        struct argv_list a = {0};
        common_args(&a, plan, o, outdir);
        char *ranges = hpolab_slurm_index_ranges(idx, n_idx);
        add(&a, "--job-name=%s-%s", plan->tag, plan->suffix);
        if (ranges && o->max_parallel > 0)
            add(&a, "--array=%s%%%" PRId64, ranges, o->max_parallel);
        else if (ranges)
            add(&a, "--array=%s", ranges);
        add(&a, "%s", script);
        free(ranges);
        char id[64], msg[1024];
        if (a.nomem || !ranges) {
            st = hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
        } else if (sbatch(&a, o->timeout_s, id, sizeof id, msg, sizeof msg)) {
            json_array_append_new(ids, json_string(id));
            json_object_set_new(info, "array_job_id", json_string(id));
            for (size_t k = 0; k < n_idx; k++) {
                char tid[96];
                snprintf(tid, sizeof tid, "%s_%zu", id, idx[k]);
                free(plan->slices[idx[k]].job_id);
                plan->slices[idx[k]].job_id = strdup(tid);
            }
            *submitted = n_idx;
        } else {
            for (size_t k = 0; k < n_idx; k++)
                mark_failed(plan, idx[k], msg, fail, user);
        }
        json_t *jargv = json_array();
        for (size_t k = 0; jargv && k < a.n; k++)
            json_array_append_new(jargv, json_string(a.v[k]));
        json_object_set_new(info, "sbatch", jargv);
        argv_free(&a);
    } else if (st == HPOLAB_OK && n_idx > 0) {
        st = submit_each(plan, o, outdir, script, idx, n_idx, info, ids, fail,
                         user, submitted, err);
    }
    if (info) {
        json_object_set_new(info, "script", json_string(script ? script : ""));
        json_object_set_new(info, "job_ids", ids ? ids : json_array());
        ids = NULL;
        json_decref(plan->engine_info);
        plan->engine_info = info;
    }
    json_decref(ids);
    free(idx);
    free(outdir);
    free(script);
    return st;
}

int32_t hpolab_slurm_state_to_slice(const char *state)
{
    static const struct {
        const char *name;
        int32_t slice;
    } map[] = {
        {"PENDING", HPOLAB_SLICE_PENDING},
        {"CONFIGURING", HPOLAB_SLICE_PENDING},
        {"REQUEUED", HPOLAB_SLICE_PENDING},
        {"REQUEUE_HOLD", HPOLAB_SLICE_PENDING},
        {"RESV_DEL_HOLD", HPOLAB_SLICE_PENDING},
        {"SUSPENDED", HPOLAB_SLICE_RUNNING},
        {"RUNNING", HPOLAB_SLICE_RUNNING},
        {"COMPLETING", HPOLAB_SLICE_RUNNING},
        {"STAGE_OUT", HPOLAB_SLICE_RUNNING},
        {"SIGNALING", HPOLAB_SLICE_RUNNING},
        {"RESIZING", HPOLAB_SLICE_RUNNING},
        {"COMPLETED", HPOLAB_SLICE_DONE},
        {"CANCELLED", HPOLAB_SLICE_CANCELLED},
        {"FAILED", HPOLAB_SLICE_FAILED},
        {"TIMEOUT", HPOLAB_SLICE_FAILED},
        {"NODE_FAIL", HPOLAB_SLICE_FAILED},
        {"OUT_OF_MEMORY", HPOLAB_SLICE_FAILED},
        {"PREEMPTED", HPOLAB_SLICE_FAILED},
        {"BOOT_FAIL", HPOLAB_SLICE_FAILED},
        {"DEADLINE", HPOLAB_SLICE_FAILED},
        {"SPECIAL_EXIT", HPOLAB_SLICE_FAILED},
        {"REVOKED", HPOLAB_SLICE_CANCELLED},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strncmp(state, map[i].name, strlen(map[i].name)) == 0 &&
            (state[strlen(map[i].name)] == '\0' ||
             state[strlen(map[i].name)] == ' '))
            return map[i].slice;
    return HPOLAB_SLICE_UNKNOWN;
}

/* Joins ids with ','; [owned: free]. */
static char *join_ids(const char *const *ids, size_t n)
{
    size_t len = 1;
    for (size_t i = 0; i < n; i++)
        len += strlen(ids[i]) + 1;
    char *s = malloc(len);
    if (!s)
        return NULL;
    s[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (i)
            strcat(s, ",");
        strcat(s, ids[i]);
    }
    return s;
}

static void field(char **p, char *dst, size_t size)
{
    char *bar = strchr(*p, '|');
    size_t n = bar ? (size_t)(bar - *p) : strlen(*p);
    while (n && (*p)[n - 1] == ' ')
        n--;
    char *s = *p;
    while (n && *s == ' ') {
        s++;
        n--;
    }
    snprintf(dst, size, "%.*s", (int)n, s);
    *p = bar ? bar + 1 : *p + strlen(*p);
}

int32_t hpolab_slurm_query(const char *const *ids, size_t n_ids,
                           double timeout_s, struct hpolab_slurm_job **out,
                           size_t *n_out, struct hpolab_error *err)
{
    *out = NULL;
    *n_out = 0;
    if (n_ids == 0)
        return HPOLAB_OK;
    char *joined = join_ids(ids, n_ids);
    if (!joined)
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    const char *argv[] = {"squeue", "-r", "-t", "all", "-h", "-j", joined,
                          "-O",
                          "JobID:|,ArrayJobID:|,ArrayTaskID:|,State:|,"
                          "exit_code:|,Reason:",
                          NULL};
    struct hpolab_proc_result r;
    int32_t st = hpolab_proc_run(argv, timeout_s, &r, err);
    free(joined);
    if (st == HPOLAB_OK && r.exit_code != 0) {
        /* Every id purged: squeue says "Invalid job id specified". */
        if (strstr(r.err, "Invalid job id")) {
            hpolab_proc_result_free(&r);
            return HPOLAB_OK;
        }
        st = hpolab_error_set(err, HPOLAB_ERR_PROCESS,
                              "squeue failed (exit %d): %s", r.exit_code,
                              r.err[0] ? r.err : "(no message)");
    }
    if (st != HPOLAB_OK) {
        hpolab_proc_result_free(&r);
        return st;
    }
    size_t lines = 0;
    for (const char *p = r.out; *p; p++)
        lines += *p == '\n';
    struct hpolab_slurm_job *jobs = calloc(lines + 1, sizeof *jobs);
    if (!jobs) {
        hpolab_proc_result_free(&r);
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    }
    size_t n = 0;
    char *save = NULL;
    for (char *line = strtok_r(r.out, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        char jobid[64], arr[64], task[64], code[32];
        struct hpolab_slurm_job *j = &jobs[n];
        char *p = line;
        field(&p, jobid, sizeof jobid);
        field(&p, arr, sizeof arr);
        field(&p, task, sizeof task);
        field(&p, j->state, sizeof j->state);
        field(&p, code, sizeof code);
        field(&p, j->reason, sizeof j->reason);
        if (!jobid[0])
            continue;
        if (task[0] && strcmp(task, "N/A") != 0 && arr[0])
            snprintf(j->id, sizeof j->id, "%s_%s", arr, task);
        else
            snprintf(j->id, sizeof j->id, "%s", jobid);
        char *end = NULL;
        long raw = strtol(code, &end, 10);
        /* squeue's exit_code is the raw wait status */
        j->exit_code = end && end != code ? (int)((raw >> 8) & 0xff) : -1;
        n++;
    }
    hpolab_proc_result_free(&r);
    *out = jobs;
    *n_out = n;
    return HPOLAB_OK;
}

int32_t hpolab_slurm_cancel(const char *const *ids, size_t n_ids,
                            double timeout_s, struct hpolab_error *err)
{
    if (n_ids == 0)
        return HPOLAB_OK;
    const char **argv = calloc(n_ids + 2, sizeof *argv);
    if (!argv)
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    argv[0] = "scancel";
    for (size_t i = 0; i < n_ids; i++)
        argv[i + 1] = ids[i];
    struct hpolab_proc_result r;
    int32_t st = hpolab_proc_run(argv, timeout_s, &r, err);
    free(argv);
    if (st == HPOLAB_OK && r.exit_code != 0)
        st = hpolab_error_set(err, HPOLAB_ERR_PROCESS,
                              "scancel failed (exit %d): %s", r.exit_code,
                              r.err[0] ? r.err : "(no message)");
    hpolab_proc_result_free(&r);
    return st;
}
