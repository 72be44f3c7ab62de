/* conformance.c: the report, the helpers the batteries share, the small
 * batteries of backends and plotters, and the dispatch by kind. */
#include "conformance.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conformance_internal.h"
#include "clock.h"
#include "config.h"
#include "options.h"

void hpolab_check_report_init(struct hpolab_check_report *r)
{
    memset(r, 0, sizeof *r);
}

void hpolab_check_report_free(struct hpolab_check_report *r)
{
    free(r->items);
    memset(r, 0, sizeof *r);
}

int32_t hpolab_check_add(struct hpolab_check_report *r, const char *component,
                         const char *name, int32_t verdict, const char *fmt,
                         ...)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 16;
        struct hpolab_check *grown = realloc(r->items, cap * sizeof *grown);
        if (!grown)
            return HPOLAB_ERR_NOMEM;
        r->items = grown;
        r->cap = cap;
    }
    struct hpolab_check *c = &r->items[r->n++];
    memset(c, 0, sizeof *c);
    snprintf(c->component, sizeof c->component, "%s", component);
    snprintf(c->name, sizeof c->name, "%s", name);
    c->verdict = verdict;
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->detail, sizeof c->detail, fmt, ap);
        va_end(ap);
    }
    return HPOLAB_OK;
}

size_t hpolab_check_count(const struct hpolab_check_report *r, int32_t verdict)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++)
        n += r->items[i].verdict == verdict;
    return n;
}

int32_t hpolab_conf_space(int degenerate, struct hpolab_space **out,
                          struct hpolab_error *err)
{
    static const char normal[] =
        "{\"lr\": {\"domain\": \"loguniform\", \"lower\": 1e-4, \"upper\": 1},"
        " \"layers\": {\"domain\": \"randint\", \"lower\": 1, \"upper\": 8},"
        " \"act\": {\"domain\": \"choice\", \"categories\": [\"relu\", "
        "\"tanh\", \"elu\"]},"
        " \"dropout\": {\"domain\": \"uniform\", \"lower\": 0, \"upper\": 0.5},"
        " \"epochs\": 9}";
    static const char single[] =
        "{\"act\": {\"domain\": \"choice\", \"categories\": [\"relu\"]},"
        " \"epochs\": 9}";
    json_error_t jerr;
    json_t *j = json_loads(degenerate ? single : normal, 0, &jerr);
    if (!j)
        return hpolab_error_set(err, HPOLAB_ERR_INTERNAL,
                                "conformance space: %s", jerr.text);
    struct hpolab_diag diag = {0};
    int32_t st = hpolab_space_parse(j, "conformance space", &diag, out);
    if (st != HPOLAB_OK)
        hpolab_error_set(err, st, "conformance space: %s",
                         diag.count ? diag.lines[0] : "invalid");
    hpolab_diag_free(&diag);
    json_decref(j);
    return st;
}

static int same_value(const struct hpolab_value *a,
                      const struct hpolab_value *b)
{
    if (a->type != b->type)
        return 0;
    switch (a->type) {
    case HPOLAB_VALUE_INT:
        return a->u.i == b->u.i;
    case HPOLAB_VALUE_DOUBLE:
        return a->u.d == b->u.d;
    case HPOLAB_VALUE_BOOL:
        return a->u.b == b->u.b;
    case HPOLAB_VALUE_STRING:
    case HPOLAB_VALUE_JSON:
        return strcmp(a->u.s, b->u.s) == 0;
    default:
        return 1;
    }
}

static const char *type_name(int32_t t)
{
    static const char *names[] = {"null", "int", "float", "string", "bool",
                                  "list/object"};
    return t >= 0 && t <= HPOLAB_VALUE_JSON ? names[t] : "unknown";
}

int hpolab_conf_config_ok(const struct hpolab_space *s,
                          const struct hpolab_config *config, char *why,
                          size_t size)
{
    why[0] = '\0';
    if (!config) {
        snprintf(why, size, "no configuration");
        return 0;
    }
    struct hpolab_config *cast = hpolab_config_dup(config);
    struct hpolab_config *full = NULL;
    struct hpolab_error err;
    if (!cast) {
        snprintf(why, size, "out of memory");
        return 0;
    }
    for (uint32_t i = 0; !why[0] && i < hpolab_space_count(s); i++) {
        const char *name = hpolab_space_name(s, i);
        if (hpolab_record_index(&config->rec, name) < 0)
            snprintf(why, size, "'%s' is missing (a configuration must be "
                     "full, constants included)", name);
    }
    if (!why[0] && hpolab_space_cast(s, cast, &err) != HPOLAB_OK)
        snprintf(why, size, "%s", err.message);
    for (uint32_t i = 0; !why[0] && i < config->rec.count; i++) {
        const struct hpolab_value *v = &config->rec.entries[i].value;
        const struct hpolab_value *c = &cast->rec.entries[i].value;
        if (!same_value(v, c)) {
            char *text = hpolab_value_text(v);
            snprintf(why, size, "'%s' = %s has type %s; its domain (%s) "
                     "gives %s", config->rec.entries[i].name,
                     text ? text : "?", type_name(v->type),
                     hpolab_space_domain_name(
                         s, (uint32_t)hpolab_space_index(
                                s, config->rec.entries[i].name)),
                     type_name(c->type));
            free(text);
        }
    }
    if (!why[0] && hpolab_space_default_config(s, config, &full, &err) !=
                       HPOLAB_OK)
        snprintf(why, size, "%s", err.message);
    hpolab_config_free(full);
    hpolab_config_free(cast);
    return why[0] == '\0';
}

double hpolab_conf_objective(const struct hpolab_config *config,
                             int64_t epoch)
{
    char *text = hpolab_record_to_json_text(&config->rec);
    uint64_t h = 1469598103934665603ull; /* FNV-1a of the configuration */
    for (const char *p = text ? text : ""; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    free(text);
    double base = (double)(h % 10000) / 10000.0;
    return base + 1.0 / (double)(epoch > 0 ? epoch : 1);
}

struct hpolab_result *hpolab_conf_result(double loss, int64_t epoch,
                                         int with_metric)
{
    struct hpolab_result *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    hpolab_record_init(&r->rec);
    int32_t st = with_metric ? hpolab_record_set_double(&r->rec,
                                                        HPOLAB_CONF_METRIC,
                                                        loss)
                             : HPOLAB_OK;
    st |= hpolab_record_set_int(&r->rec, HPOLAB_CONF_RESOURCE, epoch);
    if (st != HPOLAB_OK) {
        hpolab_conf_result_free(r);
        return NULL;
    }
    return r;
}

void hpolab_conf_result_free(struct hpolab_result *r)
{
    if (!r)
        return;
    hpolab_record_free(&r->rec);
    free(r);
}

void hpolab_conf_ctx_reset(struct hpolab_ctx *ctx)
{
    hpolab_error_clear(&ctx->err);
}

void hpolab_conf_status(struct hpolab_conf_run *run,
                        const struct hpolab_ctx *ctx, int32_t st,
                        const char *call)
{
    if (st == HPOLAB_OK)
        return;
    run->errors_seen++;
    if (ctx->err.message[0] == '\0') {
        if (run->errors_silent++ == 0)
            snprintf(run->first_silent, sizeof run->first_silent,
                     "%s returned %d (%s) without a message", call, (int)st,
                     hpolab_status_text(st));
    }
}

/* Backends: create with a throw-away experiment folder, stop a trial that
 * does not exist, wait without blocking, destroy. */
static int32_t conf_backend(struct hpolab_conf_run *run)
{
    const struct hpolab_backend_class *cls = &run->comp->cls.backend;
    char dir[] = "/tmp/hpolab-check-XXXXXX";
    struct hpolab_options *opts = NULL;
    struct hpolab_error err;
    const char *argv[] = {"/bin/true", NULL};
    if (!mkdtemp(dir))
        return hpolab_check_add(run->report, run->component,
                                "create and destroy", HPOLAB_CHECK_FAIL,
                                "cannot create a temporary folder");
    int32_t st =
        hpolab_options_create(run->o->options, "--options", &opts, &err);
    struct hpolab_backend_args a = {
        .struct_size = sizeof a, .experiment_dir = dir, .entry_argc = 1,
        .entry_argv = argv, .working_dir = dir, .n_workers = 1,
        .options = opts, .wake_fd = -1};
    struct hpolab_ctx ctx;
    hpolab_ctx_init(&ctx, "backend", run->comp->id, run->reg);
    /* as the tuner does: the backend may simulate the experiment clock */
    struct hpolab_clock clock;
    hpolab_clock_start(&clock);
    ctx.clock = &clock;
    ctx.clock_driver = &clock;
    void *state = NULL;
    if (st == HPOLAB_OK) {
        st = cls->create(&ctx, &a, &state);
        hpolab_conf_status(run, &ctx, st, "create");
    }
    if (st != HPOLAB_OK) {
        hpolab_check_add(run->report, run->component, "create and destroy",
                         HPOLAB_CHECK_FAIL, "create failed: %s",
                         ctx.err.message[0] ? ctx.err.message : "no message");
    } else {
        hpolab_conf_ctx_reset(&ctx);
        st = cls->stop_trial(state, &ctx, 12345, HPOLAB_STOP_STOP);
        hpolab_conf_status(run, &ctx, st, "stop_trial(unknown trial)");
        hpolab_conf_ctx_reset(&ctx);
        st = cls->wait_events(state, &ctx, 0);
        hpolab_conf_status(run, &ctx, st, "wait_events(0)");
        if (cls->stop_all) {
            hpolab_conf_ctx_reset(&ctx);
            st = cls->stop_all(state, &ctx, 0);
            hpolab_conf_status(run, &ctx, st, "stop_all");
        }
        cls->destroy(state);
        hpolab_check_add(run->report, run->component,
                         "create, stop an unknown trial, wait, destroy",
                         HPOLAB_CHECK_PASS, NULL);
    }
    hpolab_options_free(opts);
    rmdir(dir);
    return HPOLAB_OK;
}

static int32_t conf_plotter(struct hpolab_conf_run *run)
{
    const struct hpolab_plotter_class *cls = &run->comp->cls.plotter;
    struct hpolab_options *opts = NULL;
    struct hpolab_error err;
    int32_t st =
        hpolab_options_create(run->o->options, "--options", &opts, &err);
    struct hpolab_plotter_args a = {.struct_size = sizeof a, .options = opts};
    struct hpolab_ctx ctx;
    hpolab_ctx_init(&ctx, "plotter", run->comp->id, run->reg);
    void *state = NULL;
    if (st == HPOLAB_OK) {
        st = cls->create(&ctx, &a, &state);
        hpolab_conf_status(run, &ctx, st, "create");
    }
    if (st == HPOLAB_OK)
        cls->destroy(state);
    hpolab_options_free(opts);
    return hpolab_check_add(
        run->report, run->component, "create and destroy",
        st == HPOLAB_OK ? HPOLAB_CHECK_PASS : HPOLAB_CHECK_FAIL,
        st == HPOLAB_OK ? NULL : "create failed: %s",
        ctx.err.message[0] ? ctx.err.message : "no message");
}

static int32_t conf_component(struct hpolab_conf_run *run)
{
    int32_t st;
    switch (run->comp->kind) {
    case HPOLAB_KIND_SEARCHER:
        st = hpolab_conf_searcher(run);
        break;
    case HPOLAB_KIND_SCHEDULER:
        st = hpolab_conf_scheduler(run);
        break;
    case HPOLAB_KIND_BACKEND:
        st = conf_backend(run);
        break;
    default:
        st = conf_plotter(run);
        break;
    }
    if (st != HPOLAB_OK)
        return st;
    if (run->errors_silent > 0)
        return hpolab_check_add(run->report, run->component,
                                "every error carries a message",
                                HPOLAB_CHECK_FAIL, "%zu of %zu errors had no "
                                "message; first: %s",
                                run->errors_silent, run->errors_seen,
                                run->first_silent);
    return hpolab_check_add(run->report, run->component,
                            "every error carries a message", HPOLAB_CHECK_PASS,
                            "%zu error(s) seen", run->errors_seen);
}

int32_t hpolab_conformance_run(struct hpolab_registry *reg,
                               const struct hpolab_plugin *plugin,
                               const struct hpolab_conformance_options *o,
                               struct hpolab_check_report *out,
                               struct hpolab_error *err)
{
    struct hpolab_conformance_options opts = *o;
    if (!opts.searcher)
        opts.searcher = "random";
    if (opts.seed == 0)
        opts.seed = 31415;
    if (opts.n_trials == 0)
        opts.n_trials = 20;
    for (size_t i = 0; i < hpolab_registry_component_count(reg); i++) {
        const struct hpolab_component *c = hpolab_registry_component_at(reg, i);
        if (c->plugin != plugin)
            continue;
        struct hpolab_conf_run run;
        memset(&run, 0, sizeof run);
        run.reg = reg;
        run.comp = c;
        run.o = &opts;
        run.report = out;
        snprintf(run.component, sizeof run.component, "%s '%s'",
                 hpolab_kind_name(c->kind), c->id);
        if (conf_component(&run) != HPOLAB_OK)
            return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    }
    return HPOLAB_OK;
}
