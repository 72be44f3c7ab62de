/* conformance_searcher.c: the battery of a searcher: suggestions inside the
 * space, determinism for a seed, save -> restore -> same next suggestion,
 * degenerate input. The instance is driven as the host would (suggest, then
 * the trial's result and completion). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buffer.h"
#include "conformance_internal.h"
#include "config.h"
#include "options.h"

struct sinst {
    const struct hpolab_searcher_class *cls;
    struct hpolab_ctx ctx;
    void *state;
    struct hpolab_options *opts;
    struct hpolab_config *last; /* the last suggestion, owned */
};

static void s_destroy(struct sinst *si)
{
    if (si->state)
        si->cls->destroy(si->state);
    hpolab_options_free(si->opts);
    hpolab_config_free(si->last);
    memset(si, 0, sizeof *si);
}

static int32_t s_create(struct hpolab_conf_run *run,
                        const struct hpolab_space *space, uint32_t seed,
                        struct sinst *si)
{
    memset(si, 0, sizeof *si);
    si->cls = &run->comp->cls.searcher;
    hpolab_ctx_init(&si->ctx, "searcher", run->comp->id, run->reg);
    struct hpolab_error err;
    int32_t st = hpolab_options_create(run->o->options, "--options", &si->opts,
                                       &err);
    if (st != HPOLAB_OK)
        return hpolab_error_set(&si->ctx.err, st, "%s", err.message);
    struct hpolab_searcher_args a = {
        .struct_size = sizeof a, .space = space, .metric = HPOLAB_CONF_METRIC,
        .mode = HPOLAB_MODE_MIN, .random_seed = seed,
        .resource_attr = HPOLAB_CONF_RESOURCE,
        .max_resource_attr = HPOLAB_CONF_MAX_RESOURCE, .n_workers = 1,
        .options = si->opts};
    st = si->cls->create(&si->ctx, &a, &si->state);
    hpolab_conf_status(run, &si->ctx, st, "create");
    if (st != HPOLAB_OK)
        si->state = NULL;
    /* As in a study: an option nobody read is a mistake of the caller. */
    if (st == HPOLAB_OK &&
        hpolab_options_check_all_read(si->opts, run->component, &err) !=
            HPOLAB_OK)
        st = hpolab_error_set(&si->ctx.err, HPOLAB_ERR_INVALID, "%s",
                              err.message);
    return st;
}

/* A result call, if the class has it. */
static int32_t feed(struct hpolab_conf_run *run, struct sinst *si,
                    int64_t trial, const struct hpolab_config *c,
                    const struct hpolab_result *r, int complete)
{
    int32_t(HPOLAB_ABI * fn)(void *, struct hpolab_ctx *, int64_t,
                             const struct hpolab_config *,
                             const struct hpolab_result *) =
        complete ? si->cls->on_trial_complete : si->cls->on_trial_result;
    if (!fn)
        return HPOLAB_OK;
    hpolab_conf_ctx_reset(&si->ctx);
    int32_t st = fn(si->state, &si->ctx, trial, c, r);
    hpolab_conf_status(run, &si->ctx, st,
                       complete ? "on_trial_complete" : "on_trial_result");
    return st;
}

/* One trial: suggest, check, report. 0: a configuration; 1: exhausted;
 * -1: failure (why says what). The suggestion's JSON goes to trace. */
static int s_step(struct hpolab_conf_run *run, struct sinst *si,
                  const struct hpolab_space *space, int64_t trial,
                  struct hpolab_buffer *trace, char *why, size_t size)
{
    struct hpolab_config *c = NULL;
    hpolab_conf_ctx_reset(&si->ctx);
    int32_t st = si->cls->suggest(si->state, &si->ctx, trial, &c);
    hpolab_conf_status(run, &si->ctx, st, "suggest");
    if (st != HPOLAB_OK) {
        hpolab_config_free(c);
        snprintf(why, size, "suggest(trial %lld) failed: %s", (long long)trial,
                 si->ctx.err.message[0] ? si->ctx.err.message : "no message");
        return -1;
    }
    if (!c) {
        hpolab_buffer_append(trace, "exhausted\n", 10);
        return 1;
    }
    char bad[400];
    if (!hpolab_conf_config_ok(space, c, bad, sizeof bad)) {
        snprintf(why, size, "trial %lld: %s", (long long)trial, bad);
        hpolab_config_free(c);
        return -1;
    }
    char *json = hpolab_record_to_json_text(&c->rec);
    if (json) {
        hpolab_buffer_append(trace, json, strlen(json));
        hpolab_buffer_append(trace, "\n", 1);
    }
    free(json);
    struct hpolab_result *r = hpolab_conf_result(
        hpolab_conf_objective(c, HPOLAB_CONF_MAX_EPOCHS),
        HPOLAB_CONF_MAX_EPOCHS, 1);
    st = r ? feed(run, si, trial, c, r, 0) : HPOLAB_ERR_NOMEM;
    if (st == HPOLAB_OK)
        st = feed(run, si, trial, c, r, 1);
    hpolab_conf_result_free(r);
    hpolab_config_free(si->last);
    si->last = c;
    if (st != HPOLAB_OK) {
        snprintf(why, size, "reporting trial %lld's result failed: %s",
                 (long long)trial,
                 si->ctx.err.message[0] ? si->ctx.err.message : "no message");
        return -1;
    }
    return 0;
}

/* Runs trials [from, to); 0 or -1 as s_step (exhaustion ends it early). */
static int s_run(struct hpolab_conf_run *run, struct sinst *si,
                 const struct hpolab_space *space, int64_t from, int64_t to,
                 struct hpolab_buffer *trace, char *why, size_t size)
{
    for (int64_t t = from; t < to; t++) {
        int r = s_step(run, si, space, t, trace, why, size);
        if (r != 0)
            return r < 0 ? -1 : 0;
    }
    return 0;
}

/* The first line where two traces differ, for the verdict. */
static void first_difference(const struct hpolab_buffer *a,
                             const struct hpolab_buffer *b, char *out,
                             size_t size)
{
    size_t i = 0, line = 0, start = 0;
    while (i < a->len && i < b->len && a->data[i] == b->data[i]) {
        if (a->data[i] == '\n') {
            line++;
            start = i + 1;
        }
        i++;
    }
    size_t la = 0, lb = 0;
    while (start + la < a->len && a->data[start + la] != '\n')
        la++;
    while (start + lb < b->len && b->data[start + lb] != '\n')
        lb++;
    snprintf(out, size, "suggestion %zu: %.*s vs %.*s", line,
             (int)(la > 150 ? 150 : la), (const char *)a->data + start,
             (int)(lb > 150 ? 150 : lb), (const char *)b->data + start);
}

static int same_trace(const struct hpolab_buffer *a,
                      const struct hpolab_buffer *b)
{
    return a->len == b->len && (a->len == 0 ||
                                memcmp(a->data, b->data, a->len) == 0);
}

static void check_space_and_determinism(struct hpolab_conf_run *run,
                                        const struct hpolab_space *space)
{
    const struct hpolab_conformance_options *o = run->o;
    struct sinst a, b;
    memset(&b, 0, sizeof b); /* destroyed even when never created */
    struct hpolab_buffer ta, tb;
    hpolab_buffer_init(&ta);
    hpolab_buffer_init(&tb);
    char why[512] = "";
    int ra = s_create(run, space, o->seed, &a) == HPOLAB_OK
                 ? s_run(run, &a, space, 0, o->n_trials, &ta, why, sizeof why)
                 : -2;
    if (ra == -2)
        hpolab_check_add(run->report, run->component,
                         "suggestions inside the space, of the right types",
                         HPOLAB_CHECK_FAIL, "create failed: %s",
                         a.ctx.err.message[0] ? a.ctx.err.message
                                              : "no message");
    else if (ra == 0)
        hpolab_check_add(run->report, run->component,
                         "suggestions inside the space, of the right types",
                         HPOLAB_CHECK_PASS, "%u trials", o->n_trials);
    else
        hpolab_check_add(run->report, run->component,
                         "suggestions inside the space, of the right types",
                         HPOLAB_CHECK_FAIL, "%s", why);
    char why_b[512] = "";
    int rb = ra == 0 && s_create(run, space, o->seed, &b) == HPOLAB_OK
                 ? s_run(run, &b, space, 0, o->n_trials, &tb, why_b,
                         sizeof why_b)
                 : -2;
    if (ra != 0)
        hpolab_check_add(run->report, run->component,
                         "determinism for a seed", HPOLAB_CHECK_SKIP,
                         "the run above failed");
    else if (rb != 0)
        hpolab_check_add(run->report, run->component,
                         "determinism for a seed", HPOLAB_CHECK_FAIL,
                         "the second run with the same seed failed: %s",
                         why_b[0] ? why_b : b.ctx.err.message);
    else if (!same_trace(&ta, &tb)) {
        first_difference(&ta, &tb, why, sizeof why);
        hpolab_check_add(run->report, run->component,
                         "determinism for a seed", HPOLAB_CHECK_FAIL,
                         "two runs with seed %u differ at %s", o->seed, why);
    } else
        hpolab_check_add(run->report, run->component,
                         "determinism for a seed", HPOLAB_CHECK_PASS,
                         "two runs with seed %u agree", o->seed);
    s_destroy(&a);
    s_destroy(&b);
    hpolab_buffer_free(&ta);
    hpolab_buffer_free(&tb);
}

static void check_save_restore(struct hpolab_conf_run *run,
                               const struct hpolab_space *space)
{
    const char *name = "save -> restore -> same next suggestion";
    const struct hpolab_searcher_class *cls = &run->comp->cls.searcher;
    if (!cls->save || !cls->restore) {
        hpolab_check_add(run->report, run->component, name, HPOLAB_CHECK_SKIP,
                         "not provided");
        return;
    }
    const struct hpolab_conformance_options *o = run->o;
    int64_t half = o->n_trials / 2, end = half + 3;
    struct sinst a, b;
    struct hpolab_buffer ta, tb, saved;
    hpolab_buffer_init(&ta);
    hpolab_buffer_init(&tb);
    hpolab_buffer_init(&saved);
    char why[512] = "";
    int r = s_create(run, space, o->seed, &a) == HPOLAB_OK
                ? s_run(run, &a, space, 0, half, &ta, why, sizeof why)
                : -1;
    int32_t st = HPOLAB_OK;
    if (r == 0) {
        hpolab_conf_ctx_reset(&a.ctx);
        st = cls->save(a.state, &a.ctx, &saved);
        hpolab_conf_status(run, &a.ctx, st, "save");
        if (st != HPOLAB_OK)
            snprintf(why, sizeof why, "save failed: %s", a.ctx.err.message);
    }
    /* B starts from another seed: only the restored state may make it
     * agree with A. */
    if (r == 0 && st == HPOLAB_OK) {
        st = s_create(run, space, o->seed + 1, &b);
        if (st == HPOLAB_OK) {
            hpolab_conf_ctx_reset(&b.ctx);
            st = cls->restore(b.state, &b.ctx, saved.data, saved.len);
            hpolab_conf_status(run, &b.ctx, st, "restore");
            if (st != HPOLAB_OK)
                snprintf(why, sizeof why, "restore of a saved state (%zu "
                         "bytes) failed: %s", saved.len, b.ctx.err.message);
        } else {
            snprintf(why, sizeof why, "create failed: %s", b.ctx.err.message);
        }
    } else {
        memset(&b, 0, sizeof b);
    }
    hpolab_buffer_free(&ta);
    hpolab_buffer_init(&ta);
    if (r == 0 && st == HPOLAB_OK) {
        r = s_run(run, &a, space, half, end, &ta, why, sizeof why);
        if (r == 0)
            r = s_run(run, &b, space, half, end, &tb, why, sizeof why);
    }
    if (r != 0 || st != HPOLAB_OK)
        hpolab_check_add(run->report, run->component, name, HPOLAB_CHECK_FAIL,
                         "%s", why);
    else if (!same_trace(&ta, &tb)) {
        first_difference(&ta, &tb, why, sizeof why);
        hpolab_check_add(run->report, run->component, name, HPOLAB_CHECK_FAIL,
                         "after restore the suggestions differ from the "
                         "saved instance's: %s",
                         why);
    } else
        hpolab_check_add(run->report, run->component, name, HPOLAB_CHECK_PASS,
                         "saved after %lld trials (%zu bytes); the next %lld "
                         "suggestions agree",
                         (long long)half, saved.len, (long long)(end - half));
    s_destroy(&a);
    s_destroy(&b);
    hpolab_buffer_free(&ta);
    hpolab_buffer_free(&tb);
    hpolab_buffer_free(&saved);
}

/* Nothing here may crash or return a configuration outside the space; an
 * error is fine if it carries a message (counted by hpolab_conf_status). */
static void check_degenerate(struct hpolab_conf_run *run,
                             const struct hpolab_space *space,
                             const struct hpolab_space *single)
{
    const char *name = "degenerate input";
    const struct hpolab_searcher_class *cls = &run->comp->cls.searcher;
    char why[512] = "";
    struct hpolab_buffer trace;
    hpolab_buffer_init(&trace);
    struct sinst si;
    int bad = 0;
    /* A space with a single configuration: it must run out, not loop. */
    if (s_create(run, single, run->o->seed, &si) == HPOLAB_OK) {
        for (int64_t t = 0; t < 3 && !bad; t++) {
            int r = s_step(run, &si, single, t, &trace, why, sizeof why);
            bad = r < 0 && si.ctx.err.message[0] == '\0';
            if (r < 0 && !bad)
                break; /* an error with a message is an answer */
            if (r == 1)
                break;
        }
    }
    s_destroy(&si);
    /* Results without the metric, a NaN metric, an unknown trial's error,
     * empty and garbage saved state. */
    if (!bad && s_create(run, space, run->o->seed, &si) == HPOLAB_OK) {
        int r = s_step(run, &si, space, 0, &trace, why, sizeof why);
        if (r == 0 && si.last) {
            struct hpolab_result *nometric = hpolab_conf_result(0, 1, 0);
            struct hpolab_result *nan = hpolab_conf_result(NAN, 1, 1);
            if (nometric && nan) {
                feed(run, &si, 0, si.last, nometric, 0);
                feed(run, &si, 0, si.last, nometric, 1);
                feed(run, &si, 0, si.last, nan, 0);
                feed(run, &si, 0, si.last, nan, 1);
            }
            hpolab_conf_result_free(nometric);
            hpolab_conf_result_free(nan);
            if (cls->on_trial_error) {
                hpolab_conf_ctx_reset(&si.ctx);
                hpolab_conf_status(
                    run, &si.ctx,
                    cls->on_trial_error(si.state, &si.ctx, 999, si.last),
                    "on_trial_error(unknown trial)");
            }
            if (s_step(run, &si, space, 1, &trace, why, sizeof why) < 0 &&
                si.ctx.err.message[0] == '\0')
                bad = 1;
        }
    }
    s_destroy(&si);
    if (!bad && cls->restore) {
        static const char garbage[] = "not a saved state";
        for (int k = 0; k < 2; k++) {
            if (s_create(run, space, run->o->seed, &si) != HPOLAB_OK)
                break;
            hpolab_conf_ctx_reset(&si.ctx);
            int32_t st = k == 0 ? cls->restore(si.state, &si.ctx, NULL, 0)
                                : cls->restore(si.state, &si.ctx, garbage,
                                               sizeof garbage - 1);
            hpolab_conf_status(run, &si.ctx, st,
                               k == 0 ? "restore(empty)" : "restore(garbage)");
            s_destroy(&si);
        }
    }
    hpolab_buffer_free(&trace);
    if (bad)
        hpolab_check_add(run->report, run->component, name, HPOLAB_CHECK_FAIL,
                         "%s", why);
    else
        hpolab_check_add(run->report, run->component, name, HPOLAB_CHECK_PASS,
                         "single-configuration space, results without the "
                         "metric or NaN, an unknown trial's error%s",
                         cls->restore ? ", empty and garbage saved state"
                                      : "");
}

int32_t hpolab_conf_searcher(struct hpolab_conf_run *run)
{
    struct hpolab_space *space = NULL, *single = NULL;
    struct hpolab_error err;
    int32_t st = hpolab_conf_space(0, &space, &err);
    if (st == HPOLAB_OK)
        st = hpolab_conf_space(1, &single, &err);
    if (st == HPOLAB_OK) {
        check_space_and_determinism(run, space);
        check_save_restore(run, space);
        check_degenerate(run, space, single);
    }
    hpolab_space_free(space);
    hpolab_space_free(single);
    return st == HPOLAB_ERR_NOMEM || run->report->n == 0 ? HPOLAB_ERR_NOMEM
                                                         : HPOLAB_OK;
}
