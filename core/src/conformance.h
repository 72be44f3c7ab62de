/* conformance.h: `hpolab plugin check`: a standard battery of checks run
 * against every component a plugin registers, one verdict per check:
 * suggestions inside the configuration space and of the right types,
 * determinism for a seed, save -> restore -> same next decision, no crash on
 * empty or degenerate input, decisions only from the allowed set, and every
 * error status carrying a message. A check the component cannot take (no
 * save/restore) is skipped, not failed. */
#ifndef HPOLAB_CORE_CONFORMANCE_H
#define HPOLAB_CORE_CONFORMANCE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "registry.h"

#define HPOLAB_CHECK_PASS 0
#define HPOLAB_CHECK_FAIL 1
#define HPOLAB_CHECK_SKIP 2

struct hpolab_check {
    char component[96]; /* "searcher 'random'" */
    char name[96];      /* what was checked */
    int32_t verdict;    /* HPOLAB_CHECK_* */
    char detail[512];   /* why it failed or was skipped, or what was seen */
};

struct hpolab_check_report {
    struct hpolab_check *items; /* owned, n */
    size_t n, cap;
};

struct hpolab_conformance_options {
    const char *searcher; /* searcher id schedulers get; NULL: "random" */
    uint32_t seed;        /* 0: a fixed default */
    uint32_t n_trials;    /* trials per run; 0: 20 */
    /* Options of the component under test (a JSON object) or NULL; for a
     * scheduler, searcher_options go to its searcher. [borrowed] */
    const json_t *options;
    const json_t *searcher_options;
};

void hpolab_check_report_init(struct hpolab_check_report *r);
void hpolab_check_report_free(struct hpolab_check_report *r);
/* Appends a verdict; detail may be NULL. HPOLAB_ERR_NOMEM only. */
int32_t hpolab_check_add(struct hpolab_check_report *r, const char *component,
                         const char *name, int32_t verdict, const char *fmt,
                         ...) HPOLAB_PRINTF(5, 6);
size_t hpolab_check_count(const struct hpolab_check_report *r,
                          int32_t verdict);

/* Runs the battery for every component plugin registered in reg (the
 * plugin is loaded already; other plugins in reg, e.g. the searcher a
 * scheduler asks for, may be used). Verdicts go to out; the return value is
 * HPOLAB_OK when the battery could run (even with failed checks), an error
 * only when it could not (out of memory). */
int32_t hpolab_conformance_run(struct hpolab_registry *reg,
                               const struct hpolab_plugin *plugin,
                               const struct hpolab_conformance_options *o,
                               struct hpolab_check_report *out,
                               struct hpolab_error *err);

#endif
