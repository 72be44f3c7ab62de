/* local_table.c: live runs by trial id. A chained hash keeps every lookup
 * O(1) however many trials an experiment has; the live list is what a poll
 * round walks (only runs whose process is not yet reaped). */
#include <stdlib.h>

#include "local_internal.h"

static size_t bucket_of(const struct local_table *t, int64_t id)
{
    uint64_t h = (uint64_t)id * 0x9e3779b97f4a7c15ULL;
    return (size_t)(h >> 32) & (t->nbuckets - 1);
}

int local_table_init(struct local_table *t)
{
    t->nbuckets = 64;
    t->count = 0;
    t->live = NULL;
    t->buckets = calloc(t->nbuckets, sizeof *t->buckets);
    return t->buckets ? 0 : -1;
}

void local_table_free(struct local_table *t)
{
    free(t->buckets);
    t->buckets = NULL;
    t->nbuckets = t->count = 0;
}

struct local_run *local_table_find(const struct local_table *t, int64_t id)
{
    for (struct local_run *r = t->buckets[bucket_of(t, id)]; r;
         r = r->hash_next)
        if (r->trial_id == id)
            return r;
    return NULL;
}

static int grow(struct local_table *t)
{
    size_t old_n = t->nbuckets;
    struct local_run **old = t->buckets;
    struct local_run **nb = calloc(old_n * 2, sizeof *nb);
    if (!nb)
        return -1;
    t->buckets = nb;
    t->nbuckets = old_n * 2;
    for (size_t i = 0; i < old_n; i++) {
        struct local_run *r = old[i];
        while (r) {
            struct local_run *next = r->hash_next;
            size_t b = bucket_of(t, r->trial_id);
            r->hash_next = nb[b];
            nb[b] = r;
            r = next;
        }
    }
    free(old);
    return 0;
}

int local_table_add(struct local_table *t, struct local_run *run)
{
    if (t->count + 1 > t->nbuckets && grow(t) != 0)
        return -1;
    size_t b = bucket_of(t, run->trial_id);
    run->hash_next = t->buckets[b];
    t->buckets[b] = run;
    run->live_prev = NULL;
    run->live_next = t->live;
    if (t->live)
        t->live->live_prev = run;
    t->live = run;
    t->count++;
    return 0;
}

void local_table_remove(struct local_table *t, struct local_run *run)
{
    struct local_run **pp = &t->buckets[bucket_of(t, run->trial_id)];
    while (*pp && *pp != run)
        pp = &(*pp)->hash_next;
    if (!*pp)
        return;
    *pp = run->hash_next;
    if (run->live_prev)
        run->live_prev->live_next = run->live_next;
    else
        t->live = run->live_next;
    if (run->live_next)
        run->live_next->live_prev = run->live_prev;
    run->hash_next = run->live_prev = run->live_next = NULL;
    t->count--;
}
