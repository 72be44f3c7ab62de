/* config.h: allocation helpers for struct hpolab_config (an ordered record
 * of name -> value, see record.h), the configuration handle of the ABI. */
#ifndef HPOLAB_CORE_CONFIG_H
#define HPOLAB_CORE_CONFIG_H

#include "record.h"

/* An empty configuration, [owned: hpolab_config_free]; NULL on out of
 * memory. */
struct hpolab_config *hpolab_config_new(void);
/* A deep copy, [owned: hpolab_config_free]; NULL on out of memory (or when c
 * is NULL). */
struct hpolab_config *hpolab_config_dup(const struct hpolab_config *c);
/* NULL-safe. */
void hpolab_config_free(struct hpolab_config *c);

#endif
