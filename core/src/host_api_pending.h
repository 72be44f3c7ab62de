/* host_api_pending.h: TEMPORARY while the configuration-space module is
 * written in parallel: weak declarations of its functions so libhpolab links
 * before it lands. Removed (host_api.c includes rng.h, space.h, config.h and
 * config_set.h instead) when that module is merged. */
#ifndef HPOLAB_CORE_HOST_API_PENDING_H
#define HPOLAB_CORE_HOST_API_PENDING_H

#include <hpolab/types.h>
#include <jansson.h>

#include "diag.h"
#include "error.h"

#define HPOLAB_WEAK __attribute__((weak))

struct hpolab_rng {
    uint32_t mt[624];
    int pos;
    int has_gauss;
    double gauss;
};

HPOLAB_WEAK void hpolab_rng_seed(struct hpolab_rng *rng, uint32_t seed);
HPOLAB_WEAK uint32_t hpolab_rng_u32(struct hpolab_rng *rng);
HPOLAB_WEAK double hpolab_rng_double(struct hpolab_rng *rng);
HPOLAB_WEAK double hpolab_rng_uniform(struct hpolab_rng *rng, double lo, double hi);
HPOLAB_WEAK int64_t hpolab_rng_randint(struct hpolab_rng *rng, int64_t lo, int64_t hi);
HPOLAB_WEAK double hpolab_rng_normal(struct hpolab_rng *rng, double loc, double scale);
HPOLAB_WEAK uint32_t hpolab_rng_seed_draw(struct hpolab_rng *rng);

HPOLAB_WEAK uint32_t hpolab_space_count(const struct hpolab_space *s);
HPOLAB_WEAK const char *hpolab_space_name(const struct hpolab_space *s, uint32_t i);
HPOLAB_WEAK const char *hpolab_space_domain_name(const struct hpolab_space *s, uint32_t i);
HPOLAB_WEAK int32_t hpolab_space_sample(const struct hpolab_space *s, struct hpolab_rng *rng, struct hpolab_config **out, struct hpolab_error *err);
HPOLAB_WEAK int32_t hpolab_space_default_config(const struct hpolab_space *s, const struct hpolab_config *partial, struct hpolab_config **out, struct hpolab_error *err);
HPOLAB_WEAK int32_t hpolab_space_cast(const struct hpolab_space *s, struct hpolab_config *config, struct hpolab_error *err);
HPOLAB_WEAK double hpolab_space_cardinality(const struct hpolab_space *s);
HPOLAB_WEAK uint32_t hpolab_space_encoded_dim(const struct hpolab_space *s);
HPOLAB_WEAK int32_t hpolab_space_encode(const struct hpolab_space *s, const struct hpolab_config *c, double *out, uint32_t dim, struct hpolab_error *err);
HPOLAB_WEAK int32_t hpolab_space_decode(const struct hpolab_space *s, const double *in, uint32_t dim, struct hpolab_config **out, struct hpolab_error *err);
HPOLAB_WEAK struct hpolab_config *hpolab_config_new(void);
HPOLAB_WEAK struct hpolab_config *hpolab_config_dup(const struct hpolab_config *c);
HPOLAB_WEAK void hpolab_config_free(struct hpolab_config *c);
HPOLAB_WEAK int32_t hpolab_config_set_create(const struct hpolab_space *s, struct hpolab_config_set **out, struct hpolab_error *err);
HPOLAB_WEAK void hpolab_config_set_destroy(struct hpolab_config_set *set);
HPOLAB_WEAK int32_t hpolab_config_set_add(struct hpolab_config_set *set, const struct hpolab_config *c, int32_t *out_added, struct hpolab_error *err);
HPOLAB_WEAK int hpolab_config_set_contains(const struct hpolab_config_set *set, const struct hpolab_config *c);
HPOLAB_WEAK uint64_t hpolab_config_set_count(const struct hpolab_config_set *set);

/* The registry is written in parallel too. */
#include "registry.h"
#pragma weak hpolab_registry_register
#pragma weak hpolab_registry_require

#endif
