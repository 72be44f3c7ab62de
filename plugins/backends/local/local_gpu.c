/* local_gpu.c: GPU rotation as Syne Tune's local backend does it (framework
 * reference §1.8). The GPU count comes from `nvidia-smi --list-gpus`, run
 * once and lazily at the first trial start, its output read through a pipe
 * (Syne Tune writes it to a file std.out in the current folder), with a 10 s
 * limit. HPOLAB_NVIDIA_SMI names another program (tests fake GPUs so). */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "local_internal.h"

#define SMI_TIMEOUT_S 10.0

/* "0,2, 3" -> ids; errors name the option. */
static int32_t parse_ids(struct hpolab_ctx *ctx, const char *text,
                         struct local_gpu *gpu)
{
    size_t cap = 1;
    for (const char *s = text; *s; s++)
        cap += *s == ',';
    gpu->to_use = malloc(cap * sizeof *gpu->to_use);
    if (!gpu->to_use)
        return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
    const char *s = text;
    for (;;) {
        while (*s == ' ')
            s++;
        if (*s < '0' || *s > '9')
            return hpolab_set_error(
                ctx, HPOLAB_ERR_INVALID,
                "gpus_to_use: expected comma-separated GPU ids such as "
                "\"0,2\", got \"%s\"",
                text);
        long v = 0;
        while (*s >= '0' && *s <= '9') {
            v = v * 10 + (*s - '0');
            if (v > 1000000)
                return hpolab_set_error(ctx, HPOLAB_ERR_RANGE,
                                        "gpus_to_use: GPU id too large in "
                                        "\"%s\"",
                                        text);
            s++;
        }
        for (size_t i = 0; i < gpu->n_to_use; i++)
            if (gpu->to_use[i] == (int)v)
                return hpolab_set_error(ctx, HPOLAB_ERR_INVALID,
                                        "gpus_to_use: GPU %ld is listed "
                                        "twice in \"%s\"",
                                        v, text);
        gpu->to_use[gpu->n_to_use++] = (int)v;
        while (*s == ' ')
            s++;
        if (*s == '\0')
            return HPOLAB_OK;
        if (*s != ',')
            return hpolab_set_error(
                ctx, HPOLAB_ERR_INVALID,
                "gpus_to_use: expected comma-separated GPU ids such as "
                "\"0,2\", got \"%s\"",
                text);
        s++;
    }
}

int32_t local_gpu_init(struct hpolab_ctx *ctx,
                       const struct hpolab_options *opts,
                       struct local_gpu *gpu)
{
    memset(gpu, 0, sizeof *gpu);
    int32_t rotate = 1;
    const char *ids = NULL;
    int32_t st = hpolab_host->option_bool(ctx, opts, "rotate_gpus", 1, &rotate);
    if (st == HPOLAB_OK)
        st = hpolab_host->option_int(ctx, opts, "num_gpus_per_trial", 1,
                                     &gpu->per_trial);
    if (st == HPOLAB_OK)
        st = hpolab_host->option_string(ctx, opts, "gpus_to_use", NULL, &ids);
    if (st != HPOLAB_OK)
        return st;
    gpu->rotate = rotate != 0;
    if (gpu->per_trial < 1)
        return hpolab_set_error(ctx, HPOLAB_ERR_RANGE,
                                "num_gpus_per_trial must be >= 1, got %lld",
                                (long long)gpu->per_trial);
    if (ids && *ids)
        return parse_ids(ctx, ids, gpu);
    return HPOLAB_OK;
}

void local_gpu_free(struct local_gpu *gpu)
{
    free(gpu->to_use);
    free(gpu->physical);
    free(gpu->times);
    memset(gpu, 0, sizeof *gpu);
}

/* Number of lines `nvidia-smi --list-gpus` prints; 0 when it is missing,
 * fails or hangs. */
static int64_t count_devices(struct hpolab_ctx *ctx)
{
    const char *prog = getenv("HPOLAB_NVIDIA_SMI");
    if (!prog || !*prog)
        prog = "nvidia-smi";
    const char *argv[] = {prog, "--list-gpus", NULL};
    pid_t pid;
    int fd;
    int e = local_spawn_capture(argv, &pid, &fd);
    if (e != 0) {
        hpolab_log(ctx, HPOLAB_LOG_DEBUG, "%s not started (%s): no GPUs",
                   prog, strerror(e));
        return 0;
    }
    int64_t lines = 0;
    int in_line = 0, timed_out = 0;
    double deadline = local_monotonic() + SMI_TIMEOUT_S;
    for (;;) {
        double left = deadline - local_monotonic();
        if (left <= 0) {
            timed_out = 1;
            break;
        }
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int r = poll(&p, 1, (int)(left * 1000) + 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            continue; /* the deadline check ends the loop */
        char buf[4096];
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n <= 0)
            break;
        for (ssize_t i = 0; i < n; i++) {
            if (buf[i] == '\n') {
                lines += in_line;
                in_line = 0;
            } else if (buf[i] != '\r' && buf[i] != ' ') {
                in_line = 1;
            }
        }
    }
    lines += in_line;
    close(fd);
    if (timed_out)
        kill(-pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (timed_out) {
        hpolab_log(ctx, HPOLAB_LOG_WARN,
                   "%s --list-gpus did not finish within %.0f s: no GPU "
                   "rotation",
                   prog, SMI_TIMEOUT_S);
        return 0;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        hpolab_log(ctx, HPOLAB_LOG_DEBUG, "%s --list-gpus failed: no GPUs",
                   prog);
        return 0;
    }
    return lines;
}

/* First use: count GPUs, apply gpus_to_use and num_gpus_per_trial. */
static int32_t setup(struct hpolab_ctx *ctx, struct local_gpu *gpu)
{
    if (!gpu->detected) {
        gpu->num_devices = count_devices(ctx);
        gpu->detected = 1;
    }
    int64_t count = gpu->num_devices;
    /* A job of `hpolab launch` gets its own GPUs in CUDA_VISIBLE_DEVICES:
     * without gpus_to_use, rotate over those only (when they are ids of
     * GPUs nvidia-smi lists; anything else keeps the old behaviour). */
    const char *env = getenv("CUDA_VISIBLE_DEVICES");
    if (!gpu->to_use && count > 0 && env && env[0] >= '0' && env[0] <= '9') {
        int usable = parse_ids(ctx, env, gpu) == HPOLAB_OK;
        for (size_t i = 0; usable && i < gpu->n_to_use; i++)
            usable = gpu->to_use[i] < count;
        if (!usable) {
            free(gpu->to_use);
            gpu->to_use = NULL;
            gpu->n_to_use = 0;
        }
    }
    if (gpu->to_use) {
        for (size_t i = 0; i < gpu->n_to_use; i++)
            if (gpu->to_use[i] >= count)
                return hpolab_set_error(
                    ctx, HPOLAB_ERR_INVALID,
                    "gpus_to_use: GPU %d does not exist (nvidia-smi lists "
                    "%lld GPU%s)",
                    gpu->to_use[i], (long long)count, count == 1 ? "" : "s");
        count = (int64_t)gpu->n_to_use;
    }
    gpu->ready = 1;
    gpu->count = (int)count;
    gpu->active = count > 1;
    if (!gpu->active)
        return HPOLAB_OK;
    if (gpu->per_trial > count) {
        hpolab_log(ctx, HPOLAB_LOG_WARN,
                   "num_gpus_per_trial = %lld is more than the %lld GPUs "
                   "available; using %lld",
                   (long long)gpu->per_trial, (long long)count,
                   (long long)count);
        gpu->per_trial = count;
    }
    gpu->physical = malloc((size_t)count * sizeof *gpu->physical);
    gpu->times = calloc((size_t)count, sizeof *gpu->times);
    if (!gpu->physical || !gpu->times) {
        gpu->ready = 0;
        free(gpu->physical);
        free(gpu->times);
        gpu->physical = NULL;
        gpu->times = NULL;
        return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
    }
    for (int64_t i = 0; i < count; i++)
        gpu->physical[i] = gpu->to_use ? gpu->to_use[i] : (int)i;
    return HPOLAB_OK;
}

int32_t local_gpu_assign(struct hpolab_ctx *ctx, struct local_gpu *gpu,
                         struct local_run *run, char **out_cuda)
{
    *out_cuda = NULL;
    if (!gpu->rotate)
        return HPOLAB_OK;
    if (!gpu->ready) {
        int32_t st = setup(ctx, gpu);
        if (st != HPOLAB_OK)
            return st;
    }
    if (!gpu->active)
        return HPOLAB_OK;
    int k = (int)gpu->per_trial;
    /* assigned: GPUs of the holders, concatenated in assignment order */
    size_t num_assigned = 0;
    for (struct local_run *h = gpu->holders; h; h = h->gpu_next)
        num_assigned += (size_t)h->num_gpus;
    int *assigned = malloc((num_assigned + 1) * sizeof *assigned);
    char *used = calloc((size_t)gpu->count, 1);
    int *free_ids = malloc((size_t)gpu->count * sizeof *free_ids);
    int *chosen = malloc((size_t)k * sizeof *chosen);
    char *text = malloc((size_t)k * 12 + 1);
    if (!assigned || !used || !free_ids || !chosen || !text) {
        free(assigned);
        free(used);
        free(free_ids);
        free(chosen);
        free(text);
        return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
    }
    size_t a = 0;
    for (struct local_run *h = gpu->holders; h; h = h->gpu_next)
        for (int i = 0; i < h->num_gpus; i++) {
            assigned[a++] = h->gpus[i];
            used[h->gpus[i]] = 1;
        }
    int num_free = 0;
    for (int g = 0; g < gpu->count; g++)
        if (!used[g])
            free_ids[num_free++] = g;
    /* Syne Tune 0.13 _gpus_for_new_trial: with too few free GPUs, all free
     * ones plus the first missing number of the assigned list; otherwise
     * the free ones. The candidates are stably sorted by times_assigned. */
    int c = 0;
    int *cand = free_ids;
    int num_cand = num_free;
    if (num_free < k) {
        for (int i = 0; i < num_free; i++)
            chosen[c++] = free_ids[i];
        cand = assigned;
        num_cand = (int)(a < (size_t)(k - num_free) ? a : (size_t)(k - num_free));
    }
    for (int i = 1; i < num_cand; i++) {
        int g = cand[i], j = i;
        while (j > 0 && gpu->times[cand[j - 1]] > gpu->times[g]) {
            cand[j] = cand[j - 1];
            j--;
        }
        cand[j] = g;
    }
    for (int i = 0; c < k && i < num_cand; i++)
        chosen[c++] = cand[i];
    k = c;
    size_t len = 0;
    for (int i = 0; i < k; i++) {
        gpu->times[chosen[i]]++;
        len += (size_t)sprintf(text + len, "%s%d", i ? "," : "",
                               gpu->physical[chosen[i]]);
    }
    free(assigned);
    free(used);
    free(free_ids);
    run->gpus = chosen;
    run->num_gpus = k;
    run->gpu_next = NULL;
    run->gpu_prev = gpu->holders_tail;
    if (gpu->holders_tail)
        gpu->holders_tail->gpu_next = run;
    else
        gpu->holders = run;
    gpu->holders_tail = run;
    *out_cuda = text;
    return HPOLAB_OK;
}

void local_gpu_release(struct local_gpu *gpu, struct local_run *run)
{
    if (!run->gpus)
        return;
    if (run->gpu_prev)
        run->gpu_prev->gpu_next = run->gpu_next;
    else
        gpu->holders = run->gpu_next;
    if (run->gpu_next)
        run->gpu_next->gpu_prev = run->gpu_prev;
    else
        gpu->holders_tail = run->gpu_prev;
    free(run->gpus);
    run->gpus = NULL;
    run->num_gpus = 0;
    run->gpu_prev = run->gpu_next = NULL;
}
