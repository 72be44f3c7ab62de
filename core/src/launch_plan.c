/* launch_plan.c: see launch_plan.h. */
#include "launch_plan.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"

#define SEED_MODULUS 2147483647u /* 2^31 - 1 (framework reference §3.3) */

void hpolab_launch_plan_init(struct hpolab_launch_plan *plan)
{
    memset(plan, 0, sizeof *plan);
    plan->budget = -1.0;
}

static void slice_free(struct hpolab_launch_slice *s)
{
    free(s->method);
    free(s->subdir);
    free(s->dir);
    free(s->job_name);
    free(s->job_id);
    for (size_t i = 0; i < s->argc; i++)
        free(s->argv[i]);
    free(s->argv);
}

void hpolab_launch_plan_free(struct hpolab_launch_plan *plan)
{
    if (!plan)
        return;
    for (size_t i = 0; i < plan->n_slices; i++)
        slice_free(&plan->slices[i]);
    free(plan->slices);
    free(plan->tag);
    free(plan->suffix);
    free(plan->engine);
    free(plan->study);
    free(plan->benchmark);
    free(plan->metric);
    free(plan->root);
    free(plan->program);
    json_decref(plan->engine_info);
    hpolab_launch_plan_init(plan);
}

int32_t hpolab_launch_validate_job_name(const char *name,
                                        struct hpolab_error *err)
{
    size_t n = strlen(name);
    if (n == 0 || n > HPOLAB_JOB_NAME_MAX)
        return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                "job name '%s': expected 1 to %d characters, "
                                "got %zu",
                                name, HPOLAB_JOB_NAME_MAX, n);
    if (name[0] == '-' || name[0] == '.')
        return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                "job name '%s': must not start with '%c'",
                                name, name[0]);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                 (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
        if (!ok)
            return hpolab_error_set(
                err, HPOLAB_ERR_INVALID,
                "job name '%s': only letters, digits, '-', '_' and '.' are "
                "allowed, got byte 0x%02x at position %zu",
                name, c, i + 1);
    }
    return HPOLAB_OK;
}

static char *fmt(const char *f, ...) HPOLAB_PRINTF(1, 2);
static char *fmt(const char *f, ...)
{
    va_list ap, ap2;
    va_start(ap, f);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, f, ap);
    va_end(ap);
    char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (s)
        vsnprintf(s, (size_t)n + 1, f, ap2);
    va_end(ap2);
    return s;
}

int32_t hpolab_launch_plan_add(struct hpolab_launch_plan *plan,
                               const char *method, int64_t seed,
                               const char *const *forward, size_t n_forward,
                               struct hpolab_error *err)
{
    if (plan->n_slices == plan->cap_slices) {
        size_t cap = plan->cap_slices ? 2 * plan->cap_slices : 16;
        void *p = realloc(plan->slices, cap * sizeof *plan->slices);
        if (!p)
            return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
        plan->slices = p;
        plan->cap_slices = cap;
    }
    struct hpolab_launch_slice s;
    memset(&s, 0, sizeof s);
    s.seed = seed;
    s.method = strdup(method);
    s.subdir = fmt("%s-%" PRId64, method, seed);
    s.job_name = fmt("%s-%s-%" PRId64 "-%s", plan->tag, method, seed,
                     plan->suffix);
    s.dir = s.subdir ? hpolab_path_join(plan->root, s.subdir) : NULL;
    char seed_text[24], next_text[24], master_text[24];
    snprintf(seed_text, sizeof seed_text, "%" PRId64, seed);
    snprintf(next_text, sizeof next_text, "%" PRId64, seed + 1);
    snprintf(master_text, sizeof master_text, "%" PRIu32, plan->master_seed);
    const char *fixed[] = {"run", plan->study, "--experiment_tag", plan->tag,
                           "--benchmark", plan->benchmark, "--method", method,
                           "--start_seed", seed_text, "--num_seeds",
                           next_text, "--random_seed", master_text,
                           "--results_dir", s.dir};
    size_t n_fixed = sizeof fixed / sizeof fixed[0];
    s.argv = calloc(n_fixed + n_forward + 1, sizeof *s.argv);
    int32_t st = HPOLAB_OK;
    if (!s.method || !s.subdir || !s.job_name || !s.dir || !s.argv) {
        st = hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    } else {
        for (size_t i = 0; i < n_fixed + n_forward && st == HPOLAB_OK; i++) {
            const char *tok = i < n_fixed ? fixed[i] : forward[i - n_fixed];
            if (!(s.argv[i] = strdup(tok)))
                st = hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
            else
                s.argc = i + 1;
        }
    }
    if (st == HPOLAB_OK)
        st = hpolab_launch_validate_job_name(s.job_name, err);
    if (st != HPOLAB_OK) {
        slice_free(&s);
        return st;
    }
    plan->slices[plan->n_slices++] = s;
    return HPOLAB_OK;
}

int64_t hpolab_launch_plan_find(const struct hpolab_launch_plan *plan,
                                const char *key)
{
    for (size_t i = 0; i < plan->n_slices; i++)
        if (strcmp(plan->slices[i].subdir, key) == 0 ||
            strcmp(plan->slices[i].job_name, key) == 0)
            return (int64_t)i;
    return -1;
}

void hpolab_launch_suffix(uint32_t seed, char *out, size_t out_size)
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz"
                                   "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    uint64_t x = (uint64_t)seed * 6364136223846793005ull + 1442695040888963407ull;
    size_t n = 0;
    for (; n < HPOLAB_LAUNCH_SUFFIX_LEN && n + 1 < out_size; n++) {
        x ^= x >> 29;
        x *= 0xbf58476d1ce4e5b9ull;
        x ^= x >> 32;
        out[n] = alphabet[x % (sizeof alphabet - 1)];
    }
    if (out_size)
        out[n] = '\0';
}

uint32_t hpolab_launch_draw_seed(void)
{
    uint32_t v = 0;
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        if (read(fd, &v, sizeof v) != (ssize_t)sizeof v)
            v = 0;
        close(fd);
    }
    if (v == 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        v = (uint32_t)ts.tv_nsec ^ (uint32_t)ts.tv_sec ^ (uint32_t)getpid();
    }
    return v % SEED_MODULUS;
}
