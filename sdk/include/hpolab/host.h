/* hpolab/host.h: the host function table, the only way a plugin reaches the
 * core. The table is size-prefixed and append-only: a plugin reads an entry
 * only if it lies inside host->struct_size (HPOLAB_HOST_HAS), which matters
 * only for plugins that define HPOLAB_TARGET_ABI_MINOR below the SDK's.
 *
 * Every entry notes ownership ([borrowed], [owned: X], [transfers to host])
 * and, where it matters, the thread it may be called from. Fallible entries
 * return an HPOLAB_* status; details go to the ctx's error message
 * (host->set_error) and are shown by the host prefixed with the component,
 * e.g. "[scheduler:asha] reduction_factor must be >= 2, got 1". */
#ifndef HPOLAB_HOST_H
#define HPOLAB_HOST_H

#include "backend.h"
#include "plotter.h"
#include "scheduler.h"
#include "searcher.h"
#include "status.h"
#include "types.h"

HPOLAB_EXTERN_C_BEGIN

struct hpolab_host_api {
    uint32_t struct_size; /* the host's sizeof(struct hpolab_host_api) */
    uint16_t abi_major;   /* the host's HPOLAB_ABI_MAJOR */
    uint16_t abi_minor;   /* the host's HPOLAB_ABI_MINOR */

    /* ---- ABI 1.0 ---------------------------------------------------- */

    /* Registration of component classes. [init-only]: outside the plugin's
     * init they return HPOLAB_ERR_STATE. size = sizeof the class struct as
     * the plugin knows it (use the hpolab_register_* macros). The host copies
     * the class; the id and description strings must be static. */
    int32_t(HPOLAB_ABI *register_scheduler)(
        struct hpolab_ctx *ctx, const struct hpolab_scheduler_class *cls,
        uint64_t size);
    int32_t(HPOLAB_ABI *register_searcher)(
        struct hpolab_ctx *ctx, const struct hpolab_searcher_class *cls,
        uint64_t size);
    int32_t(HPOLAB_ABI *register_backend)(
        struct hpolab_ctx *ctx, const struct hpolab_backend_class *cls,
        uint64_t size);
    int32_t(HPOLAB_ABI *register_plotter)(
        struct hpolab_ctx *ctx, const struct hpolab_plotter_class *cls,
        uint64_t size);

    /* Errors and logging. set_error formats and copies the message into the
     * ctx and returns status, so `return host->set_error(ctx, ...)` works. */
    int32_t(HPOLAB_ABI *set_error)(struct hpolab_ctx *ctx, int32_t status,
                                   const char *fmt, ...);
    void(HPOLAB_ABI *log)(struct hpolab_ctx *ctx, int32_t level,
                          const char *fmt, ...);
    /* [borrowed, static] text of a status code. */
    const char *(HPOLAB_ABI *status_str)(int32_t status);

    /* Memory handed to the host, or returned by the host as [owned: free]. */
    void *(HPOLAB_ABI *alloc)(uint64_t size);
    void(HPOLAB_ABI *free)(void *ptr);

    /* Clock. now: seconds on the experiment's clock since tuning started
     * (simulated under a simulator backend); wall_time: Unix time. */
    double(HPOLAB_ABI *now)(struct hpolab_ctx *ctx);
    double(HPOLAB_ABI *wall_time)(struct hpolab_ctx *ctx);

    /* Random numbers: numpy's legacy RandomState (MT19937) algorithms, so a
     * plugin draws exactly what Syne Tune draws for the same seed.
     * rng_create: *out [owned: rng_destroy]. */
    int32_t(HPOLAB_ABI *rng_create)(struct hpolab_ctx *ctx, uint32_t seed,
                                    struct hpolab_rng **out);
    void(HPOLAB_ABI *rng_destroy)(struct hpolab_rng *rng);
    uint32_t(HPOLAB_ABI *rng_u32)(struct hpolab_rng *rng);
    double(HPOLAB_ABI *rng_random)(struct hpolab_rng *rng); /* [0, 1) */
    double(HPOLAB_ABI *rng_uniform)(struct hpolab_rng *rng, double lo,
                                    double hi);
    /* Uniform integer in [lo, hi) (hi exclusive, as numpy's randint). */
    int64_t(HPOLAB_ABI *rng_randint)(struct hpolab_rng *rng, int64_t lo,
                                     int64_t hi);
    double(HPOLAB_ABI *rng_normal)(struct hpolab_rng *rng, double loc,
                                   double scale);
    /* Syne Tune's RandomSeedGenerator draw: randint(0, 2^31 - 1). */
    uint32_t(HPOLAB_ABI *rng_seed)(struct hpolab_rng *rng);

    /* Options of a component instance. A missing option yields dflt and
     * HPOLAB_OK; a wrongly typed one HPOLAB_ERR_TYPE with a message naming
     * the option. The host reports options nobody read as unknown.
     * option_string's *out is [borrowed] for the life of opts. */
    int32_t(HPOLAB_ABI *option_double)(struct hpolab_ctx *ctx,
                                       const struct hpolab_options *opts,
                                       const char *name, double dflt,
                                       double *out);
    int32_t(HPOLAB_ABI *option_int)(struct hpolab_ctx *ctx,
                                    const struct hpolab_options *opts,
                                    const char *name, int64_t dflt,
                                    int64_t *out);
    int32_t(HPOLAB_ABI *option_bool)(struct hpolab_ctx *ctx,
                                     const struct hpolab_options *opts,
                                     const char *name, int32_t dflt,
                                     int32_t *out);
    int32_t(HPOLAB_ABI *option_string)(struct hpolab_ctx *ctx,
                                       const struct hpolab_options *opts,
                                       const char *name, const char *dflt,
                                       const char **out);

    /* Configuration space. Names are [borrowed] for the life of the space.
     * space_domain: "uniform", "loguniform", ..., or "constant". */
    uint32_t(HPOLAB_ABI *space_count)(const struct hpolab_space *space);
    const char *(HPOLAB_ABI *space_name)(const struct hpolab_space *space,
                                         uint32_t index);
    const char *(HPOLAB_ABI *space_domain)(const struct hpolab_space *space,
                                           uint32_t index);
    /* A random configuration (schedulers reference §1.3 draw order).
     * *out [owned: config_free]. */
    int32_t(HPOLAB_ABI *space_sample)(struct hpolab_ctx *ctx,
                                      const struct hpolab_space *space,
                                      struct hpolab_rng *rng,
                                      struct hpolab_config **out);
    /* Complete a partial configuration (NULL: empty) with the midpoint
     * heuristic and cast every value; *out [owned: config_free]. */
    int32_t(HPOLAB_ABI *space_default_config)(
        struct hpolab_ctx *ctx, const struct hpolab_space *space,
        const struct hpolab_config *partial, struct hpolab_config **out);
    /* Cast every hyperparameter of config to its domain, in place. */
    int32_t(HPOLAB_ABI *space_cast)(struct hpolab_ctx *ctx,
                                    const struct hpolab_space *space,
                                    struct hpolab_config *config);
    /* Number of distinct configurations, or INFINITY when infinite or larger
     * than 2^20 (Syne Tune's convention). */
    double(HPOLAB_ABI *space_cardinality)(const struct hpolab_space *space);
    /* Encoding to [0,1]^dim (schedulers reference §1.4) and back. */
    uint32_t(HPOLAB_ABI *space_encoded_dim)(const struct hpolab_space *space);
    int32_t(HPOLAB_ABI *space_encode)(struct hpolab_ctx *ctx,
                                      const struct hpolab_space *space,
                                      const struct hpolab_config *config,
                                      double *out, uint32_t dim);
    int32_t(HPOLAB_ABI *space_decode)(struct hpolab_ctx *ctx,
                                      const struct hpolab_space *space,
                                      const double *in, uint32_t dim,
                                      struct hpolab_config **out);

    /* Sets of configurations compared by match key (§1.5): two
     * configurations are the same if every hyperparameter agrees (floats to
     * 7 significant digits); constants are ignored. *out [owned:
     * config_set_destroy]. config_set_add sets *out_added to 0 when an equal
     * configuration is in the set already. */
    int32_t(HPOLAB_ABI *config_set_create)(struct hpolab_ctx *ctx,
                                           const struct hpolab_space *space,
                                           struct hpolab_config_set **out);
    void(HPOLAB_ABI *config_set_destroy)(struct hpolab_config_set *set);
    int32_t(HPOLAB_ABI *config_set_add)(struct hpolab_ctx *ctx,
                                        struct hpolab_config_set *set,
                                        const struct hpolab_config *config,
                                        int32_t *out_added);
    int32_t(HPOLAB_ABI *config_set_contains)(
        const struct hpolab_config_set *set,
        const struct hpolab_config *config);
    uint64_t(HPOLAB_ABI *config_set_count)(
        const struct hpolab_config_set *set);

    /* Configurations: ordered name -> value. Index-based getters; names and
     * strings are [borrowed] until the configuration changes or is freed.
     * config_get_double converts ints; config_get_int refuses non-integral
     * doubles (HPOLAB_ERR_TYPE). config_text is Python's str() of the value
     * ("16", "0.001", "1e-05", "True", raw strings): what a training script
     * receives on its command line. config_set_* replace an existing value
     * or append. */
    int32_t(HPOLAB_ABI *config_new)(struct hpolab_ctx *ctx,
                                    struct hpolab_config **out);
    int32_t(HPOLAB_ABI *config_dup)(struct hpolab_ctx *ctx,
                                    const struct hpolab_config *config,
                                    struct hpolab_config **out);
    void(HPOLAB_ABI *config_free)(struct hpolab_config *config);
    uint32_t(HPOLAB_ABI *config_count)(const struct hpolab_config *config);
    const char *(HPOLAB_ABI *config_name)(const struct hpolab_config *config,
                                          uint32_t index);
    /* Index of name, or -1. */
    int32_t(HPOLAB_ABI *config_index)(const struct hpolab_config *config,
                                      const char *name);
    int32_t(HPOLAB_ABI *config_type)(const struct hpolab_config *config,
                                     uint32_t index); /* HPOLAB_VALUE_* */
    int32_t(HPOLAB_ABI *config_get_int)(const struct hpolab_config *config,
                                        uint32_t index, int64_t *out);
    int32_t(HPOLAB_ABI *config_get_double)(const struct hpolab_config *config,
                                           uint32_t index, double *out);
    const char *(HPOLAB_ABI *config_get_string)(
        const struct hpolab_config *config, uint32_t index); /* NULL if not a string */
    const char *(HPOLAB_ABI *config_text)(const struct hpolab_config *config,
                                          uint32_t index);
    int32_t(HPOLAB_ABI *config_set_int)(struct hpolab_ctx *ctx,
                                        struct hpolab_config *config,
                                        const char *name, int64_t value);
    int32_t(HPOLAB_ABI *config_set_double)(struct hpolab_ctx *ctx,
                                           struct hpolab_config *config,
                                           const char *name, double value);
    int32_t(HPOLAB_ABI *config_set_string)(struct hpolab_ctx *ctx,
                                           struct hpolab_config *config,
                                           const char *name,
                                           const char *value);
    int32_t(HPOLAB_ABI *config_set_bool)(struct hpolab_ctx *ctx,
                                         struct hpolab_config *config,
                                         const char *name, int32_t value);
    /* The configuration as a JSON object text; [owned: free]. */
    char *(HPOLAB_ABI *config_to_json)(const struct hpolab_config *config);

    /* Results: what a trial reported, plus the tuner's st_* fields. */
    uint32_t(HPOLAB_ABI *result_count)(const struct hpolab_result *result);
    const char *(HPOLAB_ABI *result_name)(const struct hpolab_result *result,
                                          uint32_t index);
    /* HPOLAB_ERR_NOT_FOUND if absent, HPOLAB_ERR_TYPE if not a number
     * (NaN and infinities are numbers). */
    int32_t(HPOLAB_ABI *result_get_double)(const struct hpolab_result *result,
                                           const char *name, double *out);
    const char *(HPOLAB_ABI *result_get_string)(
        const struct hpolab_result *result, const char *name);

    /* Searcher instances for schedulers, created by searcher id.
     * *out [owned: searcher_destroy]. The other calls forward to the
     * searcher's class (optional callbacks that are absent return OK). */
    int32_t(HPOLAB_ABI *searcher_create)(
        struct hpolab_ctx *ctx, const char *id,
        const struct hpolab_searcher_args *args, struct hpolab_searcher **out);
    void(HPOLAB_ABI *searcher_destroy)(struct hpolab_searcher *searcher);
    int32_t(HPOLAB_ABI *searcher_suggest)(struct hpolab_ctx *ctx,
                                          struct hpolab_searcher *searcher,
                                          int64_t trial_id,
                                          struct hpolab_config **out_config);
    int32_t(HPOLAB_ABI *searcher_on_trial_result)(
        struct hpolab_ctx *ctx, struct hpolab_searcher *searcher,
        int64_t trial_id, const struct hpolab_config *config,
        const struct hpolab_result *result);
    int32_t(HPOLAB_ABI *searcher_on_trial_complete)(
        struct hpolab_ctx *ctx, struct hpolab_searcher *searcher,
        int64_t trial_id, const struct hpolab_config *config,
        const struct hpolab_result *result);
    int32_t(HPOLAB_ABI *searcher_on_trial_error)(
        struct hpolab_ctx *ctx, struct hpolab_searcher *searcher,
        int64_t trial_id, const struct hpolab_config *config);
    int32_t(HPOLAB_ABI *searcher_save)(struct hpolab_ctx *ctx,
                                       struct hpolab_searcher *searcher,
                                       struct hpolab_buffer *out);
    int32_t(HPOLAB_ABI *searcher_restore)(struct hpolab_ctx *ctx,
                                          struct hpolab_searcher *searcher,
                                          const void *data, uint64_t size);

    /* Backend events. [tuner-thread], from inside wait_events (or
     * start_trial). emit_line: one line the trial printed on stdout, without
     * its newline; the host finds "[tune-metric]: {json}" in it (anywhere in
     * the line) and warns about a malformed report naming trial and line.
     * emit_result: a result given directly as JSON object text (simulated
     * backends). emit_exit: the job ended with status HPOLAB_TRIAL_COMPLETED
     * or _FAILED; message says why (exit code, signal, stderr tail) or is
     * NULL. All strings are [borrowed] for the call. */
    int32_t(HPOLAB_ABI *emit_line)(struct hpolab_ctx *ctx, int64_t trial_id,
                                   const char *line, uint64_t len);
    int32_t(HPOLAB_ABI *emit_result)(struct hpolab_ctx *ctx, int64_t trial_id,
                                     const char *json, uint64_t len);
    int32_t(HPOLAB_ABI *emit_exit)(struct hpolab_ctx *ctx, int64_t trial_id,
                                   int32_t status, const char *message);

    /* Append bytes to a host buffer (save callbacks). */
    int32_t(HPOLAB_ABI *buffer_append)(struct hpolab_buffer *buf,
                                       const void *data, uint64_t size);

    /* Optional feature families by id ("hpolab_<name>_v<rev>", ABI.md
     * rule 8); NULL if the host does not provide it. [borrowed, static] */
    const void *(HPOLAB_ABI *get_extension)(struct hpolab_ctx *ctx,
                                            const char *id);

    /* ---- ABI 1.1: figure accessors, for plotters --------------------- */

    /* A figure is nrows x ncols panels ("subplots"); each subplot holds
     * series (one curve, band or marker set each). Everything returned is
     * [borrowed] for the render call. Out-of-range indices give 0, NULL or
     * "" (never a crash). Arrays have figure_series_length() entries; a
     * NaN x marks a gap (the line is broken there). */
    /* Output size in pixels, and the dots per inch that size assumes (for
     * vector formats: inches = pixels / dpi). */
    void(HPOLAB_ABI *figure_size)(const struct hpolab_figure *fig,
                                  uint32_t *width_px, uint32_t *height_px,
                                  uint32_t *dpi);
    void(HPOLAB_ABI *figure_grid)(const struct hpolab_figure *fig,
                                  uint32_t *nrows, uint32_t *ncols);
    /* Texts: "" when absent. The y label is meant for the first column, the
     * x label for the bottom row. */
    const char *(HPOLAB_ABI *figure_title)(const struct hpolab_figure *fig);
    const char *(HPOLAB_ABI *figure_xlabel)(const struct hpolab_figure *fig);
    const char *(HPOLAB_ABI *figure_ylabel)(const struct hpolab_figure *fig);
    /* Legend position: "top right", "top left", "bottom right", "bottom
     * left", "outside" (right of the panel), "below" or "none". */
    const char *(HPOLAB_ABI *figure_legend)(const struct hpolab_figure *fig);
    /* HPOLAB_FIGURE_* bits (plotter.h). */
    uint32_t(HPOLAB_ABI *figure_flags)(const struct hpolab_figure *fig);
    uint32_t(HPOLAB_ABI *figure_subplot_count)(
        const struct hpolab_figure *fig);
    /* Grid cell of subplot k (0-based row and column). */
    void(HPOLAB_ABI *figure_subplot_cell)(const struct hpolab_figure *fig,
                                          uint32_t k, uint32_t *row,
                                          uint32_t *col);
    const char *(HPOLAB_ABI *figure_subplot_title)(
        const struct hpolab_figure *fig, uint32_t k);
    /* 1 if subplot k shows the legend. */
    int32_t(HPOLAB_ABI *figure_subplot_legend)(const struct hpolab_figure *fig,
                                               uint32_t k);
    /* Axis ranges of subplot k; NaN: choose from the data. Shared axes
     * (HPOLAB_FIGURE_SHARE_X/Y) have the same range in every subplot. */
    void(HPOLAB_ABI *figure_subplot_xrange)(const struct hpolab_figure *fig,
                                            uint32_t k, double *lo,
                                            double *hi);
    void(HPOLAB_ABI *figure_subplot_yrange)(const struct hpolab_figure *fig,
                                            uint32_t k, double *lo,
                                            double *hi);
    uint32_t(HPOLAB_ABI *figure_series_count)(const struct hpolab_figure *fig,
                                              uint32_t k);
    /* Legend text of series s of subplot k (UTF-8, any characters); ""
     * means no legend entry. */
    const char *(HPOLAB_ABI *figure_series_name)(
        const struct hpolab_figure *fig, uint32_t k, uint32_t s);
    /* Colour: an index into the plotter's palette, the same for one setup
     * in every subplot. */
    uint32_t(HPOLAB_ABI *figure_series_color)(const struct hpolab_figure *fig,
                                              uint32_t k, uint32_t s);
    /* HPOLAB_SERIES_* (plotter.h). */
    int32_t(HPOLAB_ABI *figure_series_style)(const struct hpolab_figure *fig,
                                             uint32_t k, uint32_t s);
    uint64_t(HPOLAB_ABI *figure_series_length)(
        const struct hpolab_figure *fig, uint32_t k, uint32_t s);
    const double *(HPOLAB_ABI *figure_series_x)(
        const struct hpolab_figure *fig, uint32_t k, uint32_t s);
    /* The curve (for a band: its centre). */
    const double *(HPOLAB_ABI *figure_series_y)(
        const struct hpolab_figure *fig, uint32_t k, uint32_t s);
    /* Lower and upper edge of the band, or NULL when the series has none. */
    const double *(HPOLAB_ABI *figure_series_lower)(
        const struct hpolab_figure *fig, uint32_t k, uint32_t s);
    const double *(HPOLAB_ABI *figure_series_upper)(
        const struct hpolab_figure *fig, uint32_t k, uint32_t s);

    /* ---- ABI 1.2+: append below this line only ---------------------- */
};

/* The host table of this plugin, set by HPOLAB_PLUGIN_DEFINE before init
 * runs. Hidden: every plugin has its own. */
#if defined(__GNUC__) || defined(__clang__)
extern __attribute__((visibility("hidden"))) const struct hpolab_host_api
    *hpolab_host;
#else
extern const struct hpolab_host_api *hpolab_host;
#endif

/* True when the host table h has entry f (for down-targeted plugins). */
#define HPOLAB_HOST_HAS(h, f)                                         \
    (offsetof(struct hpolab_host_api, f) + sizeof((h)->f) <=          \
         (h)->struct_size &&                                          \
     (h)->f != NULL)

/* Registration with the class size filled in. */
#define hpolab_register_scheduler(ctx, cls) \
    hpolab_host->register_scheduler((ctx), (cls), sizeof *(cls))
#define hpolab_register_searcher(ctx, cls) \
    hpolab_host->register_searcher((ctx), (cls), sizeof *(cls))
#define hpolab_register_backend(ctx, cls) \
    hpolab_host->register_backend((ctx), (cls), sizeof *(cls))
#define hpolab_register_plotter(ctx, cls) \
    hpolab_host->register_plotter((ctx), (cls), sizeof *(cls))

/* Short forms for the most common calls. */
#define hpolab_set_error(ctx, ...) hpolab_host->set_error((ctx), __VA_ARGS__)
#define hpolab_log(ctx, ...) hpolab_host->log((ctx), __VA_ARGS__)

HPOLAB_EXTERN_C_END

#endif /* HPOLAB_HOST_H */
