/* conformance_internal.h: what the per-kind batteries of conformance*.c
 * share: the test spaces, a synthetic objective, and the bookkeeping of
 * error statuses (each must come with a message). */
#ifndef HPOLAB_CORE_CONFORMANCE_INTERNAL_H
#define HPOLAB_CORE_CONFORMANCE_INTERNAL_H

#include "conformance.h"
#include "ctx.h"
#include "record.h"
#include "space.h"

struct hpolab_conf_run {
    struct hpolab_registry *reg;
    const struct hpolab_component *comp;
    const struct hpolab_conformance_options *o;
    struct hpolab_check_report *report;
    char component[96];
    size_t errors_seen;       /* non-OK statuses returned by the plugin */
    size_t errors_silent;     /* ... of which without a message */
    char first_silent[160];   /* the call that returned the first of those */
};

#define HPOLAB_CONF_METRIC "loss"
#define HPOLAB_CONF_RESOURCE "epoch"
#define HPOLAB_CONF_MAX_RESOURCE "epochs"
#define HPOLAB_CONF_MAX_EPOCHS 9

/* The space of the normal runs (every value type: float, int, string
 * category, and a constant "epochs"), and the degenerate one (a single
 * configuration). *out [owned: hpolab_space_free]. */
int32_t hpolab_conf_space(int degenerate, struct hpolab_space **out,
                          struct hpolab_error *err);
/* "" when config is a full configuration of s with every value inside its
 * domain and of its domain's type; else why not, into why. */
int hpolab_conf_config_ok(const struct hpolab_space *s,
                          const struct hpolab_config *config, char *why,
                          size_t size);
/* A deterministic objective of config at epoch (lower is better). */
double hpolab_conf_objective(const struct hpolab_config *config,
                             int64_t epoch);
/* Result {loss, epoch}; *out [owned: hpolab_conf_result_free]. */
struct hpolab_result *hpolab_conf_result(double loss, int64_t epoch,
                                         int with_metric);
void hpolab_conf_result_free(struct hpolab_result *r);
/* Book-keeping after a plugin call on ctx returned st (call names it). */
void hpolab_conf_status(struct hpolab_conf_run *run,
                        const struct hpolab_ctx *ctx, int32_t st,
                        const char *call);
/* Resets ctx's error before a call. */
void hpolab_conf_ctx_reset(struct hpolab_ctx *ctx);

int32_t hpolab_conf_searcher(struct hpolab_conf_run *run);
int32_t hpolab_conf_scheduler(struct hpolab_conf_run *run);

#endif
