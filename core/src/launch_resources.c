/* launch_resources.c: see launch_resources.h. */
#include "launch_resources.h"

#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "launch_proc.h"

int64_t hpolab_cpu_count(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return CPU_COUNT(&set);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? n : 1;
}

int64_t hpolab_gpu_count(void)
{
    const char *prog = getenv("HPOLAB_NVIDIA_SMI");
    const char *argv[] = {prog && prog[0] ? prog : "nvidia-smi",
                          "--list-gpus", NULL};
    struct hpolab_proc_result r;
    struct hpolab_error err;
    int64_t n = 0;
    if (hpolab_proc_run(argv, 10.0, &r, &err) == HPOLAB_OK &&
        r.exit_code == 0) {
        for (const char *p = r.out; (p = strstr(p, "GPU ")) != NULL; p += 4)
            if (p == r.out || p[-1] == '\n')
                n++;
    }
    hpolab_proc_result_free(&r);
    return n;
}

int64_t hpolab_gpus_per_slice(int64_t gpus, int64_t max_parallel)
{
    if (gpus <= 0)
        return 0;
    int64_t per = max_parallel > 0 ? gpus / max_parallel : gpus;
    return per < 1 ? 1 : per;
}

int64_t hpolab_default_parallel(int64_t cpus, int64_t gpus, int64_t n_workers,
                                int64_t *gpus_per_slice)
{
    if (n_workers < 1)
        n_workers = 1;
    int64_t k = cpus / n_workers;
    if (gpus > 0 && gpus / n_workers < k)
        k = gpus / n_workers;
    if (k < 1)
        k = 1;
    *gpus_per_slice = hpolab_gpus_per_slice(gpus, k);
    return k;
}
