#include "config_set.h"

#include <stdlib.h>
#include <string.h>

struct hpolab_config_set {
    const struct hpolab_space *space; /* [borrowed] */
    char **slots;                     /* owned keys; NULL = empty slot */
    uint64_t cap;                     /* power of two */
    uint64_t count;
};

static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

/* Slot of key, or of the empty slot where it would go. */
static uint64_t find(char *const *slots, uint64_t cap, const char *key)
{
    uint64_t i = hash(key) & (cap - 1);
    while (slots[i] && strcmp(slots[i], key) != 0)
        i = (i + 1) & (cap - 1);
    return i;
}

int32_t hpolab_config_set_create(const struct hpolab_space *s,
                                 struct hpolab_config_set **out,
                                 struct hpolab_error *err)
{
    *out = NULL;
    struct hpolab_config_set *set = calloc(1, sizeof *set);
    if (set)
        set->slots = calloc(16, sizeof *set->slots);
    if (!set || !set->slots) {
        free(set);
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    }
    set->space = s;
    set->cap = 16;
    *out = set;
    return HPOLAB_OK;
}

void hpolab_config_set_destroy(struct hpolab_config_set *set)
{
    if (!set)
        return;
    for (uint64_t i = 0; i < set->cap; i++)
        free(set->slots[i]);
    free(set->slots);
    free(set);
}

static int grow(struct hpolab_config_set *set)
{
    uint64_t cap = set->cap * 2;
    char **slots = calloc(cap, sizeof *slots);
    if (!slots)
        return 0;
    for (uint64_t i = 0; i < set->cap; i++)
        if (set->slots[i])
            slots[find(slots, cap, set->slots[i])] = set->slots[i];
    free(set->slots);
    set->slots = slots;
    set->cap = cap;
    return 1;
}

int32_t hpolab_config_set_add(struct hpolab_config_set *set,
                              const struct hpolab_config *c, int32_t *out_added,
                              struct hpolab_error *err)
{
    if (out_added)
        *out_added = 0;
    char *key;
    int32_t st = hpolab_space_match_key_err(set->space, c, &key, err);
    if (st != HPOLAB_OK)
        return st;
    /* keep the load factor below 1/2 */
    if ((set->count + 1) * 2 > set->cap && !grow(set)) {
        free(key);
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    }
    uint64_t i = find(set->slots, set->cap, key);
    if (set->slots[i]) {
        free(key);
        return HPOLAB_OK;
    }
    set->slots[i] = key;
    set->count++;
    if (out_added)
        *out_added = 1;
    return HPOLAB_OK;
}

int hpolab_config_set_contains(const struct hpolab_config_set *set,
                               const struct hpolab_config *c)
{
    char *key = hpolab_space_match_key(set->space, c);
    if (!key)
        return 0;
    int found = set->slots[find(set->slots, set->cap, key)] != NULL;
    free(key);
    return found;
}

uint64_t hpolab_config_set_count(const struct hpolab_config_set *set)
{
    return set->count;
}
