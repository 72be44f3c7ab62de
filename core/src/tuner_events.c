/* tuner_events.c: the sink behind host->emit_*: events are copied into a
 * queue while the backend's wait_events runs, then processed by the tuner
 * loop, so no plugin is ever called back re-entrantly. */
#include <stdlib.h>
#include <string.h>

#include "tuner_internal.h"

static int32_t queue(struct hpolab_tuner *t, int32_t type, int64_t trial_id,
                     int32_t status, const char *data, size_t len)
{
    if (trial_id < 0 || trial_id >= t->num_trials)
        return hpolab_error_set(&t->backend_ctx.err, HPOLAB_ERR_NOT_FOUND,
                                "event for unknown trial %lld",
                                (long long)trial_id);
    if (t->num_events == t->cap_events) {
        size_t cap = t->cap_events ? t->cap_events * 2 : 64;
        struct tuner_event *ev = realloc(t->events, cap * sizeof *ev);
        if (!ev) {
            t->event_error = HPOLAB_ERR_NOMEM;
            return HPOLAB_ERR_NOMEM;
        }
        t->events = ev;
        t->cap_events = cap;
    }
    char *copy = NULL;
    if (data) {
        copy = malloc(len + 1);
        if (!copy) {
            t->event_error = HPOLAB_ERR_NOMEM;
            return HPOLAB_ERR_NOMEM;
        }
        memcpy(copy, data, len);
        copy[len] = '\0';
    }
    t->events[t->num_events++] = (struct tuner_event){
        .type = type, .trial_id = trial_id, .status = status,
        .data = copy, .len = len};
    return HPOLAB_OK;
}

static int32_t on_line(void *user, int64_t trial_id, const char *line,
                       uint64_t len)
{
    return queue(user, EVENT_LINE, trial_id, 0, line, (size_t)len);
}

static int32_t on_result(void *user, int64_t trial_id, const char *json,
                         uint64_t len)
{
    return queue(user, EVENT_RESULT, trial_id, 0, json, (size_t)len);
}

static int32_t on_exit_event(void *user, int64_t trial_id, int32_t status,
                       const char *message)
{
    return queue(user, EVENT_EXIT, trial_id, status, message,
                 message ? strlen(message) : 0);
}

void hpolab_tuner_init_sink(struct hpolab_tuner *t)
{
    t->sink.line = on_line;
    t->sink.result = on_result;
    t->sink.exit = on_exit_event;
    t->sink.user = t;
}

void hpolab_tuner_clear_events(struct hpolab_tuner *t)
{
    for (size_t i = 0; i < t->num_events; i++)
        free(t->events[i].data);
    t->num_events = 0;
}
