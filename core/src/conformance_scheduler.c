/* conformance_scheduler.c: the battery of a scheduler. A small simulated
 * tuner (2 workers, trials of up to 9 epochs, a synthetic objective) drives
 * it: suggestions inside the space with the right trial ids, decisions only
 * CONTINUE/PAUSE/STOP, resumes only of paused trials, determinism for a seed,
 * save -> restore -> same next suggestion, degenerate input. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buffer.h"
#include "conformance_internal.h"
#include "config.h"
#include "options.h"

#define SIM_MAX_TRIALS 128
#define SIM_WORKERS 2
#define T_RUNNING 0
#define T_PAUSED 1
#define T_DONE 2

struct strial {
    struct hpolab_config *config; /* owned */
    int64_t epoch;
    int state;
};

struct sim {
    const struct hpolab_scheduler_class *cls;
    struct hpolab_ctx ctx;
    void *state;
    struct hpolab_options *opts, *sopts;
    struct strial trials[SIM_MAX_TRIALS];
    int64_t next_id;
    int exhausted;
    int bad_decision; /* why holds the reason */
};

static void sim_destroy(struct sim *s)
{
    if (s->state)
        s->cls->destroy(s->state);
    hpolab_options_free(s->opts);
    hpolab_options_free(s->sopts);
    for (int i = 0; i < SIM_MAX_TRIALS; i++)
        hpolab_config_free(s->trials[i].config);
    memset(s, 0, sizeof *s);
}

static int32_t sim_create(struct hpolab_conf_run *run,
                          const struct hpolab_space *space, uint32_t seed,
                          struct sim *s)
{
    memset(s, 0, sizeof *s);
    s->cls = &run->comp->cls.scheduler;
    hpolab_ctx_init(&s->ctx, "scheduler", run->comp->id, run->reg);
    struct hpolab_error err;
    int32_t st = hpolab_options_create(run->o->options, "--options",
                                       &s->opts, &err);
    if (st == HPOLAB_OK)
        st = hpolab_options_create(run->o->searcher_options,
                                   "--searcher-options",
                                   &s->sopts, &err);
    if (st != HPOLAB_OK)
        return hpolab_error_set(&s->ctx.err, st, "%s", err.message);
    struct hpolab_scheduler_args a = {
        .struct_size = sizeof a, .space = space, .metric = HPOLAB_CONF_METRIC,
        .mode = HPOLAB_MODE_MIN, .random_seed = seed,
        .resource_attr = HPOLAB_CONF_RESOURCE,
        .max_resource_attr = HPOLAB_CONF_MAX_RESOURCE,
        .n_workers = SIM_WORKERS, .searcher = run->o->searcher,
        .options = s->opts, .searcher_options = s->sopts};
    st = s->cls->create(&s->ctx, &a, &s->state);
    hpolab_conf_status(run, &s->ctx, st, "create");
    if (st != HPOLAB_OK)
        s->state = NULL;
    /* As in a study: an option nobody read is a mistake of the caller. */
    if (st == HPOLAB_OK &&
        (hpolab_options_check_all_read(s->opts, run->component, &err) !=
             HPOLAB_OK ||
         hpolab_options_check_all_read(s->sopts, "its searcher", &err) !=
             HPOLAB_OK))
        st = hpolab_error_set(&s->ctx.err, HPOLAB_ERR_INVALID, "%s",
                              err.message);
    return st;
}

static void trace_add(struct hpolab_buffer *trace, const char *fmt, ...)
    HPOLAB_PRINTF(2, 3);
static void trace_add(struct hpolab_buffer *trace, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n > 0)
        hpolab_buffer_append(trace, line,
                             (size_t)n < sizeof line ? (size_t)n
                                                     : sizeof line - 1);
}

static int running_count(const struct sim *s)
{
    int n = 0;
    for (int64_t i = 0; i < s->next_id; i++)
        n += s->trials[i].state == T_RUNNING;
    return n;
}

/* One suggest. 0: something (or nothing) to do; 1: no new work now;
 * -1: failure (why). */
static int sim_suggest(struct hpolab_conf_run *run, struct sim *s,
                       const struct hpolab_space *space,
                       struct hpolab_buffer *trace, char *why, size_t size)
{
    struct hpolab_suggestion sg;
    memset(&sg, 0, sizeof sg);
    sg.struct_size = sizeof sg;
    sg.checkpoint_trial_id = -1;
    hpolab_conf_ctx_reset(&s->ctx);
    int32_t st = s->cls->suggest(s->state, &s->ctx, s->next_id, &sg);
    hpolab_conf_status(run, &s->ctx, st, "suggest");
    char bad[400];
    int r = 0;
    if (st != HPOLAB_OK) {
        snprintf(why, size, "suggest(next trial %lld) failed: %s",
                 (long long)s->next_id,
                 s->ctx.err.message[0] ? s->ctx.err.message : "no message");
        r = -1;
    } else if (sg.action == HPOLAB_SUGGEST_NEW) {
        if (sg.trial_id != s->next_id) {
            snprintf(why, size, "NEW trial id %lld, expected the next id %lld",
                     (long long)sg.trial_id, (long long)s->next_id);
            r = -1;
        } else if (!hpolab_conf_config_ok(space, sg.config, bad, sizeof bad)) {
            snprintf(why, size, "trial %lld: %s", (long long)sg.trial_id, bad);
            r = -1;
        } else if (s->next_id >= SIM_MAX_TRIALS) {
            r = 1;
        } else {
            struct strial *t = &s->trials[s->next_id++];
            t->config = sg.config;
            sg.config = NULL;
            char *json = hpolab_record_to_json_text(&t->config->rec);
            trace_add(trace, "new %lld %s\n", (long long)sg.trial_id,
                      json ? json : "");
            free(json);
            if (s->cls->on_trial_add) {
                hpolab_conf_ctx_reset(&s->ctx);
                st = s->cls->on_trial_add(s->state, &s->ctx, sg.trial_id,
                                          t->config);
                hpolab_conf_status(run, &s->ctx, st, "on_trial_add");
            }
        }
    } else if (sg.action == HPOLAB_SUGGEST_RESUME) {
        if (sg.trial_id < 0 || sg.trial_id >= s->next_id ||
            s->trials[sg.trial_id].state != T_PAUSED) {
            snprintf(why, size, "RESUME of trial %lld, which is not paused",
                     (long long)sg.trial_id);
            r = -1;
        } else if (sg.config &&
                   !hpolab_conf_config_ok(space, sg.config, bad, sizeof bad)) {
            snprintf(why, size, "resumed trial %lld: %s",
                     (long long)sg.trial_id, bad);
            r = -1;
        } else {
            struct strial *t = &s->trials[sg.trial_id];
            if (sg.config) {
                hpolab_config_free(t->config);
                t->config = sg.config;
                sg.config = NULL;
            }
            t->state = T_RUNNING;
            trace_add(trace, "resume %lld\n", (long long)sg.trial_id);
        }
    } else if (sg.action == HPOLAB_SUGGEST_EXHAUSTED) {
        s->exhausted = 1;
        trace_add(trace, "exhausted\n");
        r = 1;
    } else if (sg.action == HPOLAB_SUGGEST_NOTHING) {
        trace_add(trace, "nothing\n");
        r = 1;
    } else {
        snprintf(why, size, "suggest returned action %d, not one of NOTHING, "
                 "NEW, RESUME, EXHAUSTED", (int)sg.action);
        r = -1;
    }
    hpolab_config_free(sg.config);
    return r;
}

static int32_t sim_notify(struct hpolab_conf_run *run, struct sim *s,
                          int64_t id, const struct hpolab_result *r,
                          int complete)
{
    hpolab_conf_ctx_reset(&s->ctx);
    int32_t st = HPOLAB_OK;
    if (complete && s->cls->on_trial_complete) {
        st = s->cls->on_trial_complete(s->state, &s->ctx, id,
                                       s->trials[id].config, r);
        hpolab_conf_status(run, &s->ctx, st, "on_trial_complete");
    } else if (!complete && s->cls->on_trial_remove) {
        st = s->cls->on_trial_remove(s->state, &s->ctx, id);
        hpolab_conf_status(run, &s->ctx, st, "on_trial_remove");
    }
    return st;
}

/* One epoch of every running trial. 0 or -1 (why). */
static int sim_advance(struct hpolab_conf_run *run, struct sim *s,
                       struct hpolab_buffer *trace, char *why, size_t size)
{
    for (int64_t id = 0; id < s->next_id; id++) {
        struct strial *t = &s->trials[id];
        if (t->state != T_RUNNING)
            continue;
        t->epoch++;
        struct hpolab_result *r = hpolab_conf_result(
            hpolab_conf_objective(t->config, t->epoch), t->epoch, 1);
        if (!r)
            return -1;
        int32_t decision = -1;
        hpolab_conf_ctx_reset(&s->ctx);
        int32_t st = s->cls->on_trial_result(s->state, &s->ctx, id, t->config,
                                             r, &decision);
        hpolab_conf_status(run, &s->ctx, st, "on_trial_result");
        if (st != HPOLAB_OK) {
            snprintf(why, size, "on_trial_result(trial %lld, epoch %lld) "
                     "failed: %s", (long long)id, (long long)t->epoch,
                     s->ctx.err.message[0] ? s->ctx.err.message
                                           : "no message");
            hpolab_conf_result_free(r);
            return -1;
        }
        trace_add(trace, "result %lld %lld -> %d\n", (long long)id,
                  (long long)t->epoch, (int)decision);
        if (decision != HPOLAB_DECISION_CONTINUE &&
            decision != HPOLAB_DECISION_PAUSE &&
            decision != HPOLAB_DECISION_STOP) {
            snprintf(why, size, "decision %d for trial %lld is not one of "
                     "CONTINUE (0), PAUSE (1), STOP (2)", (int)decision,
                     (long long)id);
            s->bad_decision = 1;
            hpolab_conf_result_free(r);
            return -1;
        }
        if (decision == HPOLAB_DECISION_CONTINUE &&
            t->epoch >= HPOLAB_CONF_MAX_EPOCHS) {
            t->state = T_DONE;
            st = sim_notify(run, s, id, r, 1);
        } else if (decision != HPOLAB_DECISION_CONTINUE) {
            t->state = decision == HPOLAB_DECISION_PAUSE ? T_PAUSED : T_DONE;
            st = sim_notify(run, s, id, r, 0);
        }
        hpolab_conf_result_free(r);
        if (st != HPOLAB_OK) {
            snprintf(why, size, "trial %lld: %s", (long long)id,
                     s->ctx.err.message[0] ? s->ctx.err.message
                                           : "no message");
            return -1;
        }
    }
    return 0;
}

/* steps rounds of: fill free workers, advance running trials. */
static int sim_run(struct hpolab_conf_run *run, struct sim *s,
                   const struct hpolab_space *space, int steps,
                   struct hpolab_buffer *trace, char *why, size_t size)
{
    for (int k = 0; k < steps; k++) {
        while (!s->exhausted && running_count(s) < SIM_WORKERS &&
               s->next_id < (int64_t)run->o->n_trials) {
            int r = sim_suggest(run, s, space, trace, why, size);
            if (r < 0)
                return -1;
            if (r > 0)
                break;
        }
        if (sim_advance(run, s, trace, why, size) < 0)
            return -1;
    }
    return 0;
}

#define STEPS 40

static void check_runs(struct hpolab_conf_run *run,
                       const struct hpolab_space *space)
{
    const char *n_space = "suggestions inside the space, of the right types";
    const char *n_dec = "decisions only from the allowed set";
    const char *n_det = "determinism for a seed";
    struct sim a, b;
    struct hpolab_buffer ta, tb;
    hpolab_buffer_init(&ta);
    hpolab_buffer_init(&tb);
    char why[512] = "";
    int ra;
    if (sim_create(run, space, run->o->seed, &a) != HPOLAB_OK) {
        ra = -2;
        snprintf(why, sizeof why, "create failed: %s",
                 a.ctx.err.message[0] ? a.ctx.err.message : "no message");
    } else {
        ra = sim_run(run, &a, space, STEPS, &ta, why, sizeof why);
    }
    if (ra == 0)
        hpolab_check_add(run->report, run->component, n_space,
                         HPOLAB_CHECK_PASS, "%lld trials started",
                         (long long)a.next_id);
    else
        hpolab_check_add(run->report, run->component, n_space,
                         a.bad_decision ? HPOLAB_CHECK_SKIP
                                        : HPOLAB_CHECK_FAIL,
                         "%s", a.bad_decision ? "see the decisions" : why);
    if (a.bad_decision)
        hpolab_check_add(run->report, run->component, n_dec, HPOLAB_CHECK_FAIL,
                         "%s", why);
    else if (ra == 0)
        hpolab_check_add(run->report, run->component, n_dec, HPOLAB_CHECK_PASS,
                         "every decision was CONTINUE, PAUSE or STOP");
    else
        hpolab_check_add(run->report, run->component, n_dec, HPOLAB_CHECK_SKIP,
                         "the run failed before");
    int rb = -2;
    char why_b[512] = "";
    memset(&b, 0, sizeof b);
    if (ra == 0 && sim_create(run, space, run->o->seed, &b) == HPOLAB_OK)
        rb = sim_run(run, &b, space, STEPS, &tb, why_b, sizeof why_b);
    if (ra != 0)
        hpolab_check_add(run->report, run->component, n_det,
                         HPOLAB_CHECK_SKIP, "the run above failed");
    else if (rb != 0)
        hpolab_check_add(run->report, run->component, n_det,
                         HPOLAB_CHECK_FAIL, "the second run failed: %s",
                         why_b[0] ? why_b : b.ctx.err.message);
    else if (ta.len != tb.len ||
             (ta.len && memcmp(ta.data, tb.data, ta.len) != 0))
        hpolab_check_add(run->report, run->component, n_det,
                         HPOLAB_CHECK_FAIL,
                         "two runs with seed %u made different suggestions or "
                         "decisions",
                         run->o->seed);
    else
        hpolab_check_add(run->report, run->component, n_det,
                         HPOLAB_CHECK_PASS, "two runs with seed %u agree",
                         run->o->seed);
    sim_destroy(&a);
    sim_destroy(&b);
    hpolab_buffer_free(&ta);
    hpolab_buffer_free(&tb);
}

static void check_save_restore(struct hpolab_conf_run *run,
                               const struct hpolab_space *space)
{
    const char *name = "save -> restore -> same next suggestion";
    const struct hpolab_scheduler_class *cls = &run->comp->cls.scheduler;
    if (!cls->save || !cls->restore) {
        hpolab_check_add(run->report, run->component, name, HPOLAB_CHECK_SKIP,
                         "not provided");
        return;
    }
    struct sim a, b;
    memset(&b, 0, sizeof b);
    struct hpolab_buffer ta, tb, saved;
    hpolab_buffer_init(&ta);
    hpolab_buffer_init(&tb);
    hpolab_buffer_init(&saved);
    char why[512] = "";
    int r = sim_create(run, space, run->o->seed, &a) == HPOLAB_OK
                ? sim_run(run, &a, space, 3, &ta, why, sizeof why)
                : -1;
    if (r != 0 && !why[0])
        snprintf(why, sizeof why, "create failed: %s", a.ctx.err.message);
    int32_t st = HPOLAB_OK;
    if (r == 0) {
        hpolab_conf_ctx_reset(&a.ctx);
        st = cls->save(a.state, &a.ctx, &saved);
        hpolab_conf_status(run, &a.ctx, st, "save");
        if (st != HPOLAB_OK)
            snprintf(why, sizeof why, "save failed: %s", a.ctx.err.message);
    }
    if (r == 0 && st == HPOLAB_OK) {
        st = sim_create(run, space, run->o->seed + 1, &b);
        if (st == HPOLAB_OK) {
            hpolab_conf_ctx_reset(&b.ctx);
            st = cls->restore(b.state, &b.ctx, saved.data, saved.len);
            hpolab_conf_status(run, &b.ctx, st, "restore");
        }
        if (st != HPOLAB_OK)
            snprintf(why, sizeof why, "restore failed: %s",
                     b.ctx.err.message);
        b.next_id = a.next_id; /* the host's bookkeeping of trials */
        for (int64_t i = 0; st == HPOLAB_OK && i < a.next_id; i++) {
            b.trials[i].state = a.trials[i].state;
            b.trials[i].epoch = a.trials[i].epoch;
            b.trials[i].config = hpolab_config_dup(a.trials[i].config);
        }
    }
    hpolab_buffer_free(&ta);
    hpolab_buffer_init(&ta);
    if (r == 0 && st == HPOLAB_OK) {
        r = sim_suggest(run, &a, space, &ta, why, sizeof why) < 0 ? -1 : 0;
        if (r == 0)
            r = sim_suggest(run, &b, space, &tb, why, sizeof why) < 0 ? -1 : 0;
    }
    if (r != 0 || st != HPOLAB_OK)
        hpolab_check_add(run->report, run->component, name, HPOLAB_CHECK_FAIL,
                         "%s", why);
    else if (ta.len != tb.len || memcmp(ta.data, tb.data, ta.len) != 0)
        hpolab_check_add(run->report, run->component, name, HPOLAB_CHECK_FAIL,
                         "after restore the next suggestion differs: %.*s vs "
                         "%.*s",
                         (int)(ta.len > 150 ? 150 : ta.len),
                         (const char *)ta.data,
                         (int)(tb.len > 150 ? 150 : tb.len),
                         (const char *)tb.data);
    else
        hpolab_check_add(run->report, run->component, name, HPOLAB_CHECK_PASS,
                         "saved after %lld trials (%zu bytes); the next "
                         "suggestion agrees",
                         (long long)a.next_id, saved.len);
    sim_destroy(&a);
    sim_destroy(&b);
    hpolab_buffer_free(&ta);
    hpolab_buffer_free(&tb);
    hpolab_buffer_free(&saved);
}

static void check_degenerate(struct hpolab_conf_run *run,
                             const struct hpolab_space *space,
                             const struct hpolab_space *single)
{
    const struct hpolab_scheduler_class *cls = &run->comp->cls.scheduler;
    struct sim s;
    struct hpolab_buffer trace;
    hpolab_buffer_init(&trace);
    char why[512] = "";
    int bad = 0;
    /* A single configuration: errors with a message are answers. */
    if (sim_create(run, single, run->o->seed, &s) == HPOLAB_OK &&
        sim_run(run, &s, single, 12, &trace, why, sizeof why) < 0 &&
        (s.ctx.err.message[0] == '\0' || s.bad_decision ||
         strstr(why, "trial ") == why || strstr(why, "NEW trial") ||
         strstr(why, "RESUME") || strstr(why, "action")))
        bad = 1;
    sim_destroy(&s);
    if (!bad && sim_create(run, space, run->o->seed, &s) == HPOLAB_OK &&
        sim_suggest(run, &s, space, &trace, why, sizeof why) == 0 &&
        s.next_id > 0) {
        struct hpolab_result *nometric = hpolab_conf_result(0, 1, 0);
        struct hpolab_result *nan = hpolab_conf_result(NAN, 1, 1);
        for (int k = 0; k < 2 && nometric && nan && !bad; k++) {
            int32_t decision = -1;
            hpolab_conf_ctx_reset(&s.ctx);
            int32_t st = cls->on_trial_result(s.state, &s.ctx, 0,
                                              s.trials[0].config,
                                              k ? nan : nometric, &decision);
            hpolab_conf_status(run, &s.ctx, st,
                               k ? "on_trial_result(NaN metric)"
                                 : "on_trial_result(no metric)");
            if (st == HPOLAB_OK && decision != HPOLAB_DECISION_CONTINUE &&
                decision != HPOLAB_DECISION_PAUSE &&
                decision != HPOLAB_DECISION_STOP) {
                snprintf(why, sizeof why, "decision %d on a %s result",
                         (int)decision, k ? "NaN" : "metric-less");
                bad = 1;
            }
        }
        hpolab_conf_result_free(nometric);
        hpolab_conf_result_free(nan);
        if (cls->on_trial_error) {
            hpolab_conf_ctx_reset(&s.ctx);
            hpolab_conf_status(run, &s.ctx,
                               cls->on_trial_error(s.state, &s.ctx, 999,
                                                   s.trials[0].config),
                               "on_trial_error(unknown trial)");
        }
        if (cls->on_trial_remove) {
            hpolab_conf_ctx_reset(&s.ctx);
            hpolab_conf_status(run, &s.ctx,
                               cls->on_trial_remove(s.state, &s.ctx, 999),
                               "on_trial_remove(unknown trial)");
        }
    }
    sim_destroy(&s);
    if (!bad && cls->restore) {
        static const char garbage[] = "not a saved state";
        for (int k = 0; k < 2; k++) {
            if (sim_create(run, space, run->o->seed, &s) != HPOLAB_OK)
                break;
            hpolab_conf_ctx_reset(&s.ctx);
            int32_t st = k == 0 ? cls->restore(s.state, &s.ctx, NULL, 0)
                                : cls->restore(s.state, &s.ctx, garbage,
                                               sizeof garbage - 1);
            hpolab_conf_status(run, &s.ctx, st,
                               k == 0 ? "restore(empty)" : "restore(garbage)");
            sim_destroy(&s);
        }
    }
    hpolab_buffer_free(&trace);
    if (bad)
        hpolab_check_add(run->report, run->component, "degenerate input",
                         HPOLAB_CHECK_FAIL, "%s", why);
    else
        hpolab_check_add(run->report, run->component, "degenerate input",
                         HPOLAB_CHECK_PASS,
                         "single-configuration space, results without the "
                         "metric or NaN, unknown trials%s",
                         cls->restore ? ", empty and garbage saved state"
                                      : "");
}

int32_t hpolab_conf_scheduler(struct hpolab_conf_run *run)
{
    struct hpolab_space *space = NULL, *single = NULL;
    struct hpolab_error err;
    int32_t st = hpolab_conf_space(0, &space, &err);
    if (st == HPOLAB_OK)
        st = hpolab_conf_space(1, &single, &err);
    if (st == HPOLAB_OK) {
        check_runs(run, space);
        check_save_restore(run, space);
        check_degenerate(run, space, single);
    }
    hpolab_space_free(space);
    hpolab_space_free(single);
    return st == HPOLAB_ERR_NOMEM ? HPOLAB_ERR_NOMEM : HPOLAB_OK;
}
