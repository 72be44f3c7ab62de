/* config_set.h: a set of configurations compared by their match key
 * (schedulers reference §1.5): equal if every hyperparameter agrees, floats
 * to 7 significant digits; constants are ignored. A hash set: add and
 * contains are O(1) on average. */
#ifndef HPOLAB_CORE_CONFIG_SET_H
#define HPOLAB_CORE_CONFIG_SET_H

#include <hpolab/types.h>
#include <stdint.h>

#include "config.h"
#include "error.h"
#include "space.h"

struct hpolab_config_set;

/* s is [borrowed] and must outlive the set. *out [owned:
 * hpolab_config_set_destroy]. */
int32_t hpolab_config_set_create(const struct hpolab_space *s,
                                 struct hpolab_config_set **out,
                                 struct hpolab_error *err);
void hpolab_config_set_destroy(struct hpolab_config_set *set); /* NULL-safe */
/* *out_added (may be NULL): 1 if c was new, 0 if an equal configuration was
 * in the set. Fails (HPOLAB_ERR_INVALID) if c lacks a hyperparameter or has
 * a value outside its domain. */
int32_t hpolab_config_set_add(struct hpolab_config_set *set,
                              const struct hpolab_config *c, int32_t *out_added,
                              struct hpolab_error *err);
/* 0 also when c cannot be keyed (missing or invalid values). */
int hpolab_config_set_contains(const struct hpolab_config_set *set,
                               const struct hpolab_config *c);
uint64_t hpolab_config_set_count(const struct hpolab_config_set *set);

#endif
