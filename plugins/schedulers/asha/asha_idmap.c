/* asha_idmap.c: trial id -> index, a direct table for dense ids and a hash
 * table for the rest. */
#include "asha_idmap.h"

#include <stdlib.h>
#include <string.h>

#include "asha_rungs.h"

#define DENSE_MIN 64

void asha_idmap_init(struct asha_idmap *m)
{
    memset(m, 0, sizeof *m);
}

void asha_idmap_free(struct asha_idmap *m)
{
    free(m->dense);
    free(m->hash);
    asha_idmap_init(m);
}

static uint64_t mix(int64_t key)
{
    /* splitmix64's finaliser: consecutive keys spread over the table. */
    uint64_t z = (uint64_t)key + 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* The slot holding key, or the empty slot where it would go. */
static size_t probe(const struct asha_idmap_slot *slots, size_t cap,
                    int64_t key)
{
    size_t i = (size_t)mix(key) & (cap - 1);
    while (slots[i].value1 && slots[i].key != key)
        i = (i + 1) & (cap - 1);
    return i;
}

int asha_idmap_get(const struct asha_idmap *m, int64_t id, size_t *out)
{
    if (id >= 0 && (uint64_t)id < m->dense_len && m->dense[id]) {
        *out = m->dense[id] - 1;
        return 1;
    }
    if (!m->hash_count)
        return 0;
    const struct asha_idmap_slot *s = &m->hash[probe(m->hash, m->hash_cap, id)];
    if (!s->value1)
        return 0;
    *out = s->value1 - 1;
    return 1;
}

/* Grow the direct table so that it covers id. */
static int dense_cover(struct asha_idmap *m, size_t id)
{
    size_t len = m->dense_len ? m->dense_len : DENSE_MIN;
    while (len <= id)
        len *= 2;
    size_t *d = realloc(m->dense, len * sizeof *d);
    if (!d)
        return ASHA_ERR_NOMEM;
    memset(d + m->dense_len, 0, (len - m->dense_len) * sizeof *d);
    m->dense = d;
    m->dense_len = len;
    return ASHA_OK;
}

static int hash_grow(struct asha_idmap *m)
{
    size_t cap = m->hash_cap ? 2 * m->hash_cap : 16;
    struct asha_idmap_slot *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return ASHA_ERR_NOMEM;
    for (size_t i = 0; i < m->hash_cap; i++)
        if (m->hash[i].value1)
            slots[probe(slots, cap, m->hash[i].key)] = m->hash[i];
    free(m->hash);
    m->hash = slots;
    m->hash_cap = cap;
    return ASHA_OK;
}

int asha_idmap_put(struct asha_idmap *m, int64_t id, size_t value)
{
    if (value == SIZE_MAX)
        return ASHA_ERR_INVALID;
    if (id >= 0 && (uint64_t)id < m->dense_len && m->dense[id]) {
        m->dense[id] = value + 1;
        return ASHA_OK;
    }
    if (m->hash_count) {
        size_t i = probe(m->hash, m->hash_cap, id);
        if (m->hash[i].value1) {
            m->hash[i].value1 = value + 1;
            return ASHA_OK;
        }
    }
    /* A new id. The direct table may cover up to about twice the number of
     * entries, so its memory stays proportional to them. */
    if (id >= 0 && ((uint64_t)id < m->dense_len ||
                    (uint64_t)id < 2 * (uint64_t)m->count + DENSE_MIN)) {
        if ((uint64_t)id >= m->dense_len &&
            dense_cover(m, (size_t)id) != ASHA_OK)
            return ASHA_ERR_NOMEM;
        m->dense[id] = value + 1;
        m->count++;
        return ASHA_OK;
    }
    /* keep the load factor at most 1/2 */
    if ((m->hash_count + 1) * 2 > m->hash_cap && hash_grow(m) != ASHA_OK)
        return ASHA_ERR_NOMEM;
    size_t i = probe(m->hash, m->hash_cap, id);
    m->hash[i].key = id;
    m->hash[i].value1 = value + 1;
    m->hash_count++;
    m->count++;
    return ASHA_OK;
}
