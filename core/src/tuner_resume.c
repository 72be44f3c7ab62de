/* tuner_resume.c: `hpolab run --resume`: the tuner is rebuilt from the
 * journal: every line's effect on the trial table and the results rows is
 * applied again, the scheduler is restored from its snapshot and then gets
 * the journaled calls made after it, in order, with the journaled inputs; its
 * answers are compared with the journaled ones (a difference is a warning:
 * the journal's answer is what happened, and it is kept). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "fsutil.h"
#include "log.h"
#include "results_table.h"
#include "results_zip.h"
#include "tuner_internal.h"
#include "tuner_journal.h"

#define MAX_MISMATCH_WARNINGS 10

struct replay {
    struct hpolab_tuner *t;
    int64_t line;       /* index of the line being replayed */
    int64_t sched_from; /* scheduler calls replayed from this line on */
    int64_t mismatches;
    /* the last suggestion, until its trial starts */
    int64_t pend_id;
    int pend_resume, pend_added;
    int64_t pend_ckpt;
    /* per trial: checkpoint source and result count of its last start */
    int64_t *start_ckpt;
    int64_t *start_results;
    int64_t cap;
    int complete;
    double last_at;
};

static int32_t bad_line(struct replay *r, struct hpolab_error *err,
                        const char *what)
{
    return hpolab_error_set(err, HPOLAB_ERR_PARSE,
                            "%s/" HPOLAB_JOURNAL_FILE ": line %lld: %s",
                            r->t->o.experiment_dir, (long long)r->line + 1,
                            what);
}

static void mismatch(struct replay *r, const char *event, int64_t id,
                     const char *now, const char *then)
{
    r->mismatches++;
    if (r->mismatches > MAX_MISMATCH_WARNINGS)
        return;
    hpolab_logf(HPOLAB_LOG_WARN,
                "%s/" HPOLAB_JOURNAL_FILE ": line %lld (%s, trial %lld): the "
                "scheduler '%s' now answers %s, the journal says %s: it is "
                "not deterministic; the journal's answer is kept",
                r->t->o.experiment_dir, (long long)r->line + 1, event,
                (long long)id, r->t->o.scheduler, now, then);
}

static void sched_warn(struct hpolab_tuner *t, int32_t st, const char *what)
{
    if (st == HPOLAB_OK)
        return;
    struct hpolab_error e;
    hpolab_ctx_error(&t->sched_ctx, st, &e);
    hpolab_logf(HPOLAB_LOG_WARN, "replaying %s: %s", what, e.message);
}

static int grow(struct replay *r, int64_t n)
{
    if (n <= r->cap)
        return 0;
    int64_t cap = r->cap ? r->cap * 2 : 64;
    while (cap < n)
        cap *= 2;
    int64_t *a = realloc(r->start_ckpt, (size_t)cap * sizeof *a);
    if (!a)
        return -1;
    r->start_ckpt = a;
    int64_t *b = realloc(r->start_results, (size_t)cap * sizeof *b);
    if (!b)
        return -1;
    r->start_results = b;
    for (int64_t i = r->cap; i < cap; i++)
        r->start_ckpt[i] = -1, r->start_results[i] = 0;
    r->cap = cap;
    return 0;
}

static int64_t get_int(const json_t *o, const char *k, int64_t dflt)
{
    const json_t *v = json_object_get(o, k);
    return json_is_integer(v) ? json_integer_value(v) : dflt;
}

static const char *get_str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static struct tuner_trial *trial_of(struct replay *r, const json_t *line,
                                    struct hpolab_error *err, int32_t *st)
{
    int64_t id = get_int(line, "id", -1);
    if (id < 0 || id >= r->t->num_trials) {
        *st = bad_line(r, err, "names a trial that was never suggested");
        return NULL;
    }
    *st = HPOLAB_OK;
    return &r->t->trials[id];
}

/* trial_of for start, result and exit lines: the trial must not have ended
 * (the tuner journals none for an ended trial; its run record is gone). */
static struct tuner_trial *live_trial_of(struct replay *r, const json_t *line,
                                         struct hpolab_error *err, int32_t *st)
{
    struct tuner_trial *tr = trial_of(r, line, err, st);
    if (tr && !tr->run) {
        *st = bad_line(r, err, "names a trial that has ended");
        return NULL;
    }
    return tr;
}

static int replaying_scheduler(const struct replay *r)
{
    return r->line >= r->sched_from;
}

/* ---- trial state changes (as tuner.c makes them; counters are recomputed
 * at the end) ---- */

static void fail(struct replay *r, struct tuner_trial *tr, int64_t id,
                 const char *msg)
{
    struct hpolab_tuner *t = r->t;
    tr->running = 0;
    tr->status = HPOLAB_TRIAL_FAILED;
    hpolab_tuner_note_failure(t, id, msg);
    if (replaying_scheduler(r) && t->sched_comp->cls.scheduler.on_trial_error) {
        hpolab_error_clear(&t->sched_ctx.err);
        sched_warn(t,
                   t->sched_comp->cls.scheduler.on_trial_error(
                       t->sched_state, &t->sched_ctx, id, tr->run->config),
                   "on_trial_error");
    }
}

static void end_by_decision(struct replay *r, struct tuner_trial *tr,
                            int64_t id, int32_t decision, int ended_already)
{
    struct hpolab_tuner *t = r->t;
    tr->stopped_by_tuner = 1;
    tr->running = 0;
    if (decision == HPOLAB_DECISION_STOP)
        tr->status = ended_already ? HPOLAB_TRIAL_COMPLETED
                                   : HPOLAB_TRIAL_STOPPED;
    else
        tr->status = HPOLAB_TRIAL_PAUSED;
    if (replaying_scheduler(r) && t->sched_comp->cls.scheduler.on_trial_remove) {
        hpolab_error_clear(&t->sched_ctx.err);
        sched_warn(t,
                   t->sched_comp->cls.scheduler.on_trial_remove(
                       t->sched_state, &t->sched_ctx, id),
                   "on_trial_remove");
    }
}

static void update_best(struct hpolab_tuner *t, int64_t id,
                        const struct hpolab_record *rec)
{
    const struct hpolab_value *v = hpolab_record_get(rec, t->o.metric);
    double x;
    if (!v || hpolab_value_as_double(v, &x) != HPOLAB_OK || isnan(x))
        return;
    if (!t->summary.has_best ||
        (t->o.mode == HPOLAB_MODE_MAX ? x > t->summary.best
                                      : x < t->summary.best)) {
        int64_t old = t->summary.has_best ? t->summary.best_trial : -1;
        t->summary.has_best = 1;
        t->summary.best = x;
        t->summary.best_trial = id;
        hpolab_tuner_best_changed(t, old); /* as tuner.c */
    }
}

static int32_t decision_of(const char *name)
{
    if (name && strcmp(name, "PAUSE") == 0)
        return HPOLAB_DECISION_PAUSE;
    if (name && strcmp(name, "STOP") == 0)
        return HPOLAB_DECISION_STOP;
    return HPOLAB_DECISION_CONTINUE;
}

static double resource_of(const struct hpolab_tuner *t,
                          const struct hpolab_record *rec)
{
    if (!t->o.resource_attr)
        return NAN;
    const struct hpolab_value *v = hpolab_record_get(rec, t->o.resource_attr);
    double x;
    if (!v || hpolab_value_as_double(v, &x) != HPOLAB_OK)
        return NAN;
    return x;
}

/* ---- one line per event type ---- */

static int32_t on_suggest(struct replay *r, const json_t *line,
                          struct hpolab_error *err)
{
    struct hpolab_tuner *t = r->t;
    int64_t next = get_int(line, "next", -1);
    int64_t id = get_int(line, "id", -1);
    int64_t ckpt = get_int(line, "ckpt", -1);
    const char *action = get_str(line, "action");
    if (!action)
        return bad_line(r, err, "suggest without an action");
    struct hpolab_config *config = NULL;
    const json_t *cj = json_object_get(line, "config");
    if (cj && !json_is_null(cj)) {
        config = hpolab_config_new();
        if (!config)
            return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
        struct hpolab_error e;
        if (hpolab_journal_record_from_json(cj, &config->rec, &e) !=
            HPOLAB_OK) {
            hpolab_config_free(config);
            return bad_line(r, err, e.message);
        }
    }
    if (replaying_scheduler(r)) {
        struct hpolab_suggestion s = {.struct_size = sizeof s,
                                      .checkpoint_trial_id = -1};
        hpolab_error_clear(&t->sched_ctx.err);
        int32_t st = t->sched_comp->cls.scheduler.suggest(
            t->sched_state, &t->sched_ctx, next, &s);
        char now[512], then[512];
        char *ct = s.config ? hpolab_record_to_json_text(&s.config->rec) : NULL;
        char *jt = config ? hpolab_record_to_json_text(&config->rec) : NULL;
        snprintf(now, sizeof now, "%s %lld %s",
                 st != HPOLAB_OK                       ? "an error"
                 : s.action == HPOLAB_SUGGEST_NEW      ? "new"
                 : s.action == HPOLAB_SUGGEST_RESUME   ? "resume"
                 : s.action == HPOLAB_SUGGEST_NOTHING  ? "nothing"
                 : s.action == HPOLAB_SUGGEST_EXHAUSTED ? "exhausted"
                                                        : "unknown",
                 (long long)s.trial_id, ct ? ct : "");
        snprintf(then, sizeof then, "%s %lld %s", action, (long long)id,
                 jt ? jt : "");
        int same_cfg = (!ct && !jt) || (ct && jt && strcmp(ct, jt) == 0);
        if (st != HPOLAB_OK || strncmp(now, then, strlen(action)) != 0 ||
            now[strlen(action)] != ' ' ||
            ((s.action == HPOLAB_SUGGEST_NEW ||
              s.action == HPOLAB_SUGGEST_RESUME) &&
             (s.trial_id != id || !same_cfg)))
            mismatch(r, "suggest", next, now, then);
        free(ct);
        free(jt);
        hpolab_config_free(s.config);
    }
    if (strcmp(action, "new") == 0) {
        if (!config || id != t->num_trials) {
            hpolab_config_free(config);
            return bad_line(r, err, "a new trial out of order");
        }
        if (!hpolab_tuner_add_trial(t, config, err)) {
            hpolab_config_free(config);
            return HPOLAB_ERR_NOMEM;
        }
        if (grow(r, t->num_trials) != 0)
            return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
        r->pend_id = id;
        r->pend_resume = 0;
        r->pend_added = 0;
        r->pend_ckpt = ckpt;
    } else if (strcmp(action, "resume") == 0) {
        if (id < 0 || id >= t->num_trials || !t->trials[id].run) {
            hpolab_config_free(config);
            return bad_line(r, err, "resumes an unknown or ended trial");
        }
        if (config) {
            hpolab_config_free(t->trials[id].run->config);
            t->trials[id].run->config = config;
        }
        r->pend_id = id;
        r->pend_resume = 1;
        r->pend_added = 1;
        r->pend_ckpt = -1;
    } else {
        hpolab_config_free(config);
        if (strcmp(action, "exhausted") == 0) {
            t->exhausted = 1;
            if (!t->stop_reason)
                t->stop_reason = "configuration space exhausted";
        }
    }
    return HPOLAB_OK;
}

static int32_t on_add(struct replay *r, const json_t *line,
                      struct hpolab_error *err)
{
    int32_t st;
    struct tuner_trial *tr = trial_of(r, line, err, &st);
    if (!tr)
        return st;
    struct hpolab_tuner *t = r->t;
    int64_t id = tr - t->trials;
    if (id == r->pend_id)
        r->pend_added = 1;
    if (replaying_scheduler(r) && t->sched_comp->cls.scheduler.on_trial_add) {
        hpolab_error_clear(&t->sched_ctx.err);
        sched_warn(t,
                   t->sched_comp->cls.scheduler.on_trial_add(
                       t->sched_state, &t->sched_ctx, id, tr->run->config),
                   "on_trial_add");
    }
    return HPOLAB_OK;
}

static int32_t on_start(struct replay *r, const json_t *line,
                        struct hpolab_error *err)
{
    int32_t st;
    struct tuner_trial *tr = live_trial_of(r, line, err, &st);
    if (!tr)
        return st;
    int64_t id = tr - r->t->trials;
    if (id == r->pend_id)
        r->pend_id = -1;
    tr->running = 1;
    tr->stopped_by_tuner = 0;
    tr->run->last_resource = -INFINITY;
    tr->status = HPOLAB_TRIAL_IN_PROGRESS;
    r->start_ckpt[id] = get_int(line, "ckpt", -1);
    r->start_results[id] = tr->run->num_results;
    const char *error = get_str(line, "error");
    if (error)
        fail(r, tr, id, error);
    return HPOLAB_OK;
}

static int32_t on_result(struct replay *r, const json_t *line,
                         struct hpolab_error *err)
{
    int32_t st;
    struct tuner_trial *tr = live_trial_of(r, line, err, &st);
    if (!tr)
        return st;
    struct hpolab_tuner *t = r->t;
    int64_t id = tr - t->trials;
    struct hpolab_result report;
    struct hpolab_record row;
    struct hpolab_error e;
    if (hpolab_journal_record_from_json(json_object_get(line, "report"),
                                        &report.rec, &e) != HPOLAB_OK)
        return bad_line(r, err, e.message);
    if (hpolab_journal_record_from_json(json_object_get(line, "row"), &row,
                                        &e) != HPOLAB_OK) {
        hpolab_record_free(&report.rec);
        return bad_line(r, err, e.message);
    }
    int asked = json_is_true(json_object_get(line, "asked"));
    int32_t decision = decision_of(get_str(line, "decision"));
    const char *reject = get_str(line, "error");
    tr->run->num_results++;
    if (t->o.stop)
        hpolab_stop_criterion_observe(t->o.stop, &report.rec);
    update_best(t, id, &report.rec);
    if (asked && replaying_scheduler(r)) {
        int32_t now = HPOLAB_DECISION_CONTINUE;
        hpolab_error_clear(&t->sched_ctx.err);
        st = t->sched_comp->cls.scheduler.on_trial_result(
            t->sched_state, &t->sched_ctx, id, tr->run->config, &report, &now);
        int now_bad = st != HPOLAB_OK || now < HPOLAB_DECISION_CONTINUE ||
                      now > HPOLAB_DECISION_STOP;
        if (now_bad != (reject != NULL) || (!now_bad && now != decision))
            mismatch(r, "on_trial_result", id,
                     now_bad ? "an error" : hpolab_decision_name(now),
                     reject ? "an error" : hpolab_decision_name(decision));
    }
    double res = resource_of(t, &report.rec);
    if (asked && !isnan(res))
        tr->run->last_resource = res;
    tr->run->journaled_resource = res;
    st = hpolab_results_append(t->results, &row, err);
    const struct hpolab_value *sv = hpolab_record_get(&row, "st_status");
    int ended_already = sv && sv->type == HPOLAB_VALUE_STRING &&
                        strcmp(sv->u.s, "Completed") == 0;
    hpolab_record_free(&row);
    hpolab_record_free(&tr->run->last.rec);
    tr->run->last.rec = report.rec;
    if (st != HPOLAB_OK)
        return st;
    if (reject) {
        end_by_decision(r, tr, id, HPOLAB_DECISION_STOP, ended_already);
        fail(r, tr, id, reject);
    } else if (decision != HPOLAB_DECISION_CONTINUE) {
        end_by_decision(r, tr, id, decision, ended_already);
    }
    return HPOLAB_OK;
}

static int32_t on_exit_line(struct replay *r, const json_t *line,
                            struct hpolab_error *err)
{
    int32_t st;
    struct tuner_trial *tr = live_trial_of(r, line, err, &st);
    if (!tr)
        return st;
    struct hpolab_tuner *t = r->t;
    int64_t id = tr - t->trials;
    const char *status = get_str(line, "status");
    const char *msg = get_str(line, "message");
    if (!status || strcmp(status, "Completed") != 0) {
        fail(r, tr, id, msg ? msg : "failed");
        return HPOLAB_OK;
    }
    if (tr->run->num_results == 0) {
        fail(r, tr, id,
             "exited with status 0 without reporting any result (no "
             "'[tune-metric]: {...}' line on stdout)");
        return HPOLAB_OK;
    }
    tr->running = 0;
    tr->status = HPOLAB_TRIAL_COMPLETED;
    if (replaying_scheduler(r) &&
        t->sched_comp->cls.scheduler.on_trial_complete) {
        hpolab_error_clear(&t->sched_ctx.err);
        sched_warn(t,
                   t->sched_comp->cls.scheduler.on_trial_complete(
                       t->sched_state, &t->sched_ctx, id, tr->run->config,
                       &tr->run->last),
                   "on_trial_complete");
    }
    return HPOLAB_OK;
}

/* A trial running at the kill whose reports cannot be told apart from a
 * restart's: ended as stopped from outside. */
static void abandon(struct replay *r, struct tuner_trial *tr, int64_t id)
{
    struct hpolab_tuner *t = r->t;
    tr->running = 0;
    tr->stopped_by_tuner = 1;
    tr->status = HPOLAB_TRIAL_STOPPED;
    if (replaying_scheduler(r) && t->sched_comp->cls.scheduler.on_trial_error) {
        hpolab_error_clear(&t->sched_ctx.err);
        sched_warn(t,
                   t->sched_comp->cls.scheduler.on_trial_error(
                       t->sched_state, &t->sched_ctx, id, tr->run->config),
                   "on_trial_error");
    }
}

static int32_t check_open(struct replay *r, const json_t *line,
                          struct hpolab_error *err)
{
    const struct hpolab_tuner_options *o = &r->t->o;
    const char *ev = get_str(line, "ev");
    if (!ev || strcmp(ev, "open") != 0)
        return bad_line(r, err, "expected the \"open\" line");
    if (get_int(line, "version", -1) != HPOLAB_JOURNAL_VERSION)
        return bad_line(r, err, "journal version not understood");
    const char *sched = get_str(line, "scheduler");
    const char *searcher = get_str(line, "searcher");
    int64_t seed = get_int(line, "seed", -1);
    const char *what = NULL;
    char buf[256];
    if (!sched || strcmp(sched, o->scheduler) != 0)
        what = "scheduler";
    else if ((searcher || o->searcher) &&
             (!searcher || !o->searcher || strcmp(searcher, o->searcher) != 0))
        what = "searcher";
    else if (seed != (int64_t)o->random_seed)
        what = "random seed";
    if (!what)
        return HPOLAB_OK;
    snprintf(buf, sizeof buf,
             "the experiment was started with another %s than the study "
             "gives now: it cannot be resumed with this one",
             what);
    return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                            "%s/" HPOLAB_JOURNAL_FILE ": %s",
                            o->experiment_dir, buf);
}

static int32_t replay_line(struct replay *r, const json_t *line,
                           struct hpolab_error *err)
{
    const char *ev = get_str(line, "ev");
    const json_t *at = json_object_get(line, "at");
    if (!ev || get_int(line, "n", -1) != r->line || !json_is_number(at))
        return bad_line(r, err, "not a journal line (n, at, ev)");
    r->last_at = json_number_value(at);
    if (strcmp(ev, "suggest") == 0)
        return on_suggest(r, line, err);
    if (strcmp(ev, "add") == 0)
        return on_add(r, line, err);
    int32_t st = HPOLAB_OK;
    struct tuner_trial *tr = NULL;
    if (strcmp(ev, "start") == 0)
        st = on_start(r, line, err);
    else if (strcmp(ev, "result") == 0)
        st = on_result(r, line, err);
    else if (strcmp(ev, "exit") == 0)
        st = on_exit_line(r, line, err);
    else if (strcmp(ev, "abandon") == 0 &&
             (tr = trial_of(r, line, err, &st)) != NULL)
        abandon(r, tr, tr - r->t->trials);
    else if (strcmp(ev, "end") == 0)
        r->complete = 1;
    /* (open, snapshot, resume: nothing to redo) */
    /* as tuner.c: a trial that ended keeps only its status */
    int64_t id = get_int(line, "id", -1);
    if (st == HPOLAB_OK && id >= 0 && id < r->t->num_trials)
        hpolab_tuner_settle_trial(r->t, id);
    return st;
}

/* ---- the journal file --------------------------------------------------- */

/* Parses every complete line; a last line cut half-way (a kill while
 * writing it) is dropped with a warning and cut from the file. *lines
 * [owned: json_decref each, free]. */
static int32_t read_journal(struct hpolab_tuner *t, json_t ***lines,
                            size_t *count, struct hpolab_error *err)
{
    *lines = NULL;
    *count = 0;
    char *path = hpolab_path_join(t->o.experiment_dir, HPOLAB_JOURNAL_FILE);
    if (!path)
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    char *data = NULL;
    size_t len = 0;
    int32_t st = hpolab_read_file(path, &data, &len, err);
    if (st != HPOLAB_OK) {
        free(path);
        return st;
    }
    size_t cap = 0, pos = 0, lineno = 0;
    while (pos < len && st == HPOLAB_OK) {
        char *nl = memchr(data + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - data) : len;
        json_error_t je;
        json_t *j = json_loadb(data + pos, end - pos, 0, &je);
        lineno++;
        if (!j || !nl) {
            /* only the last line can be cut by a kill */
            int last = !nl || end + 1 >= len;
            json_decref(j);
            if (!last) {
                st = hpolab_error_set(
                    err, HPOLAB_ERR_PARSE,
                    "%s: line %zu is damaged (%s) and lines follow it: the "
                    "experiment cannot be resumed; start it again without "
                    "--resume",
                    path, lineno, j ? "no line end" : je.text);
                break;
            }
            hpolab_logf(HPOLAB_LOG_WARN,
                        "%s: line %zu is cut off (the tuner was killed while "
                        "writing it): ignored",
                        path, lineno);
            if (truncate(path, (off_t)pos) != 0)
                st = hpolab_error_set(err, HPOLAB_ERR_IO,
                                      "cannot cut %s to its complete lines: %s",
                                      path, strerror(errno));
            break;
        }
        if (*count == cap) {
            cap = cap ? cap * 2 : 256;
            json_t **a = realloc(*lines, cap * sizeof *a);
            if (!a) {
                json_decref(j);
                st = hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
                break;
            }
            *lines = a;
        }
        (*lines)[(*count)++] = j;
        pos = end + 1;
    }
    free(data);
    free(path);
    return st;
}

/* The snapshot's line count, and its state restored into the scheduler;
 * 0 when there is none or it cannot be used (replay from the start). */
static int64_t restore_snapshot(struct hpolab_tuner *t, size_t num_lines)
{
    if (!t->sched_comp->cls.scheduler.restore)
        return 0;
    char *path = hpolab_path_join(t->o.experiment_dir, HPOLAB_SNAPSHOT_FILE);
    char *data = NULL;
    size_t len = 0;
    struct hpolab_error e;
    int32_t st = path ? hpolab_read_file(path, &data, &len, &e)
                      : HPOLAB_ERR_NOMEM;
    free(path);
    if (st != HPOLAB_OK) {
        hpolab_logf(HPOLAB_LOG_INFO,
                    "no scheduler snapshot (%s): replaying the whole journal",
                    st == HPOLAB_ERR_NOMEM ? "out of memory" : e.message);
        free(data);
        return 0;
    }
    const unsigned char *p = (const unsigned char *)data;
    uint64_t lines = 0;
    uint32_t version = 0;
    if (len >= 16 && memcmp(p, "HPSN", 4) == 0) {
        for (int i = 0; i < 4; i++)
            version |= (uint32_t)p[4 + i] << (8 * i);
        for (int i = 0; i < 8; i++)
            lines |= (uint64_t)p[8 + i] << (8 * i);
    }
    int64_t from = 0;
    if (version != 1 || lines > num_lines) {
        hpolab_logf(HPOLAB_LOG_WARN,
                    "%s/" HPOLAB_SNAPSHOT_FILE " does not match the journal "
                    "(%llu lines of %zu): replaying the whole journal",
                    t->o.experiment_dir, (unsigned long long)lines,
                    num_lines);
    } else {
        hpolab_error_clear(&t->sched_ctx.err);
        st = t->sched_comp->cls.scheduler.restore(
            t->sched_state, &t->sched_ctx, p + 16, (uint64_t)(len - 16));
        if (st == HPOLAB_OK) {
            from = (int64_t)lines;
        } else {
            hpolab_ctx_error(&t->sched_ctx, st, &e);
            hpolab_logf(HPOLAB_LOG_WARN,
                        "cannot restore the scheduler's snapshot (%s): "
                        "replaying the whole journal",
                        e.message);
        }
    }
    free(data);
    return from;
}

static void recount(struct hpolab_tuner *t)
{
    struct hpolab_tuning_status *s = &t->status;
    s->num_evaluations = (int64_t)hpolab_results_row_count(t->results);
    s->num_trials_started = t->num_trials;
    s->num_trials_completed = s->num_trials_failed = 0;
    s->num_trials_finished = 0;
    t->running = 0;
    for (int64_t i = 0; i < t->num_trials; i++) {
        int32_t st = t->trials[i].status;
        s->num_trials_completed += st == HPOLAB_TRIAL_COMPLETED;
        s->num_trials_failed += st == HPOLAB_TRIAL_FAILED;
        s->num_trials_finished +=
            st == HPOLAB_TRIAL_COMPLETED || st == HPOLAB_TRIAL_STOPPED ||
            st == HPOLAB_TRIAL_STOPPING || st == HPOLAB_TRIAL_FAILED;
        t->running += t->trials[i].running;
    }
    s->num_trials_running = t->running;
}

/* What the killed tuner left unfinished: the last suggestion not started
 * yet, and the trials that were running. */
static void plan_restarts(struct replay *r)
{
    struct hpolab_tuner *t = r->t;
    /* (a pending trial is new or paused: it has its run record) */
    if (r->pend_id >= 0 && t->trials[r->pend_id].run) {
        struct tuner_trial *tr = &t->trials[r->pend_id];
        if (!r->pend_added && t->sched_comp->cls.scheduler.on_trial_add) {
            hpolab_error_clear(&t->sched_ctx.err);
            sched_warn(t,
                       t->sched_comp->cls.scheduler.on_trial_add(
                           t->sched_state, &t->sched_ctx, r->pend_id,
                           tr->run->config),
                       "on_trial_add");
            hpolab_tuner_journal_add(t, r->pend_id);
        }
        tr->run->restart = 1;
        tr->run->restart_is_resume = r->pend_resume;
        tr->run->restart_ckpt = r->pend_ckpt;
    }
    r->sched_from = 0; /* from here on the scheduler hears everything */
    for (int64_t i = 0; i < t->num_trials; i++) {
        struct tuner_trial *tr = &t->trials[i];
        if (!tr->running)
            continue;
        tr->running = 0;
        if (t->o.resource_attr || tr->run->num_results == 0) {
            struct tuner_run *run = tr->run;
            run->restart = 1;
            run->restart_is_resume = 1;
            /* a copy that may not have finished is made again */
            run->restart_ckpt = r->start_results[i] == tr->run->num_results
                                    ? r->start_ckpt[i]
                                    : -1;
            run->has_floor = tr->run->num_results > 0 &&
                             !isnan(run->journaled_resource);
            run->resume_floor = run->journaled_resource;
            hpolab_logf(HPOLAB_LOG_INFO,
                        "trial %lld was running when the tuner ended: "
                        "started again (resume)",
                        (long long)i);
        } else {
            hpolab_logf(HPOLAB_LOG_WARN,
                        "trial %lld was running when the tuner ended and "
                        "reports no resource attribute: a restart could "
                        "duplicate its results, so it is ended as stopped",
                        (long long)i);
            abandon(r, tr, i);
            hpolab_tuner_journal_abandon(t, i);
            hpolab_tuner_settle_trial(t, i);
        }
    }
}

int32_t hpolab_tuner_resume_load(struct hpolab_tuner *t,
                                 struct hpolab_error *err)
{
    json_t **lines = NULL;
    size_t count = 0;
    int32_t st = read_journal(t, &lines, &count, err);
    struct replay r = {.t = t, .pend_id = -1};
    if (st == HPOLAB_OK && count == 0)
        st = hpolab_error_set(err, HPOLAB_ERR_PARSE,
                              "%s/" HPOLAB_JOURNAL_FILE " is empty",
                              t->o.experiment_dir);
    if (st == HPOLAB_OK)
        st = check_open(&r, lines[0], err);
    if (st == HPOLAB_OK)
        r.sched_from = restore_snapshot(t, count);
    for (size_t i = 1; i < count && st == HPOLAB_OK; i++) {
        r.line = (int64_t)i;
        st = replay_line(&r, lines[i], err);
    }
    for (size_t i = 0; i < count; i++)
        json_decref(lines[i]);
    free(lines);
    if (st == HPOLAB_OK && r.complete)
        st = hpolab_error_set(err, HPOLAB_ERR_EXISTS,
                              "%s is complete already (its journal ends with "
                              "\"end\")",
                              t->o.experiment_dir);
    if (st == HPOLAB_OK) {
        hpolab_tuner_journal_set_lines(t, (int64_t)count);
        int64_t replayed_from = r.sched_from;
        plan_restarts(&r);
        recount(t);
        if (r.mismatches > MAX_MISMATCH_WARNINGS)
            hpolab_logf(HPOLAB_LOG_WARN,
                        "%lld replayed scheduler answers differ from the "
                        "journal in all",
                        (long long)r.mismatches);
        /* the clock goes on from the last journaled time: no gap */
        t->clock.origin = hpolab_mono_time() - r.last_at;
        t->last_results_write = r.last_at;
        hpolab_tuner_journal_resumed(t);
        hpolab_logf(HPOLAB_LOG_INFO,
                    "resumed %s: %lld trials, %zu results, %zu journal lines "
                    "(scheduler replayed from line %lld)",
                    t->o.experiment_dir, (long long)t->num_trials,
                    hpolab_results_row_count(t->results), count,
                    (long long)replayed_from + 1);
        /* results.csv.zip holds exactly the journal's rows from now on */
        st = hpolab_results_write(t->results, t->o.experiment_dir, err);
    }
    free(r.start_ckpt);
    free(r.start_results);
    return st;
}

int hpolab_tuner_resume_drops(struct hpolab_tuner *t, int64_t id,
                              const struct hpolab_result *report)
{
    struct tuner_run *run = t->trials[id].run;
    if (!run || !run->has_floor)
        return 0;
    double r = resource_of(t, &report->rec);
    if (isnan(r))
        return 0;
    if (r <= run->resume_floor) {
        hpolab_logf(HPOLAB_LOG_INFO,
                    "trial %lld: report with %s = %g dropped: the journal "
                    "has it already (up to %g)",
                    (long long)id, t->o.resource_attr, r, run->resume_floor);
        return 1;
    }
    run->has_floor = 0;
    return 0;
}
