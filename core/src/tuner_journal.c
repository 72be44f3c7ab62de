/* tuner_journal.c: appending to <experiment>/tuner-journal.jsonl and the
 * scheduler snapshots (docs/resume.md has the line format). */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "buffer.h"
#include "fsutil.h"
#include "log.h"
#include "results_table.h"
#include "space.h"
#include "tuner_internal.h"
#include "tuner_journal.h"

struct tuner_journal {
    int fd;
    int64_t lines;
    int snapshot_off; /* save unsupported or failing: not tried again */
    int64_t snapshot_at; /* lines after the last snapshot's line */
};

/* ---- values and records ----------------------------------------------- */

static json_t *value_to_json(const struct hpolab_value *v)
{
    switch (v->type) {
    case HPOLAB_VALUE_INT: return json_integer(v->u.i);
    case HPOLAB_VALUE_DOUBLE:
        if (isfinite(v->u.d))
            return json_real(v->u.d);
        return json_pack("{s:s}", "d",
                         isnan(v->u.d) ? "nan" : v->u.d > 0 ? "inf" : "-inf");
    case HPOLAB_VALUE_STRING: return json_string(v->u.s);
    case HPOLAB_VALUE_BOOL: return json_boolean(v->u.b);
    case HPOLAB_VALUE_JSON: return json_pack("{s:s}", "j", v->u.s);
    default: return json_null();
    }
}

static int32_t value_from_json(const json_t *j, struct hpolab_value *out)
{
    memset(out, 0, sizeof *out);
    if (json_is_integer(j)) {
        out->type = HPOLAB_VALUE_INT;
        out->u.i = json_integer_value(j);
    } else if (json_is_real(j)) {
        out->type = HPOLAB_VALUE_DOUBLE;
        out->u.d = json_real_value(j);
    } else if (json_is_string(j)) {
        out->type = HPOLAB_VALUE_STRING;
        out->u.s = strdup(json_string_value(j));
        if (!out->u.s)
            return HPOLAB_ERR_NOMEM;
    } else if (json_is_boolean(j)) {
        out->type = HPOLAB_VALUE_BOOL;
        out->u.b = json_is_true(j);
    } else if (json_is_null(j)) {
        out->type = HPOLAB_VALUE_NULL;
    } else if (json_is_object(j) && json_is_string(json_object_get(j, "d"))) {
        const char *s = json_string_value(json_object_get(j, "d"));
        out->type = HPOLAB_VALUE_DOUBLE;
        out->u.d = strcmp(s, "nan") == 0   ? NAN
                   : strcmp(s, "inf") == 0 ? INFINITY
                                           : -INFINITY;
    } else if (json_is_object(j) && json_is_string(json_object_get(j, "j"))) {
        out->type = HPOLAB_VALUE_JSON;
        out->u.s = strdup(json_string_value(json_object_get(j, "j")));
        if (!out->u.s)
            return HPOLAB_ERR_NOMEM;
    } else {
        return HPOLAB_ERR_PARSE;
    }
    return HPOLAB_OK;
}

json_t *hpolab_journal_record_to_json(const struct hpolab_record *rec)
{
    json_t *a = json_array();
    for (uint32_t i = 0; a && i < rec->count; i++) {
        json_t *v = value_to_json(&rec->entries[i].value);
        json_t *pair = v ? json_pack("[so]", rec->entries[i].name, v) : NULL;
        if (!pair || json_array_append_new(a, pair) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

int32_t hpolab_journal_record_from_json(const json_t *json,
                                        struct hpolab_record *out,
                                        struct hpolab_error *err)
{
    hpolab_record_init(out);
    if (!json_is_array(json))
        return hpolab_error_set(err, HPOLAB_ERR_PARSE,
                                "expected an array of [name, value] pairs");
    size_t i;
    json_t *pair;
    json_array_foreach(json, i, pair)
    {
        const json_t *name = json_array_get(pair, 0);
        struct hpolab_value v;
        int32_t st = json_array_size(pair) == 2 && json_is_string(name)
                         ? value_from_json(json_array_get(pair, 1), &v)
                         : HPOLAB_ERR_PARSE;
        if (st == HPOLAB_OK) {
            st = hpolab_record_set(out, json_string_value(name), &v);
            hpolab_value_free(&v);
        }
        if (st != HPOLAB_OK) {
            hpolab_record_free(out);
            return hpolab_error_set(err, st,
                                    st == HPOLAB_ERR_NOMEM
                                        ? "out of memory"
                                        : "entry %zu: expected [name, value]",
                                    i);
        }
    }
    return HPOLAB_OK;
}

/* ---- lines -------------------------------------------------------------- */

static void journal_off(struct hpolab_tuner *t, const char *why)
{
    hpolab_logf(HPOLAB_LOG_WARN,
                "%s/" HPOLAB_JOURNAL_FILE ": %s; the journal is off, and "
                "--resume cannot continue this experiment past this point",
                t->o.experiment_dir, why);
    close(t->journal->fd);
    t->journal->fd = -1;
}

/* Adds n, at and ev, then appends the line; takes obj. */
static void emit(struct hpolab_tuner *t, const char *ev, json_t *obj)
{
    struct tuner_journal *j = t->journal;
    if (!j || j->fd < 0 || !obj) {
        if (j && j->fd >= 0 && !obj)
            journal_off(t, "out of memory");
        json_decref(obj);
        return;
    }
    json_t *line = json_pack("{sIsfss}", "n", (json_int_t)j->lines, "at",
                             hpolab_clock_now(&t->clock), "ev", ev);
    if (!line || json_object_update(line, obj) != 0) {
        json_decref(line);
        json_decref(obj);
        journal_off(t, "out of memory");
        return;
    }
    json_decref(obj);
    char *text = json_dumps(line, JSON_COMPACT | JSON_REAL_PRECISION(17));
    json_decref(line);
    if (!text) {
        journal_off(t, "out of memory");
        return;
    }
    size_t len = strlen(text);
    text[len] = '\n'; /* replaces the NUL: written with its length */
    int bad = hpolab_write_all(j->fd, text, len + 1);
    int e = errno;
    free(text);
    if (bad) {
        char why[256];
        snprintf(why, sizeof why, "cannot append: %s", strerror(e));
        journal_off(t, why);
        return;
    }
    j->lines++;
}

int64_t hpolab_tuner_journal_lines(const struct hpolab_tuner *t)
{
    return t->journal ? t->journal->lines : 0;
}

void hpolab_tuner_journal_set_lines(struct hpolab_tuner *t, int64_t lines)
{
    if (t->journal)
        t->journal->lines = lines;
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

int32_t hpolab_tuner_journal_open(struct hpolab_tuner *t,
                                  struct hpolab_error *err)
{
    char *path = hpolab_path_join(t->o.experiment_dir, HPOLAB_JOURNAL_FILE);
    if (!path)
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
    if (fd < 0) {
        int32_t st = hpolab_error_set(err, HPOLAB_ERR_IO, "cannot open %s: %s",
                                      path, strerror(errno));
        free(path);
        return st;
    }
    /* the lock goes away with the process, even after kill -9 */
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int32_t st = hpolab_error_set(
            err, HPOLAB_ERR_STATE,
            "%s is locked: another hpolab process is running this "
            "experiment",
            path);
        close(fd);
        free(path);
        return st;
    }
    free(path);
    t->journal = calloc(1, sizeof *t->journal);
    if (!t->journal) {
        close(fd);
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    }
    t->journal->fd = fd;
    off_t size = lseek(fd, 0, SEEK_END);
    if (size == 0)
        emit(t, "open",
             json_pack("{sisIsssosososisIso}", "version",
                       HPOLAB_JOURNAL_VERSION, "seed",
                       (json_int_t)t->o.random_seed, "scheduler",
                       t->o.scheduler, "searcher", str_or_null(t->o.searcher),
                       "metric", str_or_null(t->o.metric), "resource_attr",
                       str_or_null(t->o.resource_attr), "mode",
                       (int)t->o.mode, "n_workers",
                       (json_int_t)t->o.n_workers, "backend",
                       str_or_null(t->o.backend)));
    return HPOLAB_OK;
}

void hpolab_tuner_journal_close(struct hpolab_tuner *t)
{
    hpolab_record_free(&t->last_row);
    if (!t->journal)
        return;
    if (t->journal->fd >= 0)
        close(t->journal->fd);
    free(t->journal);
    t->journal = NULL;
}

static const char *action_name(int32_t a)
{
    switch (a) {
    case HPOLAB_SUGGEST_NOTHING: return "nothing";
    case HPOLAB_SUGGEST_NEW: return "new";
    case HPOLAB_SUGGEST_RESUME: return "resume";
    case HPOLAB_SUGGEST_EXHAUSTED: return "exhausted";
    default: return "unknown";
    }
}

void hpolab_tuner_journal_suggest(struct hpolab_tuner *t, int64_t next,
                                  const struct hpolab_suggestion *s)
{
    if (!t->journal)
        return;
    json_t *cfg = s->config ? hpolab_journal_record_to_json(&s->config->rec)
                            : json_null();
    emit(t, "suggest",
         cfg ? json_pack("{sIsssIsIso}", "next", (json_int_t)next, "action",
                         action_name(s->action), "id",
                         (json_int_t)s->trial_id, "ckpt",
                         (json_int_t)s->checkpoint_trial_id, "config", cfg)
             : NULL);
}

void hpolab_tuner_journal_add(struct hpolab_tuner *t, int64_t id)
{
    if (t->journal)
        emit(t, "add", json_pack("{sI}", "id", (json_int_t)id));
}

void hpolab_tuner_journal_start(struct hpolab_tuner *t, int64_t id,
                                int is_resume, int64_t checkpoint_from,
                                const char *error)
{
    if (t->journal)
        emit(t, "start",
             json_pack("{sIsbsIso}", "id", (json_int_t)id, "resume",
                       is_resume, "ckpt", (json_int_t)checkpoint_from,
                       "error", str_or_null(error)));
}

void hpolab_tuner_journal_result(struct hpolab_tuner *t, int64_t id,
                                 const struct hpolab_result *report,
                                 int asked, int32_t decision,
                                 const char *reject)
{
    if (!t->journal)
        return;
    json_t *rep = hpolab_journal_record_to_json(&report->rec);
    json_t *rj = hpolab_journal_record_to_json(&t->last_row);
    json_t *obj = rep && rj ? json_pack("{sIsOsbsssosO}", "id", (json_int_t)id,
                                        "report", rep, "asked", asked,
                                        "decision",
                                        hpolab_decision_name(decision),
                                        "error", str_or_null(reject), "row",
                                        rj)
                            : NULL;
    json_decref(rep);
    json_decref(rj);
    emit(t, "result", obj);
}

void hpolab_tuner_journal_exit(struct hpolab_tuner *t, int64_t id,
                               int32_t status, const char *message)
{
    if (t->journal)
        emit(t, "exit",
             json_pack("{sIssso}", "id", (json_int_t)id, "status",
                       hpolab_trial_status_name(status), "message",
                       str_or_null(message)));
}

void hpolab_tuner_journal_abandon(struct hpolab_tuner *t, int64_t id)
{
    if (t->journal)
        emit(t, "abandon", json_pack("{sI}", "id", (json_int_t)id));
}

void hpolab_tuner_journal_resumed(struct hpolab_tuner *t)
{
    if (t->journal)
        emit(t, "resume", json_object());
}

void hpolab_tuner_journal_end(struct hpolab_tuner *t, const char *reason)
{
    if (t->journal)
        emit(t, "end", json_pack("{so}", "reason", str_or_null(reason)));
}

/* scheduler-state.bin: "HPSN", u32 version, u64 lines included, then the
 * scheduler's own bytes (little-endian). */
void hpolab_tuner_journal_snapshot(struct hpolab_tuner *t)
{
    struct tuner_journal *j = t->journal;
    if (!j || j->fd < 0 || j->snapshot_off || !t->sched_state ||
        !t->sched_comp->cls.scheduler.save)
        return;
    if (j->lines == j->snapshot_at)
        return; /* nothing happened since the last one */
    struct hpolab_buffer buf;
    hpolab_buffer_init(&buf);
    unsigned char head[16] = {'H', 'P', 'S', 'N'};
    uint32_t version = 1;
    uint64_t lines = (uint64_t)j->lines;
    for (int i = 0; i < 4; i++)
        head[4 + i] = (unsigned char)(version >> (8 * i));
    for (int i = 0; i < 8; i++)
        head[8 + i] = (unsigned char)(lines >> (8 * i));
    int32_t st = hpolab_buffer_append(&buf, head, sizeof head);
    if (st == HPOLAB_OK) {
        hpolab_error_clear(&t->sched_ctx.err);
        st = t->sched_comp->cls.scheduler.save(t->sched_state, &t->sched_ctx,
                                               &buf);
        if (st != HPOLAB_OK) {
            struct hpolab_error e;
            hpolab_ctx_error(&t->sched_ctx, st, &e);
            hpolab_logf(st == HPOLAB_ERR_UNSUPPORTED ? HPOLAB_LOG_INFO
                                                     : HPOLAB_LOG_WARN,
                        "no scheduler snapshots (--resume replays the whole "
                        "journal): %s",
                        e.message);
            j->snapshot_off = 1;
        }
    }
    char *path = st == HPOLAB_OK ? hpolab_path_join(t->o.experiment_dir,
                                                    HPOLAB_SNAPSHOT_FILE)
                                 : NULL;
    struct hpolab_error e;
    if (path && hpolab_write_file_atomic(path, buf.data, buf.len, &e) ==
                    HPOLAB_OK)
    {
        emit(t, "snapshot", json_pack("{sI}", "lines", (json_int_t)lines));
        j->snapshot_at = j->lines;
    }
    else if (path)
        hpolab_logf(HPOLAB_LOG_WARN, "scheduler snapshot not written: %s",
                    e.message);
    free(path);
    hpolab_buffer_free(&buf);
}
