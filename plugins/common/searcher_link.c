/* searcher_link.c: see searcher_link.h. */
#include "searcher_link.h"

int32_t hpolab_common_searcher_create(struct hpolab_ctx *ctx,
                                      const struct hpolab_scheduler_args *args,
                                      uint32_t seed, uint32_t model_seed,
                                      int multi_fidelity,
                                      struct hpolab_searcher **out)
{
    struct hpolab_searcher_args sa = {
        .struct_size = sizeof sa,
        .space = args->space,
        .metric = args->metric,
        .mode = args->mode,
        .random_seed = seed,
        .resource_attr = multi_fidelity ? args->resource_attr : NULL,
        .max_resource_attr = multi_fidelity ? args->max_resource_attr : NULL,
        .n_workers = args->n_workers,
        .options = args->searcher_options,
        .points_given = args->points_given,
        .num_points = args->num_points,
        .points = args->points,
        .model_seed = model_seed,
    };
    return hpolab_host->searcher_create(
        ctx, args->searcher ? args->searcher : "random", &sa, out);
}
