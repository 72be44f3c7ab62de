/* launch_resources.h: how many experiments of a study fit this machine at
 * once (the local engine's default --max_parallel) and which GPUs each
 * gets. */
#ifndef HPOLAB_CORE_LAUNCH_RESOURCES_H
#define HPOLAB_CORE_LAUNCH_RESOURCES_H

#include <stdint.h>

/* CPUs this process may run on (its affinity mask), at least 1. */
int64_t hpolab_cpu_count(void);

/* GPUs `nvidia-smi --list-gpus` lists (HPOLAB_NVIDIA_SMI names another
 * program, as for the local backend); 0 when it is missing or fails. */
int64_t hpolab_gpu_count(void);

/* Experiments at once: each runs n_workers trials, and each trial wants a
 * CPU and, when there are GPUs, one GPU; at least 1. *gpus_per_slice gets
 * the size of each experiment's disjoint GPU set (0 without GPUs). */
int64_t hpolab_default_parallel(int64_t cpus, int64_t gpus, int64_t n_workers,
                                int64_t *gpus_per_slice);

/* GPUs per experiment when max_parallel run at once: disjoint sets of
 * gpus / max_parallel (at least 1; 0 without GPUs). */
int64_t hpolab_gpus_per_slice(int64_t gpus, int64_t max_parallel);

#endif
