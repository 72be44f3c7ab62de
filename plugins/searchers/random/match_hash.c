/* match_hash.c: see match_hash.h. */
#include "match_hash.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How a hyperparameter's value enters the hash. A domain name this file does
 * not know counts as a float domain: "%.6e" can only merge values (a
 * re-draw), never tell apart two the match string calls equal. */
#define MATCH_FLOAT 0  /* f"{x:.6e}", as the match string */
#define MATCH_INT 1    /* the integer, as the match string */
#define MATCH_EXACT 2  /* finite domains: the cast value is the category */

static int kind_of(const char *domain)
{
    static const char *const ints[] = {"randint", "lograndint", "qrandint",
                                       "qlograndint"};
    static const char *const finite[] = {"choice", "ordinal", "logordinal",
                                         "finrange", "logfinrange"};
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
        if (strcmp(domain, ints[i]) == 0)
            return MATCH_INT;
    for (size_t i = 0; i < sizeof finite / sizeof finite[0]; i++)
        if (strcmp(domain, finite[i]) == 0)
            return MATCH_EXACT;
    return MATCH_FLOAT;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct hpolab_match_hp *)a)->name,
                  ((const struct hpolab_match_hp *)b)->name);
}

int32_t hpolab_matcher_init(struct hpolab_ctx *ctx,
                            const struct hpolab_space *space,
                            struct hpolab_matcher *m)
{
    uint32_t n = hpolab_host->space_count(space);
    m->count = 0;
    m->hps = malloc((n ? n : 1) * sizeof *m->hps);
    if (!m->hps)
        return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
    for (uint32_t i = 0; i < n; i++) {
        const char *domain = hpolab_host->space_domain(space, i);
        if (strcmp(domain, "constant") == 0)
            continue;
        m->hps[m->count++] = (struct hpolab_match_hp){
            hpolab_host->space_name(space, i), kind_of(domain)};
    }
    /* the match string's order (Python's sorted keys, byte order) */
    qsort(m->hps, m->count, sizeof *m->hps, by_name);
    return HPOLAB_OK;
}

void hpolab_matcher_free(struct hpolab_matcher *m)
{
    free(m->hps);
    m->hps = NULL;
    m->count = 0;
}

/* FNV-1a over the bytes, then MurmurHash3's finaliser so that the low bits
 * (the hash set's slot) depend on every byte. */
struct hasher {
    uint64_t h;
};

static void feed(struct hasher *x, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        x->h ^= b[i];
        x->h *= 1099511628211ULL;
    }
}

static void feed_u64(struct hasher *x, uint64_t v)
{
    unsigned char b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(v >> (8 * i));
    feed(x, b, sizeof b);
}

static uint64_t finish(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h ? h : 1; /* 0 marks an empty slot: 1 shares its hash */
}

static int32_t bad_value(struct hpolab_ctx *ctx, const char *name,
                         const char *expected)
{
    return hpolab_set_error(ctx, HPOLAB_ERR_INVALID, "%s: expected %s",
                            name, expected);
}

/* One value: a type tag, then its bytes. */
static int32_t feed_value(struct hasher *x, struct hpolab_ctx *ctx,
                          const struct hpolab_match_hp *hp,
                          const struct hpolab_config *c, uint32_t i)
{
    int32_t type = hpolab_host->config_type(c, i);
    double d;
    int64_t v;
    if (hp->kind == MATCH_FLOAT) {
        if (type == HPOLAB_VALUE_STRING || type == HPOLAB_VALUE_NULL ||
            type == HPOLAB_VALUE_JSON ||
            hpolab_host->config_get_double(c, i, &d) != HPOLAB_OK)
            return bad_value(ctx, hp->name, "a number");
        char text[64];
        int n = snprintf(text, sizeof text, "%.6e", d);
        feed(x, "f", 1);
        feed(x, text, (size_t)n);
        return HPOLAB_OK;
    }
    if (hp->kind == MATCH_INT) {
        if (hpolab_host->config_get_int(c, i, &v) != HPOLAB_OK) {
            /* as the core's cast: round half to even */
            if (hpolab_host->config_get_double(c, i, &d) != HPOLAB_OK ||
                !isfinite(d) || fabs(d) >= 9.2e18)
                return bad_value(ctx, hp->name, "an integer");
            v = (int64_t)nearbyint(d);
        }
        feed(x, "i", 1);
        feed_u64(x, (uint64_t)v);
        return HPOLAB_OK;
    }
    switch (type) {
    case HPOLAB_VALUE_INT:
    case HPOLAB_VALUE_BOOL:
        hpolab_host->config_get_int(c, i, &v);
        feed(x, type == HPOLAB_VALUE_INT ? "i" : "b", 1);
        feed_u64(x, (uint64_t)v);
        return HPOLAB_OK;
    case HPOLAB_VALUE_DOUBLE: {
        hpolab_host->config_get_double(c, i, &d);
        uint64_t bits;
        memcpy(&bits, &d, sizeof bits);
        feed(x, "d", 1);
        feed_u64(x, bits);
        return HPOLAB_OK;
    }
    case HPOLAB_VALUE_STRING: {
        const char *s = hpolab_host->config_get_string(c, i);
        size_t n = strlen(s);
        feed(x, "s", 1);
        feed_u64(x, n);
        feed(x, s, n);
        return HPOLAB_OK;
    }
    default: return bad_value(ctx, hp->name, "one of its domain's values");
    }
}

int32_t hpolab_match_hash(struct hpolab_ctx *ctx,
                          const struct hpolab_matcher *m,
                          const struct hpolab_config *c, uint64_t *out)
{
    struct hasher x = {14695981039346656037ULL};
    *out = 0;
    for (uint32_t k = 0; k < m->count; k++) {
        const struct hpolab_match_hp *hp = &m->hps[k];
        int32_t i = hpolab_host->config_index(c, hp->name);
        if (i < 0)
            return hpolab_set_error(ctx, HPOLAB_ERR_INVALID,
                                    "%s: missing from the configuration",
                                    hp->name);
        feed(&x, hp->name, strlen(hp->name) + 1);
        int32_t st = feed_value(&x, ctx, hp, c, (uint32_t)i);
        if (st != HPOLAB_OK)
            return st;
    }
    *out = finish(x.h);
    return HPOLAB_OK;
}
