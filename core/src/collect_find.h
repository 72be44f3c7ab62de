/* collect_find.h: finding the experiments of a study (Syne Tune's
 * ComparativeResults constructor, framework reference §5.1). For each tag T
 * both layouts are searched: flat <root>/T-... (hpolab run, Syne Tune's local
 * launcher) and nested <root>/T/<any>/T-... (remote launches after a sync). A
 * folder counts if it holds a valid metadata.json (metadata.h); a metadata
 * "tag" other than T drops it silently (so tag "odsc" does not collect
 * "odsc-1-..." folders, a Syne Tune glob surprise).
 *
 * Filters, all optional: the date-time in the folder name (§2.2) within
 * [since, until] (inclusive); metadata key=value (several values of one key
 * are alternatives, different keys must all match; values compared as
 * Python's str() prints them); one benchmark. Each kept experiment gets its
 * setup (and subplot) name from a template (collect_template.h). Problems
 * with one folder are warnings naming it; the folder is skipped. */
#ifndef HPOLAB_CORE_COLLECT_FIND_H
#define HPOLAB_CORE_COLLECT_FIND_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "error.h"

/* "YYYY-MM-DD-HH-MM-SS" plus NUL. */
#define HPOLAB_DATETIME_SIZE 20

struct hpolab_experiment {
    char *dir;        /* owned; <root>/<relative path>/<name> */
    char *name;       /* owned; the folder name (tuner name) */
    json_t *metadata; /* owned reference */
    char *benchmark;  /* owned; NULL when the metadata has no benchmark key */
    char *setup;      /* owned */
    char *subplot;    /* owned; NULL without a subplot template */
    int64_t seed;     /* metadata "seed", -1 if absent or not an integer */
};

struct hpolab_collection {
    struct hpolab_experiment *items; /* owned, n, sorted by dir */
    size_t n;
    size_t folders; /* folders with a valid metadata.json that were seen */
};

struct hpolab_collect_query {
    const char *root;                /* results root */
    const char *const *tags;         /* n_tags >= 1 */
    size_t n_tags;
    const char *setup;               /* template, e.g. "{algorithm}" */
    const char *subplot;             /* template or NULL */
    const char *since, *until;       /* date-time bounds or NULL */
    const char *const *where;        /* "key=value", n_where */
    size_t n_where;
    const char *benchmark_key;       /* NULL: "benchmark" */
    const char *benchmark;           /* keep only this one, or NULL */
};

/* Fills *out [owned: hpolab_collection_free]; warnings go to warn (not
 * NULL), one line
 * each. Fails only on a bad query (template, bound, filter: HPOLAB_ERR_INVALID)
 * or out of memory; finding nothing is OK with out->n == 0. */
int32_t hpolab_collect_find(const struct hpolab_collect_query *q,
                            struct hpolab_collection *out,
                            struct hpolab_diag *warn,
                            struct hpolab_error *err);
void hpolab_collection_free(struct hpolab_collection *c);

/* The date-time of a tuner name ("...-2023-06-01-12-30-45-123"): copies the
 * 19 characters into out and returns 1, or returns 0 if the name does not
 * end in that form. */
int hpolab_tuner_name_datetime(const char *name,
                               char out[HPOLAB_DATETIME_SIZE]);
/* A bound: "YYYY-MM-DD-HH-MM-SS", or "YYYY-MM-DD" (the day's first second
 * for a lower bound, its last for an upper one). what names the option in
 * the message. */
int32_t hpolab_datetime_bound(const char *text, int upper, const char *what,
                              char out[HPOLAB_DATETIME_SIZE],
                              struct hpolab_error *err);

#endif
