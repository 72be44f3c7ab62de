#include "sim_queue.h"

#include <stdlib.h>

void sim_queue_init(struct sim_queue *q)
{
    q->heap = NULL;
    q->count = q->cap = 0;
    q->next_seq = 0;
}

void sim_queue_free(struct sim_queue *q)
{
    free(q->heap);
    sim_queue_init(q);
}

static int before(const struct sim_event *a, const struct sim_event *b)
{
    return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

int sim_queue_push(struct sim_queue *q, const struct sim_event *ev)
{
    if (q->count == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 64;
        struct sim_event *h = realloc(q->heap, cap * sizeof *h);
        if (!h)
            return -1;
        q->heap = h;
        q->cap = cap;
    }
    struct sim_event e = *ev;
    e.seq = q->next_seq++;
    size_t i = q->count++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!before(&e, &q->heap[parent]))
            break;
        q->heap[i] = q->heap[parent];
        i = parent;
    }
    q->heap[i] = e;
    return 0;
}

const struct sim_event *sim_queue_peek(const struct sim_queue *q)
{
    return q->count ? &q->heap[0] : NULL;
}

int sim_queue_pop(struct sim_queue *q, struct sim_event *out)
{
    if (!q->count)
        return -1;
    if (out)
        *out = q->heap[0];
    struct sim_event last = q->heap[--q->count];
    size_t i = 0, n = q->count;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && before(&q->heap[c + 1], &q->heap[c]))
            c++;
        if (!before(&q->heap[c], &last))
            break;
        q->heap[i] = q->heap[c];
        i = c;
    }
    if (n)
        q->heap[i] = last;
    return 0;
}
