/* searcher_link.h: how a built-in scheduler creates the searcher it drives
 * (FIFO, ASHA): the searcher the study names ("random" when none), with the
 * scheduler's space, metric, mode, options and initial points. */
#ifndef HPOLAB_PLUGIN_SEARCHER_LINK_H
#define HPOLAB_PLUGIN_SEARCHER_LINK_H

#include <hpolab/hpolab.h>
#include <stdint.h>

/* seed: the searcher's own RNG seed, model_seed the seed of a model-based
 * searcher's second RNG (the scheduler's first and second draws from its
 * seed stream, schedulers reference §6.1). multi_fidelity: pass the resource
 * attributes on, so a multi-fidelity capable searcher (bayesopt) models
 * (configuration, resource) pairs; a single-fidelity scheduler passes 0
 * and the searcher runs plain BO. *out [owned: host->searcher_destroy]. */
int32_t hpolab_common_searcher_create(struct hpolab_ctx *ctx,
                                      const struct hpolab_scheduler_args *args,
                                      uint32_t seed, uint32_t model_seed,
                                      int multi_fidelity,
                                      struct hpolab_searcher **out);

#endif
