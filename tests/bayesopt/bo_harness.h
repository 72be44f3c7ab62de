/* bo_harness.h: drives searcher and scheduler plugins loaded through the
 * real loader, the ask/tell way of schedulers reference §7.4; shared by the
 * bayesopt tests and tests/bench/bench_bayesopt.c. Functions return status
 * codes (the caller decides how to fail) and print nothing. */
#ifndef BO_HARNESS_H
#define BO_HARNESS_H

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "ctx.h"
#include "diag.h"
#include "options.h"
#include "plugin_loader.h"
#include "record.h"
#include "registry.h"
#include "rng.h"
#include "space.h"

/* Registry with the plugins named in ids ("searcher_bayesopt", ...),
 * loaded from HPOLAB_TEST_PLUGIN_DIR. NULL on failure (msg filled). */
static inline struct hpolab_registry *bh_registry(const char *const *ids,
                                                  char *msg, size_t len)
{
    struct hpolab_registry *reg = NULL;
    struct hpolab_error err = {0};
    if (hpolab_registry_create(&reg, &err) != HPOLAB_OK) {
        snprintf(msg, len, "%s", err.message);
        return NULL;
    }
    for (size_t i = 0; ids[i]; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/hpolab-%s.so", HPOLAB_TEST_PLUGIN_DIR,
                 ids[i]);
        if (hpolab_loader_load_file(reg, path, &err) != HPOLAB_OK) {
            snprintf(msg, len, "%s", err.message);
            hpolab_registry_destroy(reg);
            return NULL;
        }
    }
    return reg;
}

/* [owned: hpolab_space_free], or NULL */
static inline struct hpolab_space *bh_space(const char *text)
{
    json_error_t je;
    json_t *j = json_loads(text, 0, &je);
    if (!j)
        return NULL;
    struct hpolab_diag d = {0};
    struct hpolab_space *s = NULL;
    int32_t st = hpolab_space_parse(j, "t", &d, &s);
    json_decref(j);
    hpolab_diag_free(&d);
    return st == HPOLAB_OK ? s : NULL;
}

/* The seeds a scheduler passes to its searcher: the first (random_seed)
 * and second (model_seed) seed draws of RandomState(master) (§6.1). */
static inline uint32_t bh_searcher_seed(uint32_t master)
{
    struct hpolab_rng gen;
    hpolab_rng_seed(&gen, master);
    return hpolab_rng_seed_draw(&gen);
}

static inline uint32_t bh_model_seed(uint32_t master)
{
    struct hpolab_rng gen;
    hpolab_rng_seed(&gen, master);
    (void)hpolab_rng_seed_draw(&gen);
    return hpolab_rng_seed_draw(&gen);
}

struct bh_searcher {
    const struct hpolab_searcher_class *cls;
    struct hpolab_ctx ctx;
    struct hpolab_options *opts;
    struct hpolab_searcher_args args;
    void *state;
};

/* options: JSON object text or NULL. model_seed: BH_ABI_1_0 creates it as
 * a 1.0 caller would, with arguments that end before model_seed. */
#define BH_ABI_1_0 (-1)
static inline int32_t
bh_searcher_create(struct bh_searcher *b, struct hpolab_registry *reg,
                   const char *id, const struct hpolab_space *space,
                   uint32_t seed, int64_t model_seed, const char *options,
                   const char *resource_attr, const char *max_resource_attr)
{
    memset(b, 0, sizeof *b);
    hpolab_ctx_init(&b->ctx, "searcher", id, reg);
    const struct hpolab_component *comp;
    struct hpolab_error err = {0};
    int32_t st = hpolab_registry_require(reg, HPOLAB_KIND_SEARCHER, id, &comp,
                                         &err);
    if (st != HPOLAB_OK) {
        b->ctx.err = err;
        return st;
    }
    b->cls = &comp->cls.searcher;
    if (options) {
        json_t *o = json_loads(options, 0, NULL);
        st = o ? hpolab_options_create(o, "opts", &b->opts, &err)
               : HPOLAB_ERR_PARSE;
        json_decref(o);
        if (st != HPOLAB_OK)
            return st;
    }
    b->args = (struct hpolab_searcher_args){
        .struct_size = sizeof b->args,
        .space = space,
        .metric = "y",
        .mode = HPOLAB_MODE_MIN,
        .random_seed = seed,
        .resource_attr = resource_attr,
        .max_resource_attr = max_resource_attr,
        .n_workers = 1,
        .options = b->opts,
        .model_seed = model_seed >= 0 ? (uint32_t)model_seed : 0,
    };
    if (model_seed == BH_ABI_1_0)
        b->args.struct_size = offsetof(struct hpolab_searcher_args, model_seed);
    return b->cls->create(&b->ctx, &b->args, &b->state);
}

static inline void bh_searcher_destroy(struct bh_searcher *b)
{
    if (b->state)
        b->cls->destroy(b->state);
    hpolab_options_free(b->opts);
    memset(b, 0, sizeof *b);
}

static inline int32_t bh_suggest(struct bh_searcher *b, int64_t id,
                                 struct hpolab_config **out)
{
    return b->cls->suggest(b->state, &b->ctx, id, out);
}

/* result {"y": y} (plus "epoch": r when r > 0) */
static inline int32_t bh_tell(struct bh_searcher *b, int64_t id,
                              const struct hpolab_config *c, double y,
                              int64_t r, int complete)
{
    struct hpolab_result res;
    hpolab_record_init(&res.rec);
    int32_t st = hpolab_record_set_double(&res.rec, "y", y);
    if (st == HPOLAB_OK && r > 0)
        st = hpolab_record_set_int(&res.rec, "epoch", r);
    if (st == HPOLAB_OK && b->cls->on_trial_result)
        st = b->cls->on_trial_result(b->state, &b->ctx, id, c, &res);
    if (st == HPOLAB_OK && complete && b->cls->on_trial_complete)
        st = b->cls->on_trial_complete(b->state, &b->ctx, id, c, &res);
    hpolab_record_free(&res.rec);
    return st;
}

static inline double bh_get(const struct hpolab_config *c, const char *name)
{
    const struct hpolab_value *v = hpolab_record_get(&c->rec, name);
    double d = NAN;
    if (v)
        hpolab_value_as_double(v, &d);
    return d;
}

/* ---- test functions (§7.3) ---------------------------------------------- */

static inline double bh_branin(double x1, double x2)
{
    const double pi = 3.14159265358979323846;
    double b = 5.1 / (4 * pi * pi), c = 5 / pi, t = 1 / (8 * pi);
    double u = x2 - b * x1 * x1 + c * x1 - 6;
    return u * u + 10 * (1 - t) * cos(x1) + 10;
}

static inline double bh_hartmann6(const double *x)
{
    static const double alpha[4] = {1.0, 1.2, 3.0, 3.2};
    static const double A[4][6] = {{10, 3, 17, 3.5, 1.7, 8},
                                   {0.05, 10, 17, 0.1, 8, 14},
                                   {3, 3.5, 1.7, 10, 17, 8},
                                   {17, 8, 0.05, 10, 0.1, 14}};
    static const double P[4][6] = {{1312, 1696, 5569, 124, 8283, 5886},
                                   {2329, 4135, 8307, 3736, 1004, 9991},
                                   {2348, 1451, 3522, 2883, 3047, 6650},
                                   {4047, 8828, 8732, 5743, 1091, 381}};
    double s = 0.0;
    for (int i = 0; i < 4; i++) {
        double e = 0.0;
        for (int j = 0; j < 6; j++) {
            double t = x[j] - P[i][j] * 1e-4;
            e += A[i][j] * t * t;
        }
        s += alpha[i] * exp(-e);
    }
    return -s;
}

#define BH_BRANIN_SPACE                                                   \
    "{\"x1\": {\"domain\": \"uniform\", \"lower\": -5, \"upper\": 10},"   \
    " \"x2\": {\"domain\": \"uniform\", \"lower\": 0, \"upper\": 15}}"
#define BH_BRANIN_MF_SPACE                                                \
    "{\"x1\": {\"domain\": \"uniform\", \"lower\": -5, \"upper\": 10},"   \
    " \"x2\": {\"domain\": \"uniform\", \"lower\": 0, \"upper\": 15},"    \
    " \"epochs\": 27}"
#define BH_HARTMANN6_SPACE                                                \
    "{\"x0\": {\"domain\": \"uniform\", \"lower\": 0, \"upper\": 1},"     \
    " \"x1\": {\"domain\": \"uniform\", \"lower\": 0, \"upper\": 1},"     \
    " \"x2\": {\"domain\": \"uniform\", \"lower\": 0, \"upper\": 1},"     \
    " \"x3\": {\"domain\": \"uniform\", \"lower\": 0, \"upper\": 1},"     \
    " \"x4\": {\"domain\": \"uniform\", \"lower\": 0, \"upper\": 1},"     \
    " \"x5\": {\"domain\": \"uniform\", \"lower\": 0, \"upper\": 1}}"

/* The objective of a config of one of the spaces above. */
static inline double bh_eval(const struct hpolab_config *c, int hartmann)
{
    if (hartmann) {
        double x[6];
        char name[4] = "x0";
        for (int j = 0; j < 6; j++) {
            name[1] = (char)('0' + j);
            x[j] = bh_get(c, name);
        }
        return bh_hartmann6(x);
    }
    return bh_branin(bh_get(c, "x1"), bh_get(c, "x2"));
}

#endif
