/* hash_set.c: see hash_set.h. */
#include "hash_set.h"

#include <stdlib.h>

/* The hashes are mixed already (match_hash.c): their low bits index. */
static uint64_t find(const uint64_t *slots, uint64_t cap, uint64_t h)
{
    uint64_t i = h & (cap - 1);
    while (slots[i] && slots[i] != h)
        i = (i + 1) & (cap - 1);
    return i;
}

static int grow(struct hpolab_hash_set *s)
{
    uint64_t cap = s->cap ? s->cap * 2 : 16;
    uint64_t *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return -1;
    for (uint64_t i = 0; i < s->cap; i++)
        if (s->slots[i])
            slots[find(slots, cap, s->slots[i])] = s->slots[i];
    free(s->slots);
    s->slots = slots;
    s->cap = cap;
    return 0;
}

int hpolab_hash_set_add(struct hpolab_hash_set *s, uint64_t h, int *added)
{
    *added = 0;
    if (s->cap && s->slots[find(s->slots, s->cap, h)] == h)
        return 0;
    if ((s->count + 1) * 4 > s->cap * 3 && grow(s) != 0)
        return -1;
    s->slots[find(s->slots, s->cap, h)] = h;
    s->count++;
    *added = 1;
    return 0;
}

int hpolab_hash_set_contains(const struct hpolab_hash_set *s, uint64_t h)
{
    return s->cap && s->slots[find(s->slots, s->cap, h)] == h;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

int hpolab_hash_set_sorted(const struct hpolab_hash_set *s, uint64_t **out)
{
    *out = NULL;
    if (!s->count)
        return 0;
    uint64_t *v = malloc(s->count * sizeof *v);
    if (!v)
        return -1;
    uint64_t n = 0;
    for (uint64_t i = 0; i < s->cap; i++)
        if (s->slots[i])
            v[n++] = s->slots[i];
    qsort(v, n, sizeof *v, cmp_u64);
    *out = v;
    return 0;
}

void hpolab_hash_set_free(struct hpolab_hash_set *s)
{
    free(s->slots);
    s->slots = NULL;
    s->cap = s->count = 0;
}
