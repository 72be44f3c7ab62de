/* hash_set.h: a set of nonzero 64-bit hashes, open addressing with linear
 * probing (0 marks an empty slot), at most 3/4 full. 8 bytes per slot: the
 * random searcher's record of every configuration it suggested costs 11 to
 * 21 bytes per trial instead of a stored configuration. */
#ifndef HPOLAB_RANDOM_HASH_SET_H
#define HPOLAB_RANDOM_HASH_SET_H

#include <stdint.h>

struct hpolab_hash_set {
    uint64_t *slots; /* owned; cap entries, NULL while empty */
    uint64_t cap;    /* 0 or a power of two */
    uint64_t count;
};

/* Adds h (nonzero). *added: 1 if h was new. Returns 0, or -1 when out of
 * memory (the set is unchanged). */
int hpolab_hash_set_add(struct hpolab_hash_set *s, uint64_t h, int *added);
int hpolab_hash_set_contains(const struct hpolab_hash_set *s, uint64_t h);
/* The members in ascending order (a save does not depend on the insertion
 * history): *out [owned: free], s->count entries; NULL when empty. Returns
 * 0, or -1 when out of memory. */
int hpolab_hash_set_sorted(const struct hpolab_hash_set *s, uint64_t **out);
void hpolab_hash_set_free(struct hpolab_hash_set *s); /* leaves it empty */

#endif
