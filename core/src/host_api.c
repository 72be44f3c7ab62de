/* host_api.c: fills the host function table (struct hpolab_host_api) once,
 * with designated initializers. Each entry adapts a core function to the
 * ABI: errors go to the caller's ctx, strings and handles keep the
 * ownership the header documents. */
#include "host_api.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "buffer.h"
#include "clock.h"
#include "ctx.h"
#include "config.h"
#include "config_set.h"
#include "figure_host.h"
#include "rng.h"
#include "space.h"
#include "log.h"
#include "options.h"
#include "record.h"
#include "registry.h"
#include "searcher_instance.h"
#include "host_ext_aws.h"
#include "sim_clock.h"

/* ---- registration, errors, logging ------------------------------------ */

static int32_t HPOLAB_ABI reg_scheduler(struct hpolab_ctx *ctx,
                                        const struct hpolab_scheduler_class *c,
                                        uint64_t size)
{
    return hpolab_registry_register(ctx, HPOLAB_KIND_SCHEDULER, c, size);
}

static int32_t HPOLAB_ABI reg_searcher(struct hpolab_ctx *ctx,
                                       const struct hpolab_searcher_class *c,
                                       uint64_t size)
{
    return hpolab_registry_register(ctx, HPOLAB_KIND_SEARCHER, c, size);
}

static int32_t HPOLAB_ABI reg_backend(struct hpolab_ctx *ctx,
                                      const struct hpolab_backend_class *c,
                                      uint64_t size)
{
    return hpolab_registry_register(ctx, HPOLAB_KIND_BACKEND, c, size);
}

static int32_t HPOLAB_ABI reg_plotter(struct hpolab_ctx *ctx,
                                      const struct hpolab_plotter_class *c,
                                      uint64_t size)
{
    return hpolab_registry_register(ctx, HPOLAB_KIND_PLOTTER, c, size);
}

static int32_t HPOLAB_ABI set_error(struct hpolab_ctx *ctx, int32_t status,
                                    const char *fmt, ...)
    HPOLAB_PRINTF(3, 4);
static int32_t HPOLAB_ABI set_error(struct hpolab_ctx *ctx, int32_t status,
                                    const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    hpolab_error_setv(ctx ? &ctx->err : NULL, status, fmt, ap);
    va_end(ap);
    return status;
}

static void HPOLAB_ABI host_log(struct hpolab_ctx *ctx, int32_t level,
                                const char *fmt, ...) HPOLAB_PRINTF(3, 4);
static void HPOLAB_ABI host_log(struct hpolab_ctx *ctx, int32_t level,
                                const char *fmt, ...)
{
    if (level > hpolab_log_level())
        return;
    char msg[4000];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (ctx && ctx->kind)
        hpolab_logf(level, "[%s:%s] %s", ctx->kind, ctx->id ? ctx->id : "?",
                    msg);
    else
        hpolab_logf(level, "%s", msg);
}

static const char *HPOLAB_ABI status_str(int32_t status)
{
    return hpolab_status_text(status);
}

static void *HPOLAB_ABI host_alloc(uint64_t size)
{
    return size > SIZE_MAX ? NULL : malloc((size_t)size);
}

static void HPOLAB_ABI host_free(void *p) { free(p); }

static double HPOLAB_ABI host_now(struct hpolab_ctx *ctx)
{
    return hpolab_clock_now(ctx ? ctx->clock : NULL);
}

static double HPOLAB_ABI host_wall_time(struct hpolab_ctx *ctx)
{
    return hpolab_wall_time();
}

/* ---- random numbers ---------------------------------------------------- */

static int32_t HPOLAB_ABI rng_create(struct hpolab_ctx *ctx, uint32_t seed,
                                     struct hpolab_rng **out)
{
    *out = malloc(sizeof **out);
    if (!*out)
        return set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
    hpolab_rng_seed(*out, seed);
    return HPOLAB_OK;
}

static void HPOLAB_ABI rng_destroy(struct hpolab_rng *rng) { free(rng); }

static uint32_t HPOLAB_ABI rng_u32(struct hpolab_rng *rng)
{
    return hpolab_rng_u32(rng);
}

static double HPOLAB_ABI rng_random(struct hpolab_rng *rng)
{
    return hpolab_rng_double(rng);
}

static double HPOLAB_ABI rng_uniform(struct hpolab_rng *rng, double lo,
                                     double hi)
{
    return hpolab_rng_uniform(rng, lo, hi);
}

static int64_t HPOLAB_ABI rng_randint(struct hpolab_rng *rng, int64_t lo,
                                      int64_t hi)
{
    return hpolab_rng_randint(rng, lo, hi);
}

static double HPOLAB_ABI rng_normal(struct hpolab_rng *rng, double loc,
                                    double scale)
{
    return hpolab_rng_normal(rng, loc, scale);
}

static uint32_t HPOLAB_ABI rng_seed(struct hpolab_rng *rng)
{
    return hpolab_rng_seed_draw(rng);
}

/* ---- options ----------------------------------------------------------- */

static int32_t HPOLAB_ABI option_double(struct hpolab_ctx *ctx,
                                        const struct hpolab_options *o,
                                        const char *name, double dflt,
                                        double *out)
{
    return hpolab_options_double(o, name, dflt, out, &ctx->err);
}

static int32_t HPOLAB_ABI option_int(struct hpolab_ctx *ctx,
                                     const struct hpolab_options *o,
                                     const char *name, int64_t dflt,
                                     int64_t *out)
{
    return hpolab_options_int(o, name, dflt, out, &ctx->err);
}

static int32_t HPOLAB_ABI option_bool(struct hpolab_ctx *ctx,
                                      const struct hpolab_options *o,
                                      const char *name, int32_t dflt,
                                      int32_t *out)
{
    return hpolab_options_bool(o, name, dflt, out, &ctx->err);
}

static int32_t HPOLAB_ABI option_string(struct hpolab_ctx *ctx,
                                        const struct hpolab_options *o,
                                        const char *name, const char *dflt,
                                        const char **out)
{
    return hpolab_options_string(o, name, dflt, out, &ctx->err);
}

/* ---- configuration space and sets ------------------------------------- */

static uint32_t HPOLAB_ABI space_count(const struct hpolab_space *s)
{
    return hpolab_space_count(s);
}

static const char *HPOLAB_ABI space_name(const struct hpolab_space *s,
                                         uint32_t i)
{
    return i < hpolab_space_count(s) ? hpolab_space_name(s, i) : NULL;
}

static const char *HPOLAB_ABI space_domain(const struct hpolab_space *s,
                                           uint32_t i)
{
    return i < hpolab_space_count(s) ? hpolab_space_domain_name(s, i) : NULL;
}

static int32_t HPOLAB_ABI space_sample(struct hpolab_ctx *ctx,
                                       const struct hpolab_space *s,
                                       struct hpolab_rng *rng,
                                       struct hpolab_config **out)
{
    return hpolab_space_sample(s, rng, out, &ctx->err);
}

static int32_t HPOLAB_ABI space_default_config(struct hpolab_ctx *ctx,
                                               const struct hpolab_space *s,
                                               const struct hpolab_config *p,
                                               struct hpolab_config **out)
{
    return hpolab_space_default_config(s, p, out, &ctx->err);
}

static int32_t HPOLAB_ABI space_cast(struct hpolab_ctx *ctx,
                                     const struct hpolab_space *s,
                                     struct hpolab_config *config)
{
    return hpolab_space_cast(s, config, &ctx->err);
}

static double HPOLAB_ABI space_cardinality(const struct hpolab_space *s)
{
    return hpolab_space_cardinality(s);
}

static uint32_t HPOLAB_ABI space_encoded_dim(const struct hpolab_space *s)
{
    return hpolab_space_encoded_dim(s);
}

static int32_t HPOLAB_ABI space_encode(struct hpolab_ctx *ctx,
                                       const struct hpolab_space *s,
                                       const struct hpolab_config *config,
                                       double *out, uint32_t dim)
{
    return hpolab_space_encode(s, config, out, dim, &ctx->err);
}

static int32_t HPOLAB_ABI space_decode(struct hpolab_ctx *ctx,
                                       const struct hpolab_space *s,
                                       const double *in, uint32_t dim,
                                       struct hpolab_config **out)
{
    return hpolab_space_decode(s, in, dim, out, &ctx->err);
}

static int32_t HPOLAB_ABI set_create(struct hpolab_ctx *ctx,
                                     const struct hpolab_space *s,
                                     struct hpolab_config_set **out)
{
    return hpolab_config_set_create(s, out, &ctx->err);
}

static void HPOLAB_ABI set_destroy(struct hpolab_config_set *set)
{
    hpolab_config_set_destroy(set);
}

static int32_t HPOLAB_ABI set_add(struct hpolab_ctx *ctx,
                                  struct hpolab_config_set *set,
                                  const struct hpolab_config *config,
                                  int32_t *out_added)
{
    return hpolab_config_set_add(set, config, out_added, &ctx->err);
}

static int32_t HPOLAB_ABI set_contains(const struct hpolab_config_set *set,
                                       const struct hpolab_config *config)
{
    return hpolab_config_set_contains(set, config);
}

static uint64_t HPOLAB_ABI set_count(const struct hpolab_config_set *set)
{
    return hpolab_config_set_count(set);
}

/* ---- configurations ---------------------------------------------------- */

static int32_t HPOLAB_ABI config_new(struct hpolab_ctx *ctx,
                                     struct hpolab_config **out)
{
    *out = hpolab_config_new();
    return *out ? HPOLAB_OK : set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
}

static int32_t HPOLAB_ABI config_dup(struct hpolab_ctx *ctx,
                                     const struct hpolab_config *c,
                                     struct hpolab_config **out)
{
    *out = hpolab_config_dup(c);
    return *out ? HPOLAB_OK : set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
}

static void HPOLAB_ABI config_free(struct hpolab_config *c)
{
    hpolab_config_free(c);
}

static uint32_t HPOLAB_ABI config_count(const struct hpolab_config *c)
{
    return c->rec.count;
}

static const char *HPOLAB_ABI config_name(const struct hpolab_config *c,
                                          uint32_t i)
{
    return i < c->rec.count ? c->rec.entries[i].name : NULL;
}

static int32_t HPOLAB_ABI config_index(const struct hpolab_config *c,
                                       const char *name)
{
    return hpolab_record_index(&c->rec, name);
}

static int32_t HPOLAB_ABI config_type(const struct hpolab_config *c,
                                      uint32_t i)
{
    return i < c->rec.count ? c->rec.entries[i].value.type
                            : HPOLAB_VALUE_NULL;
}

static int32_t HPOLAB_ABI config_get_int(const struct hpolab_config *c,
                                         uint32_t i, int64_t *out)
{
    if (i >= c->rec.count)
        return HPOLAB_ERR_RANGE;
    const struct hpolab_value *v = &c->rec.entries[i].value;
    if (v->type == HPOLAB_VALUE_INT) {
        *out = v->u.i;
        return HPOLAB_OK;
    }
    if (v->type == HPOLAB_VALUE_BOOL) {
        *out = v->u.b;
        return HPOLAB_OK;
    }
    if (v->type == HPOLAB_VALUE_DOUBLE && v->u.d == floor(v->u.d) &&
        fabs(v->u.d) < 9.0e18) {
        *out = (int64_t)v->u.d;
        return HPOLAB_OK;
    }
    return HPOLAB_ERR_TYPE;
}

static int32_t HPOLAB_ABI config_get_double(const struct hpolab_config *c,
                                            uint32_t i, double *out)
{
    if (i >= c->rec.count)
        return HPOLAB_ERR_RANGE;
    return hpolab_value_as_double(&c->rec.entries[i].value, out);
}

static const char *HPOLAB_ABI config_get_string(const struct hpolab_config *c,
                                                uint32_t i)
{
    if (i >= c->rec.count || c->rec.entries[i].value.type != HPOLAB_VALUE_STRING)
        return NULL;
    return c->rec.entries[i].value.u.s;
}

static const char *HPOLAB_ABI config_text(const struct hpolab_config *c,
                                          uint32_t i)
{
    /* The text cache is not part of the configuration's value. */
    return hpolab_record_text((struct hpolab_record *)&c->rec, i);
}

static int32_t nomem_or_ok(struct hpolab_ctx *ctx, int32_t st)
{
    return st == HPOLAB_OK ? st : set_error(ctx, st, "out of memory");
}

static int32_t HPOLAB_ABI config_set_int(struct hpolab_ctx *ctx,
                                         struct hpolab_config *c,
                                         const char *name, int64_t v)
{
    return nomem_or_ok(ctx, hpolab_record_set_int(&c->rec, name, v));
}

static int32_t HPOLAB_ABI config_set_double(struct hpolab_ctx *ctx,
                                            struct hpolab_config *c,
                                            const char *name, double v)
{
    return nomem_or_ok(ctx, hpolab_record_set_double(&c->rec, name, v));
}

static int32_t HPOLAB_ABI config_set_string(struct hpolab_ctx *ctx,
                                            struct hpolab_config *c,
                                            const char *name, const char *v)
{
    return nomem_or_ok(ctx, hpolab_record_set_string(&c->rec, name, v));
}

static int32_t HPOLAB_ABI config_set_bool(struct hpolab_ctx *ctx,
                                          struct hpolab_config *c,
                                          const char *name, int32_t v)
{
    return nomem_or_ok(ctx, hpolab_record_set_bool(&c->rec, name, v));
}

static char *HPOLAB_ABI config_to_json(const struct hpolab_config *c)
{
    return hpolab_record_to_json_text(&c->rec);
}

/* ---- results ----------------------------------------------------------- */

static uint32_t HPOLAB_ABI result_count(const struct hpolab_result *r)
{
    return r->rec.count;
}

static const char *HPOLAB_ABI result_name(const struct hpolab_result *r,
                                          uint32_t i)
{
    return i < r->rec.count ? r->rec.entries[i].name : NULL;
}

static int32_t HPOLAB_ABI result_get_double(const struct hpolab_result *r,
                                            const char *name, double *out)
{
    const struct hpolab_value *v = hpolab_record_get(&r->rec, name);
    if (!v)
        return HPOLAB_ERR_NOT_FOUND;
    return hpolab_value_as_double(v, out);
}

static const char *HPOLAB_ABI result_get_string(const struct hpolab_result *r,
                                                const char *name)
{
    const struct hpolab_value *v = hpolab_record_get(&r->rec, name);
    return v && v->type == HPOLAB_VALUE_STRING ? v->u.s : NULL;
}

/* ---- searchers for schedulers ----------------------------------------- */

/* A searcher's failure, reported on the scheduler's ctx with the searcher's
 * own prefix. */
static int32_t searcher_failed(struct hpolab_ctx *ctx,
                               const struct hpolab_searcher *s, int32_t st)
{
    struct hpolab_error err;
    hpolab_ctx_error(&s->ctx, st, &err);
    return set_error(ctx, st, "%s", err.message);
}

static int32_t HPOLAB_ABI searcher_create(
    struct hpolab_ctx *ctx, const char *id,
    const struct hpolab_searcher_args *args, struct hpolab_searcher **out)
{
    struct hpolab_error err;
    int32_t st = hpolab_searcher_instance_create(ctx->registry, id, args,
                                                 ctx->clock, out, &err);
    return st == HPOLAB_OK ? st : set_error(ctx, st, "%s", err.message);
}

static void HPOLAB_ABI searcher_destroy(struct hpolab_searcher *s)
{
    hpolab_searcher_instance_destroy(s);
}

/* Calls an optional searcher callback; absent ones succeed. */
#define SEARCHER_CALL(ctx, s, fn, ...)                                 \
    do {                                                               \
        hpolab_error_clear(&(s)->ctx.err);                             \
        if (!(s)->comp->cls.searcher.fn)                               \
            return HPOLAB_OK;                                          \
        int32_t st_ = (s)->comp->cls.searcher.fn((s)->state, &(s)->ctx, \
                                                  __VA_ARGS__);        \
        return st_ == HPOLAB_OK ? st_ : searcher_failed(ctx, s, st_);  \
    } while (0)

static int32_t HPOLAB_ABI searcher_suggest(struct hpolab_ctx *ctx,
                                           struct hpolab_searcher *s,
                                           int64_t trial_id,
                                           struct hpolab_config **out)
{
    *out = NULL;
    SEARCHER_CALL(ctx, s, suggest, trial_id, out);
}

static int32_t HPOLAB_ABI searcher_on_trial_result(
    struct hpolab_ctx *ctx, struct hpolab_searcher *s, int64_t trial_id,
    const struct hpolab_config *config, const struct hpolab_result *result)
{
    SEARCHER_CALL(ctx, s, on_trial_result, trial_id, config, result);
}

static int32_t HPOLAB_ABI searcher_on_trial_complete(
    struct hpolab_ctx *ctx, struct hpolab_searcher *s, int64_t trial_id,
    const struct hpolab_config *config, const struct hpolab_result *result)
{
    SEARCHER_CALL(ctx, s, on_trial_complete, trial_id, config, result);
}

static int32_t HPOLAB_ABI searcher_on_trial_error(
    struct hpolab_ctx *ctx, struct hpolab_searcher *s, int64_t trial_id,
    const struct hpolab_config *config)
{
    SEARCHER_CALL(ctx, s, on_trial_error, trial_id, config);
}

static int32_t HPOLAB_ABI searcher_save(struct hpolab_ctx *ctx,
                                        struct hpolab_searcher *s,
                                        struct hpolab_buffer *out)
{
    if (!s->comp->cls.searcher.save)
        return set_error(ctx, HPOLAB_ERR_UNSUPPORTED,
                         "searcher '%s' cannot save its state", s->comp->id);
    SEARCHER_CALL(ctx, s, save, out);
}

static int32_t HPOLAB_ABI searcher_restore(struct hpolab_ctx *ctx,
                                           struct hpolab_searcher *s,
                                           const void *data, uint64_t size)
{
    if (!s->comp->cls.searcher.restore)
        return set_error(ctx, HPOLAB_ERR_UNSUPPORTED,
                         "searcher '%s' cannot restore a state", s->comp->id);
    SEARCHER_CALL(ctx, s, restore, data, size);
}

/* ---- backend events ---------------------------------------------------- */

static int32_t no_sink(struct hpolab_ctx *ctx)
{
    return set_error(ctx, HPOLAB_ERR_STATE,
                     "events can only be emitted while the tuner runs the "
                     "backend");
}

static int32_t HPOLAB_ABI emit_line(struct hpolab_ctx *ctx, int64_t trial_id,
                                    const char *line, uint64_t len)
{
    if (!ctx->events || !ctx->events->line)
        return no_sink(ctx);
    return ctx->events->line(ctx->events->user, trial_id, line, len);
}

static int32_t HPOLAB_ABI emit_result(struct hpolab_ctx *ctx, int64_t trial_id,
                                      const char *json, uint64_t len)
{
    if (!ctx->events || !ctx->events->result)
        return no_sink(ctx);
    return ctx->events->result(ctx->events->user, trial_id, json, len);
}

static int32_t HPOLAB_ABI emit_exit(struct hpolab_ctx *ctx, int64_t trial_id,
                                    int32_t status, const char *message)
{
    if (!ctx->events || !ctx->events->exit)
        return no_sink(ctx);
    if (status != HPOLAB_TRIAL_COMPLETED && status != HPOLAB_TRIAL_FAILED)
        return set_error(ctx, HPOLAB_ERR_INVALID,
                         "emit_exit: status must be COMPLETED or FAILED, "
                         "got %d",
                         (int)status);
    return ctx->events->exit(ctx->events->user, trial_id, status, message);
}

static int32_t HPOLAB_ABI buffer_append(struct hpolab_buffer *buf,
                                        const void *data, uint64_t size)
{
    if (size > SIZE_MAX)
        return HPOLAB_ERR_NOMEM;
    return hpolab_buffer_append(buf, data, (size_t)size);
}

static const void *HPOLAB_ABI get_extension(struct hpolab_ctx *ctx,
                                            const char *id)
{
    const void *ext = hpolab_sim_clock_extension(id);
    return ext ? ext : hpolab_aws_extension(id);
}

static const struct hpolab_host_api host_api = {
    .struct_size = sizeof(struct hpolab_host_api),
    .abi_major = HPOLAB_ABI_MAJOR,
    .abi_minor = HPOLAB_ABI_MINOR,
    .register_scheduler = reg_scheduler,
    .register_searcher = reg_searcher,
    .register_backend = reg_backend,
    .register_plotter = reg_plotter,
    .set_error = set_error,
    .log = host_log,
    .status_str = status_str,
    .alloc = host_alloc,
    .free = host_free,
    .now = host_now,
    .wall_time = host_wall_time,
    .rng_create = rng_create,
    .rng_destroy = rng_destroy,
    .rng_u32 = rng_u32,
    .rng_random = rng_random,
    .rng_uniform = rng_uniform,
    .rng_randint = rng_randint,
    .rng_normal = rng_normal,
    .rng_seed = rng_seed,
    .option_double = option_double,
    .option_int = option_int,
    .option_bool = option_bool,
    .option_string = option_string,
    .space_count = space_count,
    .space_name = space_name,
    .space_domain = space_domain,
    .space_sample = space_sample,
    .space_default_config = space_default_config,
    .space_cast = space_cast,
    .space_cardinality = space_cardinality,
    .space_encoded_dim = space_encoded_dim,
    .space_encode = space_encode,
    .space_decode = space_decode,
    .config_set_create = set_create,
    .config_set_destroy = set_destroy,
    .config_set_add = set_add,
    .config_set_contains = set_contains,
    .config_set_count = set_count,
    .config_new = config_new,
    .config_dup = config_dup,
    .config_free = config_free,
    .config_count = config_count,
    .config_name = config_name,
    .config_index = config_index,
    .config_type = config_type,
    .config_get_int = config_get_int,
    .config_get_double = config_get_double,
    .config_get_string = config_get_string,
    .config_text = config_text,
    .config_set_int = config_set_int,
    .config_set_double = config_set_double,
    .config_set_string = config_set_string,
    .config_set_bool = config_set_bool,
    .config_to_json = config_to_json,
    .result_count = result_count,
    .result_name = result_name,
    .result_get_double = result_get_double,
    .result_get_string = result_get_string,
    .searcher_create = searcher_create,
    .searcher_destroy = searcher_destroy,
    .searcher_suggest = searcher_suggest,
    .searcher_on_trial_result = searcher_on_trial_result,
    .searcher_on_trial_complete = searcher_on_trial_complete,
    .searcher_on_trial_error = searcher_on_trial_error,
    .searcher_save = searcher_save,
    .searcher_restore = searcher_restore,
    .emit_line = emit_line,
    .emit_result = emit_result,
    .emit_exit = emit_exit,
    .buffer_append = buffer_append,
    .get_extension = get_extension,
    /* ABI 1.1 (figure_host.c) */
    .figure_size = hpolab_figure_size,
    .figure_grid = hpolab_figure_grid,
    .figure_title = hpolab_figure_title,
    .figure_xlabel = hpolab_figure_xlabel,
    .figure_ylabel = hpolab_figure_ylabel,
    .figure_legend = hpolab_figure_legend,
    .figure_flags = hpolab_figure_flags,
    .figure_subplot_count = hpolab_figure_subplot_count,
    .figure_subplot_cell = hpolab_figure_subplot_cell,
    .figure_subplot_title = hpolab_figure_subplot_title,
    .figure_subplot_legend = hpolab_figure_subplot_legend,
    .figure_subplot_xrange = hpolab_figure_subplot_xrange,
    .figure_subplot_yrange = hpolab_figure_subplot_yrange,
    .figure_series_count = hpolab_figure_series_count,
    .figure_series_name = hpolab_figure_series_name,
    .figure_series_color = hpolab_figure_series_color,
    .figure_series_style = hpolab_figure_series_style,
    .figure_series_length = hpolab_figure_series_length,
    .figure_series_x = hpolab_figure_series_x,
    .figure_series_y = hpolab_figure_series_y,
    .figure_series_lower = hpolab_figure_series_lower,
    .figure_series_upper = hpolab_figure_series_upper,
};

const struct hpolab_host_api *hpolab_host_api(void) { return &host_api; }
