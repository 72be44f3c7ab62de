/* save / restore of the asha scheduler plugin, loaded through the real
 * loader with the random searcher: a trace with several running trials is
 * saved half way, restored into other instances, and every instance then
 * gives the identical suggestions (configurations included) and decisions
 * for the same further reports, for both types, min and max, one and
 * several brackets. Truncated, foreign, damaged and mismatched states are
 * refused with a message naming what is wrong, and leave the instance as it
 * was. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "space_fixture.h"

#include "buffer.h"
#include "config.h"
#include "ctx.h"
#include "options.h"
#include "plugin_loader.h"
#include "registry.h"
#include "space.h"

/* ---- the plugin ---------------------------------------------------------- */

struct fixture {
    struct hpolab_registry *reg;
    const struct hpolab_scheduler_class *cls;
    struct hpolab_space *space;
};

static const char *const branin_space =
    "{\"x1\": {\"domain\": \"uniform\", \"lower\": -5, \"upper\": 10},"
    " \"x2\": {\"domain\": \"uniform\", \"lower\": 0, \"upper\": 15},"
    " \"epochs\": 27}";

static int setup(void **state)
{
    static struct fixture f;
    struct hpolab_error err = {0};
    const struct hpolab_component *comp;
    if (hpolab_registry_create(&f.reg, &err) != HPOLAB_OK ||
        hpolab_loader_load_file(f.reg,
                                HPOLAB_TEST_PLUGIN_DIR
                                "/hpolab-scheduler_asha.so",
                                &err) != HPOLAB_OK ||
        hpolab_loader_load_file(f.reg,
                                HPOLAB_TEST_PLUGIN_DIR
                                "/hpolab-searcher_random.so",
                                &err) != HPOLAB_OK ||
        hpolab_registry_require(f.reg, HPOLAB_KIND_SCHEDULER, "asha", &comp,
                                &err) != HPOLAB_OK) {
        print_error("%s\n", err.message);
        return -1;
    }
    f.cls = &comp->cls.scheduler;
    f.space = space_from(branin_space);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    hpolab_space_free(f->space);
    hpolab_registry_destroy(f->reg);
    return 0;
}

struct inst {
    const struct hpolab_scheduler_class *cls;
    struct hpolab_ctx ctx;
    struct hpolab_options *opts;
    struct hpolab_scheduler_args args;
    void *state;
};

static void inst_create(struct inst *in, const struct fixture *f,
                        uint32_t seed, int32_t mode, const char *options)
{
    memset(in, 0, sizeof *in);
    in->cls = f->cls;
    hpolab_ctx_init(&in->ctx, "scheduler", "asha", f->reg);
    json_t *o = json_loads(options, 0, NULL);
    assert_non_null(o);
    assert_int_equal(hpolab_options_create(o, "opts", &in->opts, NULL),
                     HPOLAB_OK);
    json_decref(o);
    in->args = (struct hpolab_scheduler_args){
        .struct_size = sizeof in->args,
        .space = f->space,
        .metric = "y",
        .mode = mode,
        .random_seed = seed,
        .resource_attr = "epoch",
        .max_resource_attr = "epochs",
        .n_workers = 3,
        .searcher = "random",
        .options = in->opts,
    };
    if (in->cls->create(&in->ctx, &in->args, &in->state) != HPOLAB_OK)
        fail_msg("create: %s", in->ctx.err.message);
}

static void inst_destroy(struct inst *in)
{
    if (in->state)
        in->cls->destroy(in->state);
    hpolab_options_free(in->opts);
}

/* ---- a tuner with three workers ------------------------------------------ */

#define MAX_TRIALS 512
#define WORKERS 3

/* Plain data, so a copy continues the same run for another instance. */
struct driver {
    uint64_t rnd;
    double sign; /* -1 in max mode: the same trace, mirrored */
    int64_t next_id;
    int64_t running[WORKERS];
    int num_running;
    int64_t last_r[MAX_TRIALS];
    double x1[MAX_TRIALS], x2[MAX_TRIALS];
};

/* What an instance did, one line per call. */
struct log {
    char *text;
    size_t len, cap;
    int news, resumes, stops, pauses;
};

static void log_add(struct log *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void log_add(struct log *l, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    assert_true(n > 0 && (size_t)n < sizeof line);
    if (l->len + (size_t)n + 1 > l->cap) {
        l->cap = 2 * (l->len + (size_t)n + 1);
        l->text = realloc(l->text, l->cap);
        assert_non_null(l->text);
    }
    memcpy(l->text + l->len, line, (size_t)n + 1);
    l->len += (size_t)n;
}

static uint64_t drv_rnd(struct driver *d)
{
    d->rnd ^= d->rnd >> 12;
    d->rnd ^= d->rnd << 25;
    d->rnd ^= d->rnd >> 27;
    return d->rnd * 2685821657736338717ULL;
}

static double config_double(const struct hpolab_config *c, const char *name)
{
    const struct hpolab_value *v = hpolab_record_get(&c->rec, name);
    double x = NAN;
    assert_non_null(v);
    assert_int_equal(hpolab_value_as_double(v, &x), HPOLAB_OK);
    return x;
}

static void drv_suggest(struct driver *d, struct inst *in, struct log *l)
{
    struct hpolab_suggestion s = {.struct_size = sizeof s};
    if (in->cls->suggest(in->state, &in->ctx, d->next_id, &s) != HPOLAB_OK)
        fail_msg("suggest: %s", in->ctx.err.message);
    char *json = s.config ? hpolab_record_to_json_text(&s.config->rec) : NULL;
    log_add(l, "suggest %d %lld %s\n", (int)s.action, (long long)s.trial_id,
            json ? json : "-");
    free(json);
    assert_true(s.action == HPOLAB_SUGGEST_NEW ||
                s.action == HPOLAB_SUGGEST_RESUME);
    int64_t id = s.trial_id;
    assert_true(id >= 0 && id < MAX_TRIALS);
    if (s.action == HPOLAB_SUGGEST_NEW) {
        assert_int_equal(id, d->next_id);
        d->next_id++;
        d->x1[id] = config_double(s.config, "x1");
        d->x2[id] = config_double(s.config, "x2");
        d->last_r[id] = 0;
        l->news++;
    } else {
        l->resumes++;
    }
    d->running[d->num_running++] = id;
    hpolab_config_free(s.config);
}

static void drv_report(struct driver *d, struct inst *in, struct log *l)
{
    int w = (int)(drv_rnd(d) % (uint64_t)d->num_running);
    int64_t id = d->running[w];
    int64_t r = ++d->last_r[id];
    double x1 = d->x1[id], x2 = d->x2[id];
    double y = (x1 - 2.5) * (x1 - 2.5) + (x2 - 7.5) * (x2 - 7.5) / 4.0 +
               30.0 / (double)r;
    struct hpolab_result res;
    hpolab_record_init(&res.rec);
    assert_int_equal(hpolab_record_set_double(&res.rec, "y", d->sign * y),
                     HPOLAB_OK);
    assert_int_equal(hpolab_record_set_int(&res.rec, "epoch", r), HPOLAB_OK);
    int32_t dec = -1;
    int32_t st = in->cls->on_trial_result(in->state, &in->ctx, id, NULL, &res,
                                          &dec);
    hpolab_record_free(&res.rec);
    if (st != HPOLAB_OK)
        fail_msg("on_trial_result: %s", in->ctx.err.message);
    log_add(l, "report %lld %lld -> %d\n", (long long)id, (long long)r,
            (int)dec);
    if (dec == HPOLAB_DECISION_CONTINUE)
        return;
    if (dec == HPOLAB_DECISION_STOP)
        l->stops++;
    else
        l->pauses++;
    assert_int_equal(in->cls->on_trial_remove(in->state, &in->ctx, id),
                     HPOLAB_OK);
    d->running[w] = d->running[--d->num_running];
    /* now and then a late report, which the scheduler must answer from the
     * trial's stored decision */
    if (drv_rnd(d) % 4 == 0) {
        hpolab_record_init(&res.rec);
        hpolab_record_set_double(&res.rec, "y", 0.0);
        hpolab_record_set_int(&res.rec, "epoch", r + 1);
        st = in->cls->on_trial_result(in->state, &in->ctx, id, NULL, &res,
                                      &dec);
        hpolab_record_free(&res.rec);
        if (st != HPOLAB_OK)
            fail_msg("on_trial_result: %s", in->ctx.err.message);
        log_add(l, "late %lld %lld -> %d\n", (long long)id,
                (long long)(r + 1), (int)dec);
    }
}

/* steps calls: a suggest while a worker is free, else one report. */
static void drive(struct driver *d, struct inst *in, struct log *l,
                  int steps)
{
    for (int i = 0; i < steps; i++) {
        if (d->num_running < WORKERS)
            drv_suggest(d, in, l);
        else
            drv_report(d, in, l);
    }
}

static void save(struct inst *in, struct hpolab_buffer *buf)
{
    hpolab_buffer_init(buf);
    if (in->cls->save(in->state, &in->ctx, buf) != HPOLAB_OK)
        fail_msg("save: %s", in->ctx.err.message);
    assert_true(buf->len > 16);
}

static void restore_ok(struct inst *in, const struct hpolab_buffer *buf)
{
    if (in->cls->restore(in->state, &in->ctx, buf->data, buf->len) !=
        HPOLAB_OK)
        fail_msg("restore: %s", in->ctx.err.message);
}

/* A failing restore whose message contains want. */
static void restore_fails(struct inst *in, const void *data, size_t len,
                          const char *want)
{
    in->ctx.err.message[0] = '\0';
    int32_t st = in->cls->restore(in->state, &in->ctx, data, len);
    if (st == HPOLAB_OK)
        fail_msg("restore of %zu bytes succeeded, want '%s'", len, want);
    if (!strstr(in->ctx.err.message, want))
        fail_msg("restore of %zu bytes: message '%s' lacks '%s'", len,
                 in->ctx.err.message, want);
}

struct variant {
    const char *options;
    int32_t mode;
};

static const struct variant variants[] = {
    {"{\"type\": \"stopping\"}", HPOLAB_MODE_MIN},
    {"{\"type\": \"promotion\"}", HPOLAB_MODE_MIN},
    {"{\"type\": \"stopping\", \"brackets\": 3}", HPOLAB_MODE_MAX},
    {"{\"type\": \"promotion\", \"brackets\": 3}", HPOLAB_MODE_MAX},
};

/* A (saved after phase 1), B (fresh, restored) and C (ran another seed,
 * then restored) continue identically. */
static void save_restore_round_trip(const struct fixture *f,
                                    const struct variant *v)
{
    struct inst a, b, c;
    struct driver d0 = {.rnd = 0x9e3779b97f4a7c15ULL,
                        .sign = v->mode == HPOLAB_MODE_MIN ? 1.0 : -1.0};
    struct log la = {0}, lb = {0}, lc = {0}, scratch = {0};
    inst_create(&a, f, 11, v->mode, v->options);
    drive(&d0, &a, &scratch, 400);
    struct hpolab_buffer buf;
    save(&a, &buf);

    inst_create(&b, f, 11, v->mode, v->options);
    restore_ok(&b, &buf);
    inst_create(&c, f, 99, v->mode, v->options);
    struct driver other = {.rnd = 12345, .sign = d0.sign};
    drive(&other, &c, &scratch, 150);
    restore_ok(&c, &buf);

    struct driver da = d0, db = d0, dc = d0;
    drive(&da, &a, &la, 600);
    drive(&db, &b, &lb, 600);
    drive(&dc, &c, &lc, 600);
    assert_string_equal(la.text, lb.text);
    assert_string_equal(la.text, lc.text);
    /* the continuation exercised the variant */
    assert_true(la.news > 10);
    if (strstr(v->options, "promotion")) {
        assert_true(la.resumes > 10);
        assert_true(la.pauses > 10);
    } else {
        assert_true(la.stops > 10);
    }
    /* the restored instance saves the same bytes */
    struct hpolab_buffer again, again_b;
    save(&a, &again);
    save(&b, &again_b);
    assert_int_equal(again.len, again_b.len);
    assert_memory_equal(again.data, again_b.data, again.len);
    hpolab_buffer_free(&again);
    hpolab_buffer_free(&again_b);
    hpolab_buffer_free(&buf);
    free(la.text);
    free(lb.text);
    free(lc.text);
    free(scratch.text);
    inst_destroy(&a);
    inst_destroy(&b);
    inst_destroy(&c);
}

static void test_round_trip_stopping(void **state)
{
    save_restore_round_trip(*state, &variants[0]);
}

static void test_round_trip_promotion(void **state)
{
    save_restore_round_trip(*state, &variants[1]);
}

static void test_round_trip_stopping_brackets_max(void **state)
{
    save_restore_round_trip(*state, &variants[2]);
}

static void test_round_trip_promotion_brackets_max(void **state)
{
    save_restore_round_trip(*state, &variants[3]);
}

static void put_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put_u64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_u64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* Every truncation, foreign and damaged buffers: refused with a message;
 * the instance keeps its state through all of it. */
static void test_bad_states(void **state)
{
    const struct fixture *f = *state;
    const struct variant *v = &variants[1];
    struct inst a, b;
    struct driver d0 = {.rnd = 77, .sign = 1.0};
    struct log la = {0}, lb = {0}, scratch = {0};
    inst_create(&a, f, 5, v->mode, v->options);
    drive(&d0, &a, &scratch, 200);
    struct hpolab_buffer buf;
    save(&a, &buf);
    inst_create(&b, f, 5, v->mode, v->options);
    restore_ok(&b, &buf);

    const size_t n = buf.len;
    const uint64_t body = get_u64(buf.data + 8);
    assert_true(16 + body < n); /* the searcher's part follows */
    for (size_t len = 0; len < n; len++) {
        const char *want =
            len < 4               ? "not an ASHA scheduler state"
            : len < 16            ? "truncated"
            : len < 16 + body     ? "ASHA state truncated: the body has"
            : len < 16 + body + 4 ? "not a random searcher state"
                                  : "random searcher state, truncated";
        restore_fails(&b, buf.data, len, want);
    }

    unsigned char *copy = malloc(n);
    assert_non_null(copy);
    memcpy(copy, buf.data, n);
    /* another plugin's state */
    restore_fails(&b, "HPRS\1\0\0\0", 8, "not an ASHA scheduler state");
    /* a later version */
    put_u32(copy + 4, 2);
    restore_fails(&b, copy, n, "version 2, this plugin reads version 1");
    /* a body length beyond the buffer */
    memcpy(copy, buf.data, n);
    put_u64(copy + 8, (uint64_t)n);
    restore_fails(&b, copy, n, "the body has");
    /* a body length that cuts the body short */
    put_u64(copy + 8, body - 5);
    restore_fails(&b, copy, n, "truncated");
    /* a damaged end marker */
    memcpy(copy, buf.data, n);
    copy[16 + body - 1] = 'X';
    restore_fails(&b, copy, n, "should end with \"SRCH\"");
    /* a damaged trial count: layout 1+1+8+4+3*8+4, then seed and draws */
    memcpy(copy, buf.data, n);
    size_t trials_at = 16 + 42 + 12;
    put_u64(copy + trials_at, UINT64_C(1) << 60);
    restore_fails(&b, copy, n, "trials do not fit");
    /* the searcher's part damaged */
    memcpy(copy, buf.data, n);
    copy[16 + body] = 'Z';
    restore_fails(&b, copy, n, "not a random searcher state");
    free(copy);

    /* after all of it, b continues exactly as a */
    struct driver da = d0, db = d0;
    drive(&da, &a, &la, 300);
    drive(&db, &b, &lb, 300);
    assert_string_equal(la.text, lb.text);
    hpolab_buffer_free(&buf);
    free(la.text);
    free(lb.text);
    free(scratch.text);
    inst_destroy(&a);
    inst_destroy(&b);
}

/* A state saved by a scheduler of another layout is refused, naming both. */
static void test_layout_mismatch(void **state)
{
    const struct fixture *f = *state;
    struct inst a, b, c;
    inst_create(&a, f, 1, HPOLAB_MODE_MIN, "{\"type\": \"promotion\"}");
    struct hpolab_buffer buf;
    save(&a, &buf);
    inst_create(&b, f, 1, HPOLAB_MODE_MIN, "{\"type\": \"stopping\"}");
    restore_fails(&b, buf.data, buf.len,
                  "the saved ASHA state is for type promotion, mode min, "
                  "max_t 27, rung levels [1, 3, 9], 1 bracket; this "
                  "scheduler has type stopping, mode min, max_t 27, rung "
                  "levels [1, 3, 9], 1 bracket");
    inst_create(&c, f, 1, HPOLAB_MODE_MIN,
                "{\"type\": \"promotion\", \"max_t\": 81, \"brackets\": 2}");
    restore_fails(&c, buf.data, buf.len,
                  "this scheduler has type promotion, mode min, max_t 81, "
                  "rung levels [1, 3, 9, 27], 2 brackets");
    hpolab_buffer_free(&buf);
    inst_destroy(&a);
    inst_destroy(&b);
    inst_destroy(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_stopping),
        cmocka_unit_test(test_round_trip_promotion),
        cmocka_unit_test(test_round_trip_stopping_brackets_max),
        cmocka_unit_test(test_round_trip_promotion_brackets_max),
        cmocka_unit_test(test_bad_states),
        cmocka_unit_test(test_layout_mismatch),
    };
    return cmocka_run_group_tests_name("asha_state", tests, setup, teardown);
}
