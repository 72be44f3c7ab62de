/* The searcher_random plugin, loaded from its .so and driven through its
 * class in the registry: Syne Tune's RandomSearcher trace, initial
 * configurations, duplicates, exhaustion, and save/restore. */
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

/* The plugin loader and registry (plugin_loader.h, registry.c) are written
 * in parallel; until they are merged this program only reports a skip. */
#if __has_include("plugin_loader.h")
#include "buffer.h"
#include "config.h"
#include "config_set.h"
#include "ctx.h"
#include "options.h"
#include "plugin_loader.h"
#include "registry.h"
#include "space.h"

#define PLUGIN HPOLAB_TEST_PLUGIN_DIR "/hpolab-searcher_random.so"

struct fixture {
    struct hpolab_registry *reg;
    const struct hpolab_searcher_class *cls;
};

static int setup(void **state)
{
    static struct fixture f;
    struct hpolab_error err = {0};
    if (hpolab_registry_create(&f.reg, &err) != HPOLAB_OK ||
        hpolab_loader_load_file(f.reg, PLUGIN, &err) != HPOLAB_OK) {
        print_error("%s\n", err.message);
        return -1;
    }
    const struct hpolab_component *comp;
    if (hpolab_registry_require(f.reg, HPOLAB_KIND_SEARCHER, "random", &comp,
                                &err) != HPOLAB_OK) {
        print_error("%s\n", err.message);
        return -1;
    }
    f.cls = &comp->cls.searcher;
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    hpolab_registry_destroy(f->reg);
    return 0;
}

/* One searcher instance with its ctx and everything its args borrow. */
struct inst {
    const struct hpolab_searcher_class *cls;
    struct hpolab_ctx ctx;
    struct hpolab_options *opts;
    struct hpolab_config *points[8];
    struct hpolab_searcher_args args;
    void *state;
};

/* options: JSON object text or NULL; points: JSON list text of partial
 * configurations, or NULL for "none given". Returns the create status. */
static int32_t inst_create(struct inst *in, const struct fixture *f,
                           const struct hpolab_space *space, uint32_t seed,
                           const char *options, const char *points)
{
    memset(in, 0, sizeof *in);
    in->cls = f->cls;
    hpolab_ctx_init(&in->ctx, "searcher", "random", f->reg);
    if (options) {
        json_t *o = json_loads(options, 0, NULL);
        assert_int_equal(hpolab_options_create(o, "opts", &in->opts, NULL),
                         HPOLAB_OK);
        json_decref(o);
    }
    in->args = (struct hpolab_searcher_args){
        .struct_size = sizeof in->args,
        .space = space,
        .metric = "loss",
        .mode = HPOLAB_MODE_MIN,
        .random_seed = seed,
        .options = in->opts,
    };
    if (points) {
        json_t *list = json_loads(points, 0, NULL);
        assert_true(json_is_array(list) && json_array_size(list) <= 8);
        in->args.points_given = 1;
        in->args.num_points = (uint32_t)json_array_size(list);
        for (size_t i = 0; i < json_array_size(list); i++) {
            char *t = json_dumps(json_array_get(list, i), 0);
            in->points[i] = config_from(t);
            free(t);
        }
        in->args.points = (const struct hpolab_config *const *)in->points;
        json_decref(list);
    }
    return in->cls->create(&in->ctx, &in->args, &in->state);
}

static void inst_destroy(struct inst *in)
{
    if (in->state)
        in->cls->destroy(in->state);
    for (int i = 0; i < 8; i++)
        hpolab_config_free(in->points[i]);
    hpolab_options_free(in->opts);
}

/* The next suggestion as JSON text, or "null". [owned: free] */
static char *next(struct inst *in, int64_t trial_id)
{
    struct hpolab_config *c = (struct hpolab_config *)in;
    int32_t st = in->cls->suggest(in->state, &in->ctx, trial_id, &c);
    if (st != HPOLAB_OK)
        fail_msg("suggest: %s", in->ctx.err.message);
    if (!c)
        return strdup("null");
    char *t = hpolab_record_to_json_text(&c->rec);
    hpolab_config_free(c); /* the host owns what suggest returns */
    return t;
}

static void expect_next(struct inst *in, const char *want)
{
    char *got = next(in, 0);
    if (strcmp(got, want) != 0)
        fail_msg("got %s, expected %s", got, want);
    free(got);
}

/* Syne Tune's trace (see test_space_sample.c for how these were made). */
static const char *const trace_space =
    "{\"lr\": {\"domain\": \"loguniform\", \"lower\": 1e-4, \"upper\": 0.1},"
    " \"x\": {\"domain\": \"uniform\", \"lower\": -5, \"upper\": 10},"
    " \"epochs\": 81,"
    " \"layers\": {\"domain\": \"randint\", \"lower\": 1, \"upper\": 10},"
    " \"act\": {\"domain\": \"choice\", \"categories\": "
    "[\"relu\", \"tanh\", \"sigmoid\"]}}";

#define ROW(lr, x, layers, act)                                            \
    "{\"lr\": " lr ", \"x\": " x ", \"epochs\": 81, \"layers\": " layers  \
    ", \"act\": \"" act "\"}"

static const char *const trace0[10] = {
    ROW("0.003162277660168382", "2.5", "6", "relu"),
    ROW("0.0028717191816925755", "5.285684762665337", "1", "sigmoid"),
    ROW("0.00038617951295848965", "3.7511751022543596", "10", "tanh"),
    ROW("0.002465942506737962", "0.9938307624357883", "6", "tanh"),
    ROW("0.0007758195938660469", "-2.8690084853904385", "10", "tanh"),
    ROW("0.03993690960493147", "4.888656999303356", "3", "tanh"),
    ROW("0.00031285616727033677", "8.78820342619771", "1", "tanh"),
    ROW("0.0003391040005433149", "2.586526275794532", "1", "tanh"),
    ROW("0.00010117922300707791", "2.9392567201190696", "4", "relu"),
    ROW("0.00012141296350866147", "7.031112320528187", "7", "sigmoid"),
};

static const char *const trace7[10] = {
    ROW("0.003162277660168382", "2.5", "6", "relu"),
    ROW("0.00014697666562656143", "2.5295102805441143", "10", "sigmoid"),
    ROW("0.0011107996620841577", "-1.5266271269214027", "4", "sigmoid"),
    ROW("0.003397060948873408", "9.639351986039761", "2", "relu"),
    ROW("0.006164758077455693", "-1.1822940019221733", "9", "sigmoid"),
    ROW("0.0002958297034757867", "1.725814241727928", "8", "relu"),
    ROW("0.004378388997181916", "4.249851703801456", "2", "tanh"),
    ROW("0.00975098375366474", "7.459127502510064", "6", "relu"),
    ROW("0.000312862587266764", "-4.46085584684925", "6", "sigmoid"),
    ROW("0.01634829203522307", "8.284974085985237", "4", "sigmoid"),
};

/* The scheduler's part: the searcher seed is the first draw of
 * RandomState(master). */
static uint32_t searcher_seed(uint32_t master)
{
    struct hpolab_rng gen;
    hpolab_rng_seed(&gen, master);
    return hpolab_rng_seed_draw(&gen);
}

static void test_trace(void **state)
{
    struct fixture *f = *state;
    struct hpolab_space *s = space_from(trace_space);
    struct inst in;
    assert_int_equal(inst_create(&in, f, s, searcher_seed(0), NULL, NULL),
                     HPOLAB_OK);
    for (int k = 0; k < 10; k++)
        expect_next(&in, trace0[k]);
    inst_destroy(&in);
    assert_int_equal(inst_create(&in, f, s, searcher_seed(7), NULL, NULL),
                     HPOLAB_OK);
    for (int k = 0; k < 10; k++)
        expect_next(&in, trace7[k]);
    inst_destroy(&in);
    hpolab_space_free(s);
}

static void test_points_to_evaluate(void **state)
{
    struct fixture *f = *state;
    struct hpolab_space *s = space_from(trace_space);
    struct inst in;
    /* imputed, in order, duplicates among themselves dropped ({"layers":
     * 3.2} casts to the first one), and no draws: the first random
     * configuration is the trace's first */
    assert_int_equal(inst_create(&in, f, s, searcher_seed(0), NULL,
                                 "[{\"layers\": 3}, {}, {\"layers\": 3.2}, "
                                 "{\"act\": \"tanh\", \"x\": 0}]"),
                     HPOLAB_OK);
    expect_next(&in, ROW("0.003162277660168382", "2.5", "3", "relu"));
    expect_next(&in, trace0[0]);
    expect_next(&in, ROW("0.003162277660168382", "0.0", "6", "tanh"));
    for (int k = 1; k < 5; k++)
        expect_next(&in, trace0[k]);
    inst_destroy(&in);

    /* an empty list: no initial configuration at all */
    assert_int_equal(inst_create(&in, f, s, searcher_seed(0), NULL, "[]"),
                     HPOLAB_OK);
    expect_next(&in, trace0[1]);
    inst_destroy(&in);

    /* an invalid point fails creation, naming the key */
    assert_int_equal(inst_create(&in, f, s, 1, NULL, "[{\"layers\": 11}]"),
                     HPOLAB_ERR_INVALID);
    assert_null(in.state);
    assert_string_equal(in.ctx.err.message,
                        "layers: expected a value in [1, 10], got 11");
    inst_destroy(&in);
    hpolab_space_free(s);
}

static void save(struct inst *in, struct hpolab_buffer *buf);

static uint64_t draws_in_state(struct inst *in)
{
    struct hpolab_buffer buf;
    save(in, &buf);
    assert_true(buf.len >= 24);
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)buf.data[16 + i] << (8 * i);
    hpolab_buffer_free(&buf);
    return v;
}

static void test_exhaustion(void **state)
{
    struct fixture *f = *state;
    struct hpolab_space *s = space_from(
        "{\"c\": {\"domain\": \"choice\", \"categories\": [\"a\", \"b\", "
        "\"c\"]}, \"k\": 1}");
    struct inst in;
    assert_int_equal(inst_create(&in, f, s, 5, NULL, NULL), HPOLAB_OK);
    char *seen[3];
    for (int k = 0; k < 3; k++) {
        seen[k] = next(&in, k);
        for (int j = 0; j < k; j++)
            assert_string_not_equal(seen[j], seen[k]);
    }
    assert_string_equal(seen[0], "{\"c\": \"a\", \"k\": 1}");
    for (int k = 0; k < 3; k++)
        free(seen[k]);
    expect_next(&in, "null");
    expect_next(&in, "null");
    inst_destroy(&in);
    hpolab_space_free(s);

    /* Syne Tune sizes qrandint(0, 10, 5) as 11 but it has only 3 values:
     * after those, 100 duplicate draws in a row end the search */
    s = space_from("{\"q\": {\"domain\": \"qrandint\", \"lower\": 0, "
                   "\"upper\": 10, \"q\": 5}}");
    assert_int_equal(inst_create(&in, f, s, 5, NULL, "[]"), HPOLAB_OK);
    for (int k = 0; k < 3; k++) {
        char *t = next(&in, k);
        assert_string_not_equal(t, "null");
        free(t);
    }
    /* giving up takes exactly 100 draws: the saved state counts them (u64
     * at byte 16, see the format in random.c) */
    uint64_t before = draws_in_state(&in);
    expect_next(&in, "null");
    assert_int_equal(draws_in_state(&in) - before, 100);
    inst_destroy(&in);
    hpolab_space_free(s);
}

static void test_duplicates(void **state)
{
    struct fixture *f = *state;
    struct hpolab_space *s = space_from(
        "{\"c\": {\"domain\": \"choice\", \"categories\": [\"a\", \"b\"]}}");
    struct inst in;
    /* allowed: never exhausted, values repeat */
    assert_int_equal(inst_create(&in, f, s, 3, "{\"allow_duplicates\": true}",
                                 NULL),
                     HPOLAB_OK);
    int a = 0, b = 0;
    for (int k = 0; k < 20; k++) {
        char *t = next(&in, k);
        a += strcmp(t, "{\"c\": \"a\"}") == 0;
        b += strcmp(t, "{\"c\": \"b\"}") == 0;
        free(t);
    }
    assert_int_equal(a + b, 20);
    assert_true(a > 1 && b > 1);
    /* a failed trial's configuration is excluded from then on */
    struct hpolab_config *ca = config_from("{\"c\": \"a\"}");
    assert_int_equal(in.cls->on_trial_error(in.state, &in.ctx, 7, ca),
                     HPOLAB_OK);
    hpolab_config_free(ca);
    for (int k = 0; k < 10; k++)
        expect_next(&in, "{\"c\": \"b\"}");
    inst_destroy(&in);

    /* not allowed (default): each configuration once; a failed trial
     * excludes nothing more (Syne Tune blacklists only with duplicates) */
    assert_int_equal(inst_create(&in, f, s, 3, "{\"allow_duplicates\": false}",
                                 NULL),
                     HPOLAB_OK);
    struct hpolab_config *cb = config_from("{\"c\": \"b\"}");
    assert_int_equal(in.cls->on_trial_error(in.state, &in.ctx, 1, cb),
                     HPOLAB_OK);
    hpolab_config_free(cb);
    expect_next(&in, "{\"c\": \"a\"}");
    expect_next(&in, "{\"c\": \"b\"}");
    expect_next(&in, "null");
    inst_destroy(&in);

    /* a failed configuration is compared as cast to the space: 0.50000001
     * is the finrange's 0.5 */
    struct hpolab_space *fr = space_from(
        "{\"f\": {\"domain\": \"finrange\", \"lower\": 0, \"upper\": 1, "
        "\"size\": 3}}");
    assert_int_equal(inst_create(&in, f, fr, 3, "{\"allow_duplicates\": true}",
                                 "[]"),
                     HPOLAB_OK);
    struct hpolab_config *half = config_from("{\"f\": 0.50000001}");
    assert_int_equal(in.cls->on_trial_error(in.state, &in.ctx, 0, half),
                     HPOLAB_OK);
    hpolab_config_free(half);
    int zero = 0, one = 0;
    for (int k = 0; k < 30; k++) {
        char *t = next(&in, k);
        zero += strcmp(t, "{\"f\": 0.0}") == 0;
        one += strcmp(t, "{\"f\": 1.0}") == 0;
        free(t);
    }
    assert_int_equal(zero + one, 30);
    inst_destroy(&in);
    hpolab_space_free(fr);

    /* a mistyped option is refused */
    assert_int_equal(inst_create(&in, f, s, 3, "{\"allow_duplicates\": 3}",
                                 NULL),
                     HPOLAB_ERR_TYPE);
    assert_non_null(strstr(in.ctx.err.message, "allow_duplicates"));
    inst_destroy(&in);
    hpolab_space_free(s);
}

static void save(struct inst *in, struct hpolab_buffer *buf)
{
    hpolab_buffer_init(buf);
    if (in->cls->save(in->state, &in->ctx, buf) != HPOLAB_OK)
        fail_msg("save: %s", in->ctx.err.message);
}

/* Suggest `before` configurations from a, save, restore into a fresh b,
 * then both must continue identically. */
static void check_resume(const struct fixture *f, const struct hpolab_space *s,
                         const char *options, const char *points, int before)
{
    struct inst a, b;
    assert_int_equal(inst_create(&a, f, s, 11, options, points), HPOLAB_OK);
    for (int k = 0; k < before; k++)
        free(next(&a, k));
    struct hpolab_buffer buf;
    save(&a, &buf);
    assert_int_equal(inst_create(&b, f, s, 11, options, points), HPOLAB_OK);
    if (b.cls->restore(b.state, &b.ctx, buf.data, buf.len) != HPOLAB_OK)
        fail_msg("restore: %s", b.ctx.err.message);
    for (int k = 0; k < 12; k++) {
        char *ta = next(&a, before + k), *tb = next(&b, before + k);
        assert_string_equal(ta, tb);
        free(ta);
        free(tb);
    }
    /* a restored state saves to the same bytes as the original */
    struct hpolab_buffer ba, bb;
    save(&a, &ba);
    save(&b, &bb);
    assert_int_equal(ba.len, bb.len);
    assert_memory_equal(ba.data, bb.data, ba.len);
    hpolab_buffer_free(&ba);
    hpolab_buffer_free(&bb);
    hpolab_buffer_free(&buf);
    inst_destroy(&a);
    inst_destroy(&b);
}

static void test_save_restore(void **state)
{
    struct fixture *f = *state;
    struct hpolab_space *s = space_from(trace_space);
    check_resume(f, s, NULL, NULL, 0);
    check_resume(f, s, NULL, NULL, 5);
    /* initial configurations still pending at save time */
    check_resume(f, s, NULL,
                 "[{\"layers\": 2}, {\"layers\": 3}, {\"act\": \"sigmoid\"}]",
                 1);
    hpolab_space_free(s);

    /* a small space: the exclusion set decides what comes next */
    s = space_from("{\"i\": {\"domain\": \"randint\", \"lower\": 1, "
                   "\"upper\": 6}, \"c\": {\"domain\": \"choice\", "
                   "\"categories\": [true, false]}, \"k\": \"x\"}");
    check_resume(f, s, NULL, NULL, 7);
    check_resume(f, s, "{\"allow_duplicates\": true}", NULL, 4);
    hpolab_space_free(s);
}

static void test_restore_errors(void **state)
{
    struct fixture *f = *state;
    struct hpolab_space *s = space_from(trace_space);
    struct inst a, b;
    assert_int_equal(inst_create(&a, f, s, 11, NULL, NULL), HPOLAB_OK);
    for (int k = 0; k < 3; k++)
        free(next(&a, k));
    struct hpolab_buffer buf;
    save(&a, &buf);
    assert_int_equal(inst_create(&b, f, s, 11, NULL, NULL), HPOLAB_OK);
    assert_int_equal(b.cls->restore(b.state, &b.ctx, "nope", 4),
                     HPOLAB_ERR_PARSE);
    assert_string_equal(b.ctx.err.message,
                        "restore: not a random searcher state");
    assert_int_equal(b.cls->restore(b.state, &b.ctx, buf.data, buf.len - 3),
                     HPOLAB_ERR_PARSE);
    assert_non_null(strstr(b.ctx.err.message, "truncated"));
    unsigned char *v2 = malloc(buf.len);
    memcpy(v2, buf.data, buf.len);
    v2[4] = 3;
    assert_int_equal(b.cls->restore(b.state, &b.ctx, v2, buf.len),
                     HPOLAB_ERR_UNSUPPORTED);
    /* a hash of 0 (an empty slot) is refused: the last 8 bytes are the
     * largest hash */
    v2[4] = 2;
    memset(v2 + buf.len - 8, 0, 8);
    assert_int_equal(b.cls->restore(b.state, &b.ctx, v2, buf.len),
                     HPOLAB_ERR_PARSE);
    assert_string_equal(b.ctx.err.message,
                        "restore: random searcher state, configuration hash "
                        "3 of 3 is 0");
    free(v2);
    /* failed restores left b untouched: it proposes what a fresh instance
     * with the same seed proposes */
    struct inst c;
    assert_int_equal(inst_create(&c, f, s, 11, NULL, NULL), HPOLAB_OK);
    for (int k = 0; k < 4; k++) {
        char *tb = next(&b, k), *tc = next(&c, k);
        assert_string_equal(tb, tc);
        free(tb);
        free(tc);
    }
    inst_destroy(&c);
    hpolab_buffer_free(&buf);
    inst_destroy(&a);
    inst_destroy(&b);
    hpolab_space_free(s);
}

/* ---- the exclusion set as hashes (state version 2) ----------------------- */

static uint64_t get_u64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static void test_state_holds_hashes(void **state)
{
    struct fixture *f = *state;
    struct hpolab_space *s = space_from(trace_space);
    struct inst in;
    assert_int_equal(inst_create(&in, f, s, 11, NULL, NULL), HPOLAB_OK);
    for (int k = 0; k < 50; k++)
        free(next(&in, k));
    struct hpolab_buffer buf;
    save(&in, &buf);
    /* header (24 bytes: magic, version, seed, flags, draws), no initial
     * configuration left (u32 0), u64 count, then 8 bytes per suggestion:
     * no configuration is stored */
    assert_int_equal(buf.data[4], 2);
    assert_int_equal(buf.len, 24 + 4 + 8 + 50 * 8);
    assert_int_equal(get_u64(buf.data + 28), 50);
    for (int k = 0; k < 50; k++) {
        uint64_t h = get_u64(buf.data + 36 + 8 * k);
        assert_true(h != 0);
        if (k)
            assert_true(h > get_u64(buf.data + 36 + 8 * (k - 1)));
    }
    hpolab_buffer_free(&buf);
    inst_destroy(&in);
    hpolab_space_free(s);
}

/* Every suggestion until the searcher returns none; each must be new by the
 * core's match key (config_set.c). Returns how many there were. */
static int suggest_all(struct inst *in, const struct hpolab_space *s)
{
    struct hpolab_config_set *seen;
    assert_int_equal(hpolab_config_set_create(s, &seen, NULL), HPOLAB_OK);
    int n = 0;
    for (;; n++) {
        struct hpolab_config *c = NULL;
        if (in->cls->suggest(in->state, &in->ctx, n, &c) != HPOLAB_OK)
            fail_msg("suggest: %s", in->ctx.err.message);
        if (!c)
            break;
        int32_t added = 0;
        assert_int_equal(hpolab_config_set_add(seen, c, &added, NULL),
                         HPOLAB_OK);
        if (!added) {
            char *t = hpolab_record_to_json_text(&c->rec);
            fail_msg("suggestion %d repeats an earlier one: %s", n, t);
        }
        hpolab_config_free(c);
        assert_true(n < 1000);
    }
    hpolab_config_set_destroy(seen);
    return n;
}

/* The hash agrees with the match string for every kind of domain: no
 * duplicate, and every configuration of a finite space suggested before
 * the searcher says it is exhausted (values that agree to 7 digits are
 * different categories or integers, but the same float). */
static void test_no_duplicates_any_domain(void **state)
{
    struct fixture *f = *state;
    static const char *const spaces[] = {
        "{\"c\": {\"domain\": \"choice\", \"categories\": [1.0, "
        "1.00000001, 2.5]}}",
        "{\"r\": {\"domain\": \"randint\", \"lower\": 10000000, \"upper\": "
        "10000003}}",
        "{\"f\": {\"domain\": \"finrange\", \"lower\": 1, \"upper\": "
        "1.0000003, \"size\": 4}}",
        "{\"lf\": {\"domain\": \"logfinrange\", \"lower\": 1, \"upper\": "
        "100, \"size\": 3}, \"i\": {\"domain\": \"qrandint\", \"lower\": 0, "
        "\"upper\": 2, \"q\": 1}, \"k\": 5}",
        "{\"o\": {\"domain\": \"ordinal\", \"categories\": [\"x\", \"y\"], "
        "\"kind\": \"equal\"}, \"n\": {\"domain\": \"ordinal\", "
        "\"categories\": [1, 2, 4], \"kind\": \"nn\"}, \"lo\": {\"domain\": "
        "\"logordinal\", \"categories\": [1, 10]}, \"b\": {\"domain\": "
        "\"choice\", \"categories\": [true, false]}}",
        "{\"z\": {\"domain\": \"uniform\", \"lower\": 3, \"upper\": 3}, "
        "\"s\": {\"domain\": \"choice\", \"categories\": [\"a\", \"ab\", "
        "\"b\"]}}",
    };
    for (size_t i = 0; i < sizeof spaces / sizeof spaces[0]; i++) {
        struct hpolab_space *s = space_from(spaces[i]);
        struct inst in;
        assert_int_equal(inst_create(&in, f, s, 5, NULL, NULL), HPOLAB_OK);
        int n = suggest_all(&in, s);
        if ((double)n != hpolab_space_cardinality(s))
            fail_msg("space %zu: %d suggestions of %.0f configurations", i,
                     n, hpolab_space_cardinality(s));
        inst_destroy(&in);
        hpolab_space_free(s);
    }

    /* floats that agree to 7 significant digits are one configuration
     * (§1.5): after the midpoint, 100 draws in a row are duplicates */
    struct hpolab_space *s = space_from(
        "{\"u\": {\"domain\": \"uniform\", \"lower\": 1, \"upper\": "
        "1.0000001}}");
    struct inst in;
    assert_int_equal(inst_create(&in, f, s, 5, NULL, NULL), HPOLAB_OK);
    assert_int_equal(suggest_all(&in, s), 1);
    inst_destroy(&in);
    hpolab_space_free(s);

    /* a continuous space: many distinct suggestions */
    s = space_from(trace_space);
    assert_int_equal(inst_create(&in, f, s, 5, NULL, NULL), HPOLAB_OK);
    struct hpolab_config_set *seen;
    assert_int_equal(hpolab_config_set_create(s, &seen, NULL), HPOLAB_OK);
    for (int k = 0; k < 3000; k++) {
        struct hpolab_config *c = NULL;
        assert_int_equal(in.cls->suggest(in.state, &in.ctx, k, &c),
                         HPOLAB_OK);
        assert_non_null(c);
        int32_t added = 0;
        assert_int_equal(hpolab_config_set_add(seen, c, &added, NULL),
                         HPOLAB_OK);
        assert_int_equal(added, 1);
        hpolab_config_free(c);
    }
    hpolab_config_set_destroy(seen);
    inst_destroy(&in);
    hpolab_space_free(s);
}

/* States saved by the version 1 searcher (configurations instead of hashes),
 * made with the space, points and seed below: 6 suggestions (3 initial, 3
 * drawn); and with allow_duplicates, 4 suggestions and one failed trial. */
#define V1_SPACE                                                             \
    "{\"lr\": {\"domain\": \"loguniform\", \"lower\": 1e-4, \"upper\": "    \
    "0.1}, \"u\": {\"domain\": \"uniform\", \"lower\": -5, \"upper\": 10}, " \
    "\"n\": {\"domain\": \"randint\", \"lower\": 1, \"upper\": 4}, "         \
    "\"act\": {\"domain\": \"choice\", \"categories\": [\"relu\", "          \
    "\"tanh\"]}, \"b\": {\"domain\": \"choice\", \"categories\": [true, "    \
    "false]}, \"f\": {\"domain\": \"finrange\", \"lower\": 0.1, \"upper\": " \
    "0.5, \"size\": 5}, \"k\": 7}"
#define V1_POINTS "[{\"n\": 2}, {\"act\": \"tanh\"}, {\"f\": 0.5}]"
#define V1_FAILED                                                          \
    "{\"lr\": 0.001, \"u\": 1.5, \"n\": 3, \"act\": \"relu\", \"b\": false, " \
    "\"f\": 0.2, \"k\": 7}"

static const unsigned char v1_state[540] = {
    0x48, 0x50, 0x52, 0x53, 0x01, 0x00, 0x00, 0x00, 0x0b, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x06, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x6c, 0x72, 0x02, 0xbd,
    0x90, 0x33, 0xe4, 0xc6, 0xe7, 0x69, 0x3f, 0x01, 0x00, 0x00, 0x00, 0x75,
    0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x40, 0x01, 0x00, 0x00,
    0x00, 0x6e, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03,
    0x00, 0x00, 0x00, 0x61, 0x63, 0x74, 0x03, 0x04, 0x00, 0x00, 0x00, 0x72,
    0x65, 0x6c, 0x75, 0x01, 0x00, 0x00, 0x00, 0x62, 0x04, 0x01, 0x01, 0x00,
    0x00, 0x00, 0x66, 0x02, 0x34, 0x33, 0x33, 0x33, 0x33, 0x33, 0xd3, 0x3f,
    0x06, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x6c, 0x72, 0x02, 0xbd,
    0x90, 0x33, 0xe4, 0xc6, 0xe7, 0x69, 0x3f, 0x01, 0x00, 0x00, 0x00, 0x75,
    0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x40, 0x01, 0x00, 0x00,
    0x00, 0x6e, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03,
    0x00, 0x00, 0x00, 0x61, 0x63, 0x74, 0x03, 0x04, 0x00, 0x00, 0x00, 0x74,
    0x61, 0x6e, 0x68, 0x01, 0x00, 0x00, 0x00, 0x62, 0x04, 0x01, 0x01, 0x00,
    0x00, 0x00, 0x66, 0x02, 0x34, 0x33, 0x33, 0x33, 0x33, 0x33, 0xd3, 0x3f,
    0x06, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x6c, 0x72, 0x02, 0xbd,
    0x90, 0x33, 0xe4, 0xc6, 0xe7, 0x69, 0x3f, 0x01, 0x00, 0x00, 0x00, 0x75,
    0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x40, 0x01, 0x00, 0x00,
    0x00, 0x6e, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03,
    0x00, 0x00, 0x00, 0x61, 0x63, 0x74, 0x03, 0x04, 0x00, 0x00, 0x00, 0x72,
    0x65, 0x6c, 0x75, 0x01, 0x00, 0x00, 0x00, 0x62, 0x04, 0x01, 0x01, 0x00,
    0x00, 0x00, 0x66, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xe0, 0x3f,
    0x06, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x6c, 0x72, 0x02, 0x3e,
    0x0b, 0x1e, 0x5c, 0x20, 0xc4, 0x36, 0x3f, 0x01, 0x00, 0x00, 0x00, 0x75,
    0x02, 0xac, 0xbc, 0x03, 0x3c, 0xdc, 0xd4, 0x12, 0xc0, 0x01, 0x00, 0x00,
    0x00, 0x6e, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03,
    0x00, 0x00, 0x00, 0x61, 0x63, 0x74, 0x03, 0x04, 0x00, 0x00, 0x00, 0x74,
    0x61, 0x6e, 0x68, 0x01, 0x00, 0x00, 0x00, 0x62, 0x04, 0x00, 0x01, 0x00,
    0x00, 0x00, 0x66, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xe0, 0x3f,
    0x06, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x6c, 0x72, 0x02, 0xc8,
    0xf8, 0x9c, 0xe6, 0x1e, 0xdb, 0x5d, 0x3f, 0x01, 0x00, 0x00, 0x00, 0x75,
    0x02, 0xa0, 0xbc, 0x62, 0x09, 0x52, 0x40, 0x02, 0x40, 0x01, 0x00, 0x00,
    0x00, 0x6e, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03,
    0x00, 0x00, 0x00, 0x61, 0x63, 0x74, 0x03, 0x04, 0x00, 0x00, 0x00, 0x72,
    0x65, 0x6c, 0x75, 0x01, 0x00, 0x00, 0x00, 0x62, 0x04, 0x01, 0x01, 0x00,
    0x00, 0x00, 0x66, 0x02, 0x9a, 0x99, 0x99, 0x99, 0x99, 0x99, 0xb9, 0x3f,
    0x06, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x6c, 0x72, 0x02, 0x9b,
    0x78, 0x22, 0x01, 0xb4, 0xe2, 0x28, 0x3f, 0x01, 0x00, 0x00, 0x00, 0x75,
    0x02, 0x11, 0xc4, 0xfc, 0x79, 0xf5, 0xb0, 0x20, 0x40, 0x01, 0x00, 0x00,
    0x00, 0x6e, 0x01, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03,
    0x00, 0x00, 0x00, 0x61, 0x63, 0x74, 0x03, 0x04, 0x00, 0x00, 0x00, 0x72,
    0x65, 0x6c, 0x75, 0x01, 0x00, 0x00, 0x00, 0x62, 0x04, 0x00, 0x01, 0x00,
    0x00, 0x00, 0x66, 0x02, 0x34, 0x33, 0x33, 0x33, 0x33, 0x33, 0xd3, 0x3f,
};
static const unsigned char v1_state_dup[120] = {
    0x48, 0x50, 0x52, 0x53, 0x01, 0x00, 0x00, 0x00, 0x0b, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x06, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x6c, 0x72, 0x02, 0xfc,
    0xa9, 0xf1, 0xd2, 0x4d, 0x62, 0x50, 0x3f, 0x01, 0x00, 0x00, 0x00, 0x75,
    0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf8, 0x3f, 0x01, 0x00, 0x00,
    0x00, 0x6e, 0x01, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03,
    0x00, 0x00, 0x00, 0x61, 0x63, 0x74, 0x03, 0x04, 0x00, 0x00, 0x00, 0x72,
    0x65, 0x6c, 0x75, 0x01, 0x00, 0x00, 0x00, 0x62, 0x04, 0x00, 0x01, 0x00,
    0x00, 0x00, 0x66, 0x02, 0x9a, 0x99, 0x99, 0x99, 0x99, 0x99, 0xc9, 0x3f,
};



/* b restored from a version 1 state continues as a, which made the same
 * moves itself, and saves the same (version 2) bytes. */
static void check_v1(struct inst *a, struct inst *b, const unsigned char *v1,
                     size_t len, int before)
{
    if (b->cls->restore(b->state, &b->ctx, v1, len) != HPOLAB_OK)
        fail_msg("restore: %s", b->ctx.err.message);
    struct hpolab_buffer ba, bb;
    save(a, &ba);
    save(b, &bb);
    assert_int_equal(bb.data[4], 2);
    assert_int_equal(ba.len, bb.len);
    assert_memory_equal(ba.data, bb.data, ba.len);
    hpolab_buffer_free(&ba);
    hpolab_buffer_free(&bb);
    for (int k = 0; k < 20; k++) {
        char *ta = next(a, before + k), *tb = next(b, before + k);
        assert_string_equal(ta, tb);
        free(ta);
        free(tb);
    }
}

static void test_restore_v1(void **state)
{
    struct fixture *f = *state;
    struct hpolab_space *s = space_from(V1_SPACE);
    struct inst a, b;
    assert_int_equal(inst_create(&a, f, s, 11, NULL, V1_POINTS), HPOLAB_OK);
    for (int k = 0; k < 6; k++)
        free(next(&a, k));
    assert_int_equal(inst_create(&b, f, s, 11, NULL, V1_POINTS), HPOLAB_OK);
    check_v1(&a, &b, v1_state, sizeof v1_state, 6);
    inst_destroy(&a);
    inst_destroy(&b);

    const char *dup = "{\"allow_duplicates\": true}";
    assert_int_equal(inst_create(&a, f, s, 11, dup, NULL), HPOLAB_OK);
    for (int k = 0; k < 4; k++)
        free(next(&a, k));
    struct hpolab_config *failed = config_from(V1_FAILED);
    assert_int_equal(a.cls->on_trial_error(a.state, &a.ctx, 2, failed),
                     HPOLAB_OK);
    hpolab_config_free(failed);
    assert_int_equal(inst_create(&b, f, s, 11, dup, NULL), HPOLAB_OK);
    check_v1(&a, &b, v1_state_dup, sizeof v1_state_dup, 4);
    inst_destroy(&a);
    inst_destroy(&b);

    /* a damaged version 1 state is refused and changes nothing */
    assert_int_equal(inst_create(&b, f, s, 11, NULL, V1_POINTS), HPOLAB_OK);
    assert_int_equal(b.cls->restore(b.state, &b.ctx, v1_state,
                                    sizeof v1_state - 1),
                     HPOLAB_ERR_PARSE);
    assert_non_null(strstr(b.ctx.err.message, "truncated"));
    assert_int_equal(inst_create(&a, f, s, 11, NULL, V1_POINTS), HPOLAB_OK);
    for (int k = 0; k < 5; k++) {
        char *ta = next(&a, k), *tb = next(&b, k);
        assert_string_equal(ta, tb);
        free(ta);
        free(tb);
    }
    inst_destroy(&a);
    inst_destroy(&b);
    hpolab_space_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trace),
        cmocka_unit_test(test_points_to_evaluate),
        cmocka_unit_test(test_exhaustion),
        cmocka_unit_test(test_duplicates),
        cmocka_unit_test(test_save_restore),
        cmocka_unit_test(test_restore_errors),
        cmocka_unit_test(test_state_holds_hashes),
        cmocka_unit_test(test_no_duplicates_any_domain),
        cmocka_unit_test(test_restore_v1),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
#else
static void test_needs_loader(void **state)
{
    skip();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_needs_loader),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
#endif
