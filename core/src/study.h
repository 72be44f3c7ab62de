/* study.h: the study file (JSON) — benchmarks, methods, defaults and the
 * study's extra command-line arguments. docs/study-format.md is the schema.
 *
 * Loading has two phases because the extra arguments a study declares become
 * options of `hpolab run`:
 *   1. hpolab_study_open() reads the file and the extra_args declarations, so
 *      the command line can offer --<name> for each;
 *   2. hpolab_study_resolve() takes the values given on the command line,
 *      replaces every {"$arg": "<name>"}, validates everything and fills the
 *      benchmark and method structs.
 * Both report EVERY problem found, one line each, in a struct hpolab_diag:
 *   "<file>: <json.path>: <what is expected>, got <what>"
 * where <file> is the path as given to hpolab_study_open(). */
#ifndef HPOLAB_CORE_STUDY_H
#define HPOLAB_CORE_STUDY_H

#include <hpolab/types.h>
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "error.h"

/* Types of extra arguments ("type" in the file). */
#define HPOLAB_ARG_INT 0
#define HPOLAB_ARG_FLOAT 1
#define HPOLAB_ARG_STR 2
#define HPOLAB_ARG_BOOL 3

struct hpolab_study_extra_arg {
    char *name;            /* owned; the option is --<name> */
    int32_t type;          /* HPOLAB_ARG_* */
    json_t *default_value; /* owned reference; typed (float args hold reals);
                              JSON null when there is no default */
    char *help;            /* owned; NULL if not given */
    json_t *choices;       /* owned reference: array of typed values, or
                              NULL when any value of the type is accepted */
    int required;          /* must be given on the command line */
};

/* Stop criteria (Syne Tune's StoppingCriterion, §2.6): the experiment stops
 * as soon as any criterion that is set holds; comparisons are strict. */
struct hpolab_study_stop {
    double max_wallclock_time;        /* seconds, > 0; < 0 when unset */
    int64_t max_num_evaluations;      /* >= 1; -1 when unset */
    int64_t max_num_trials_started;   /* >= 1; -1 when unset */
    int64_t max_num_trials_completed; /* >= 1; -1 when unset */
    int64_t max_num_trials_finished;  /* >= 1; -1 when unset */
    double max_cost;                  /* > 0; < 0 when unset */
    json_t *min_metric_value; /* owned reference: object metric -> number,
                                 or NULL when unset */
    json_t *max_metric_value; /* the same */
};

struct hpolab_study_benchmark {
    char *name;              /* owned; [A-Za-z0-9_.-]+, not "." or ".." */
    char **entry_argv;       /* owned, NULL-terminated, entry_argc strings.
                                argv[0] is an absolute path, or a bare program
                                name to look up in PATH (found there when the
                                study was resolved); for an interpreter-style
                                entry argv[1] is the script's absolute path */
    size_t entry_argc;       /* >= 1; 0 (entry_argv NULL) only for a
                                benchmark with backend "simulator" and no
                                entry_point */
    char *working_dir;       /* owned; the study's folder (absolute): trials
                                run there */
    json_t *config_space_json; /* owned reference; after $arg substitution */
    struct hpolab_space *space; /* owned (hpolab_space_free); parsed space */
    char *metric;            /* owned; the objective reported by trials */
    int32_t mode;            /* HPOLAB_MODE_MIN (default) or _MAX */
    char *resource_attr;     /* owned; NULL if unset */
    char *max_resource_attr; /* owned; NULL if unset. Names a constant
                                integer entry of the config space */
    int64_t max_resource;    /* that entry's value; -1 if max_resource_attr
                                is unset */
    int64_t n_workers;       /* >= 1; default 1 */
    struct hpolab_study_stop stop;
    int64_t max_failures;    /* >= 0; default 1 */
    char *instance_type;     /* owned; NULL if unset */
    json_t *points_to_evaluate; /* owned reference: array of objects (may be
                                   empty), or NULL when not given (the
                                   scheduler's default applies) */
    char *backend;           /* owned; plugin id, default "local" */
    json_t *backend_options; /* owned reference: object, {} if not given */
    /* Where values came from, for messages of later checks: full prefixes
     * "<file>: <json.path>" (owned). */
    char *backend_where;         /* e.g. "study.json: defaults.backend" */
    char *backend_options_where; /* e.g. "study.json: benchmarks.b.backend_options" */
};

struct hpolab_study_method {
    char *name;              /* owned; [A-Za-z0-9_.-]+, not "." or ".." */
    char *scheduler;         /* owned; plugin id, default "fifo" */
    char *searcher;          /* owned; plugin id, default "random" */
    json_t *scheduler_options; /* owned reference: object, {} if not given */
    json_t *searcher_options;  /* owned reference: object, {} if not given */
    char *scheduler_where;           /* owned; "<file>: methods.M.scheduler" */
    char *searcher_where;            /* owned */
    char *scheduler_options_where;   /* owned; for hpolab_options_create */
    char *searcher_options_where;    /* owned */
    char *preset;            /* owned; preset name, or NULL. Until
                                hpolab_study_apply_presets, scheduler and
                                searcher are NULL when it is set. */
    char *preset_where;      /* owned; "<file>: methods.M.preset" */
};

struct hpolab_study {
    char *path;        /* owned; as given to hpolab_study_open (messages) */
    char *dir;         /* owned; absolute folder of the file */
    json_t *json;      /* owned; the document as read */
    char *name;        /* owned; NULL if not given */
    char *description; /* owned; NULL if not given */
    struct hpolab_study_extra_arg *extra_args; /* owned, n_extra_args */
    size_t n_extra_args;
    /* Filled by hpolab_study_resolve (file order): */
    struct hpolab_study_benchmark *benchmarks; /* owned, n_benchmarks */
    size_t n_benchmarks;
    struct hpolab_study_method *methods;       /* owned, n_methods */
    size_t n_methods;
    json_t *arg_values; /* owned: object name -> typed value of every extra
                           argument whose value is not null (given on the
                           command line, else its default) — for
                           metadata.json. NULL before resolve. */
    int resolved;
};

/* Phase 1: read and parse path, check the top level is an object and parse
 * the extra_args declarations. A missing/unreadable file or invalid JSON is
 * one line ("study.json:3:14: invalid JSON: ..."). On success *out [owned:
 * hpolab_study_free]; on failure *out is NULL and diag holds every problem.
 * Returns HPOLAB_OK, HPOLAB_ERR_IO, HPOLAB_ERR_PARSE, HPOLAB_ERR_INVALID or
 * HPOLAB_ERR_NOMEM. */
int32_t hpolab_study_open(const char *path, struct hpolab_study **out,
                          struct hpolab_diag *diag);

/* Phase 2. cli_arg_strings: object extra-argument name -> string as typed by
 * the user (NULL = none given). Converts and checks them, substitutes
 * {"$arg": ...} in defaults, benchmarks and methods, validates the whole file,
 * resolves entry points and parses config spaces. Every problem goes to diag;
 * returns HPOLAB_OK or HPOLAB_ERR_INVALID (HPOLAB_ERR_STATE if called twice,
 * HPOLAB_ERR_NOMEM). On failure the study keeps no benchmarks/methods. */
int32_t hpolab_study_resolve(struct hpolab_study *study,
                             const json_t *cli_arg_strings,
                             struct hpolab_diag *diag);

/* Both phases. */
int32_t hpolab_study_load(const char *path, const json_t *cli_arg_strings,
                          struct hpolab_study **out, struct hpolab_diag *diag);

void hpolab_study_free(struct hpolab_study *study);

/* Lookups by name; NULL if absent. [borrowed] for the life of the study. */
const struct hpolab_study_benchmark *
hpolab_study_find_benchmark(const struct hpolab_study *s, const char *name);
const struct hpolab_study_method *
hpolab_study_find_method(const struct hpolab_study *s, const char *name);
const struct hpolab_study_extra_arg *
hpolab_study_find_extra_arg(const struct hpolab_study *s, const char *name);

/* [static] NULL-terminated names of the built-in options of `hpolab run` and
 * `hpolab launch`
 * (without "--"); an extra argument may not take one of these names. Keep it
 * in sync with the command line. */
const char *const *hpolab_study_builtin_option_names(void);

/* [static] "int", "float", "str", "bool"; NULL for an unknown type. */
const char *hpolab_study_arg_type_name(int32_t type);

/* Convert a command-line string to the argument's typed JSON value and check
 * it against the choices. bool accepts yes/true/t/y/1 and no/false/f/n/0
 * (any case). *out [owned: json_decref]. Errors (HPOLAB_ERR_INVALID) read
 * "--max_epochs: expected one of 9, 27, 81, got '10'". */
int32_t hpolab_study_arg_convert(const struct hpolab_study_extra_arg *arg,
                                 const char *text, json_t **out,
                                 struct hpolab_error *err);

/* Fills every method that names a preset ("methods": {"BO": "BO"},
 * {"BO": {"preset": "BO", "searcher_options": {...}}} or ["RS", "BO"]) from
 * presets: its scheduler and searcher, and its options as the preset's with
 * the method's merged on top (nested objects key by key, as Syne Tune's
 * recursive_merge). An unknown preset is one line in diag naming the method
 * and listing the presets available. Call after resolve and before
 * hpolab_study_check_plugins; returns HPOLAB_OK, HPOLAB_ERR_NOT_FOUND or
 * HPOLAB_ERR_NOMEM. */
struct hpolab_presets;
int32_t hpolab_study_apply_presets(struct hpolab_study *study,
                                   const struct hpolab_presets *presets,
                                   struct hpolab_diag *diag);

/* Do the plugin ids the study names exist? exists() returns nonzero if a
 * plugin of kind (HPOLAB_KIND_SCHEDULER/SEARCHER/BACKEND from registry.h)
 * named id is available; when it returns 0 it may write the available ids of
 * that kind, comma-separated, into available (NUL-terminated) for the
 * message. Each missing (kind, id) is reported once, at the first place it is
 * used: "study.json: methods.ASHA.scheduler: no scheduler plugin named
 * 'ashaa' (did you mean 'asha'?); available: asha, fifo". Call after a
 * successful resolve; returns HPOLAB_OK or HPOLAB_ERR_NOT_FOUND. */
typedef int (*hpolab_study_plugin_exists_fn)(void *user, int32_t kind,
                                             const char *id, char *available,
                                             size_t available_size);
int32_t hpolab_study_check_plugins(const struct hpolab_study *study,
                                   hpolab_study_plugin_exists_fn exists,
                                   void *user, struct hpolab_diag *diag);

#endif
