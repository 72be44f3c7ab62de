/* asha_rung.c: one rung as an order-statistic treap (schedulers reference
 * §4.3): insert, k-th entry, first non-promoted entry and the quantile
 * cut-off, each O(log n) expected, so no decision costs time that grows
 * linearly with the number of observations. */
#include <hpolab/types.h>
#include <math.h>
#include <stdlib.h>

#include "asha_rungs.h"

/* Strict order of the rung: a before b. Ties keep insertion order because
 * a new entry goes after every entry it is not before. NaN is worse than
 * every number, so the order is total. */
static int before(int32_t mode, double a, double b)
{
    if (isnan(a))
        return 0;
    if (isnan(b))
        return 1;
    return mode == HPOLAB_MODE_MIN ? a < b : a > b;
}

/* Heap priority from the node index (splitmix64): independent of the
 * values, hence expected O(log n) depth, and deterministic. */
static uint32_t priority(size_t index)
{
    uint64_t z = (uint64_t)index + 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return (uint32_t)((z ^ (z >> 31)) >> 32);
}

static void pull(struct asha_node *nd, uint32_t t)
{
    uint32_t l = nd[t].left, r = nd[t].right;
    nd[t].size = 1 + nd[l].size + nd[r].size;
    nd[t].unpromoted = (nd[t].promoted ? 0u : 1u) + nd[l].unpromoted +
                       nd[r].unpromoted;
}

static uint32_t rotate_right(struct asha_node *nd, uint32_t t)
{
    uint32_t l = nd[t].left;
    nd[t].left = nd[l].right;
    nd[l].right = t;
    pull(nd, t);
    pull(nd, l);
    return l;
}

static uint32_t rotate_left(struct asha_node *nd, uint32_t t)
{
    uint32_t r = nd[t].right;
    nd[t].right = nd[r].left;
    nd[r].left = t;
    pull(nd, t);
    pull(nd, r);
    return r;
}

/* Recursion depth is the treap depth, O(log n) expected. */
static uint32_t insert_at(struct asha_node *nd, uint32_t t, uint32_t x,
                          int32_t mode)
{
    if (!t)
        return x;
    if (before(mode, nd[x].value, nd[t].value)) {
        nd[t].left = insert_at(nd, nd[t].left, x, mode);
        if (nd[nd[t].left].prio > nd[t].prio)
            return rotate_right(nd, t);
    } else {
        nd[t].right = insert_at(nd, nd[t].right, x, mode);
        if (nd[nd[t].right].prio > nd[t].prio)
            return rotate_left(nd, t);
    }
    pull(nd, t);
    return t;
}

int asha_rung_insert(const struct asha_rungs *rs, struct asha_rung *r,
                     int64_t trial_id, double y, int promoted)
{
    if (r->n + 2 > r->cap) {
        /* node indices are uint32_t; index 0 is the sentinel */
        if (r->n + 1 >= UINT32_MAX)
            return ASHA_ERR_NOMEM;
        size_t cap = r->cap ? 2 * r->cap : 16;
        if (cap > (size_t)UINT32_MAX)
            cap = (size_t)UINT32_MAX;
        struct asha_node *nd = realloc(r->nodes, cap * sizeof *nd);
        if (!nd)
            return ASHA_ERR_NOMEM;
        if (!r->nodes)
            nd[0] = (struct asha_node){0};
        r->nodes = nd;
        r->cap = cap;
    }
    uint32_t x = (uint32_t)(r->n + 1);
    r->nodes[x] = (struct asha_node){.value = y,
                                     .trial_id = trial_id,
                                     .size = 1,
                                     .unpromoted = promoted ? 0u : 1u,
                                     .prio = priority(x),
                                     .promoted = promoted ? 1u : 0u};
    r->root = insert_at(r->nodes, r->root, x, rs->mode);
    r->n++;
    return ASHA_OK;
}

static void fill(const struct asha_node *node, struct asha_entry *out)
{
    out->trial_id = node->trial_id;
    out->value = node->value;
    out->promoted = node->promoted;
}

/* The node at rank k < n. */
static const struct asha_node *node_at(const struct asha_rung *r, size_t k)
{
    const struct asha_node *nd = r->nodes;
    uint32_t t = r->root;
    for (;;) {
        size_t ls = nd[nd[t].left].size;
        if (k < ls) {
            t = nd[t].left;
        } else if (k == ls) {
            return &nd[t];
        } else {
            k -= ls + 1;
            t = nd[t].right;
        }
    }
}

int asha_rung_entry(const struct asha_rung *r, size_t k,
                    struct asha_entry *out)
{
    if (k >= r->n)
        return 0;
    fill(node_at(r, k), out);
    return 1;
}

int asha_rung_first_unpromoted(const struct asha_rung *r, size_t *rank,
                               struct asha_entry *out)
{
    const struct asha_node *nd = r->nodes;
    uint32_t t = r->root;
    if (!r->n || !nd[t].unpromoted)
        return 0;
    size_t k = 0;
    for (;;) {
        uint32_t l = nd[t].left;
        if (nd[l].unpromoted) {
            t = l;
            continue;
        }
        k += nd[l].size;
        if (!nd[t].promoted)
            break;
        k++;
        t = nd[t].right;
    }
    *rank = k;
    fill(&nd[t], out);
    return 1;
}

void asha_rung_promote_first(struct asha_rung *r)
{
    struct asha_node *nd = r->nodes;
    uint32_t t = r->root;
    if (!r->n || !nd[t].unpromoted)
        return;
    /* the same descent as asha_rung_first_unpromoted, counting the entry
     * out of every subtree on the way */
    for (;;) {
        nd[t].unpromoted--;
        uint32_t l = nd[t].left;
        if (nd[l].unpromoted) {
            t = l;
        } else if (!nd[t].promoted) {
            nd[t].promoted = 1;
            return;
        } else {
            t = nd[t].right;
        }
    }
}

/* numpy's _lerp: a + (b-a)t, computed from b's side when t >= 0.5. */
static double lerp(double a, double b, double t)
{
    double d = b - a;
    return t >= 0.5 ? b - d * (1.0 - t) : a + d * t;
}

int asha_rung_cutoff(const struct asha_rungs *rs, const struct asha_rung *r,
                     double *out)
{
    size_t n = r->n;
    if (n < 2)
        return 0;
    double q = rs->mode == HPOLAB_MODE_MIN ? r->quantile : 1.0 - r->quantile;
    double h = (double)(n - 1) * q;
    double fi = floor(h);
    size_t i = (size_t)fi;
    if (i > n - 1)
        i = n - 1;
    size_t j = i + 1 < n ? i + 1 : n - 1;
    /* Entries are best-first; ascending order is reversed for max. */
    size_t ai = rs->mode == HPOLAB_MODE_MIN ? i : n - 1 - i;
    size_t aj = rs->mode == HPOLAB_MODE_MIN ? j : n - 1 - j;
    *out = lerp(node_at(r, ai)->value, node_at(r, aj)->value, h - fi);
    return 1;
}
