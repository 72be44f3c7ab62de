/* sim_queue.h: the simulator's event queue, a binary min-heap ordered by
 * (time, seq): events due at the same simulated time come out in the order
 * they were pushed, so a fixed seed replays the same history. Pure C, no
 * host calls (tests compile it directly). */
#ifndef HPOLAB_SIM_QUEUE_H
#define HPOLAB_SIM_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#define SIM_EV_RESULT 0 /* result `index` of the trial's curve */
#define SIM_EV_EXIT 1   /* the run completed */

struct sim_event {
    double time;     /* simulated seconds since tuning started */
    uint64_t seq;    /* push order, breaks ties */
    int64_t trial_id;
    uint64_t run;    /* the trial's run it belongs to (stale once the trial
                        was stopped or restarted) */
    int32_t type;    /* SIM_EV_* */
    uint32_t index;  /* SIM_EV_RESULT: point of the trial's curve */
};

struct sim_queue {
    struct sim_event *heap; /* owned */
    size_t count, cap;
    uint64_t next_seq;
};

void sim_queue_init(struct sim_queue *q);
void sim_queue_free(struct sim_queue *q);
/* Copies ev (its seq is assigned here). 0 on success, -1 out of memory. */
int sim_queue_push(struct sim_queue *q, const struct sim_event *ev);
/* The earliest event, or NULL when empty; [borrowed] until the next push
 * or pop. */
const struct sim_event *sim_queue_peek(const struct sim_queue *q);
/* Remove the earliest event into *out (may be NULL); 0, or -1 when empty. */
int sim_queue_pop(struct sim_queue *q, struct sim_event *out);

#endif
