/* asha_idmap.h: trial id -> slot index in O(1). Trial ids are 0, 1, 2, ...
 * in practice, so ids in a range proportional to the number of entries live
 * in a direct table; any other id (negative, or far beyond the count) goes
 * to an open-addressing hash table, so sparse ids stay correct and memory
 * stays proportional to the number of entries. Pure C, no host calls. */
#ifndef HPOLAB_ASHA_IDMAP_H
#define HPOLAB_ASHA_IDMAP_H

#include <stddef.h>
#include <stdint.h>

struct asha_idmap_slot {
    int64_t key;
    size_t value1; /* value + 1; 0 = empty slot */
};

struct asha_idmap {
    size_t *dense;     /* [owned] dense[id] = value + 1, 0 = absent */
    size_t dense_len;  /* ids in [0, dense_len) may be in dense */
    struct asha_idmap_slot *hash; /* [owned] power-of-two capacity */
    size_t hash_cap, hash_count;
    size_t count;      /* entries in both tables */
};

/* An empty map is all zeroes (or asha_idmap_init). */
void asha_idmap_init(struct asha_idmap *m);
void asha_idmap_free(struct asha_idmap *m);

/* 1 and *out = the value of id, or 0 when id is absent. */
int asha_idmap_get(const struct asha_idmap *m, int64_t id, size_t *out);

/* Map id to value (replacing an existing value). value < SIZE_MAX.
 * ASHA_OK or ASHA_ERR_NOMEM (the map is unchanged then). */
int asha_idmap_put(struct asha_idmap *m, int64_t id, size_t value);

#endif
