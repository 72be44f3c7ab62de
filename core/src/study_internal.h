/* study_internal.h: what the study_*.c files share — the validation context
 * and the schema helpers that write one diagnostic line per problem. Not for
 * use outside the study module (tests may include it). */
#ifndef HPOLAB_CORE_STUDY_INTERNAL_H
#define HPOLAB_CORE_STUDY_INTERNAL_H

#include "study.h"

/* A JSON path ("benchmarks.b.config_space.lr.lower", "entry_point[1]",
 * "benchmarks[\"a b\"]"); longer paths are truncated. */
#define HPOLAB_STUDY_PATH_MAX 1024

struct hpolab_study_ctx {
    const char *file;          /* [borrowed] display path of the study file */
    const char *dir;           /* [borrowed] absolute folder of the file */
    struct hpolab_diag *diag;  /* [borrowed] where lines go */
    struct hpolab_diag *real_diag; /* [borrowed] the caller's diag while
                                      quiet (see hpolab_study_quiet) */
    const struct hpolab_study_extra_arg *args; /* [borrowed] declarations */
    size_t n_args;
    json_t *values;  /* [borrowed] object name -> value of every declared
                        argument (JSON null: none) */
    json_t *origins; /* owned: object path -> name of the argument whose
                        value was substituted there; "" marks a bad
                        reference (already reported) */
};

/* dst = base + ".key", or base + "[\"key\"]" when key is empty or has a
 * character outside [A-Za-z0-9_-]; a base "" gives the key alone. */
void hpolab_study_path_key(char *dst, size_t cap, const char *base,
                           const char *key);
/* dst = base + "[index]". */
void hpolab_study_path_index(char *dst, size_t cap, const char *base,
                             size_t index);

/* One diagnostic line "<file>: <path>: <message>" (path "" leaves it out). */
void hpolab_study_errf(struct hpolab_study_ctx *c, const char *path,
                       const char *fmt, ...) HPOLAB_PRINTF(3, 4);
/* "<file>: <path>: expected <what>, got <value>[ (from --arg)]". Silent when
 * path holds a bad $arg reference (reported already). */
void hpolab_study_expected(struct hpolab_study_ctx *c, const char *path,
                           const char *what, const json_t *value);
/* Name of the argument substituted at path, NULL if none; "" for a bad
 * reference. */
const char *hpolab_study_origin(const struct hpolab_study_ctx *c,
                                const char *path);
/* Short text of a JSON value for messages: 'text', 12, 0.5, true, null, an
 * object, an array. Returns buf. */
const char *hpolab_study_describe(const json_t *v, char *buf, size_t cap);

/* Report every key of obj not among allowed[0..n) at path: "unknown key
 * 'schedular' (did you mean 'scheduler'?)" or "unknown key 'x'; expected one
 * of: a, b". Returns the number of unknown keys. */
size_t hpolab_study_check_keys(struct hpolab_study_ctx *c, const char *path,
                               const json_t *obj, const char *const *allowed,
                               size_t n);
/* The candidate closest to word (edit distance, ignoring case) when close
 * enough to be a likely typo; NULL otherwise. [borrowed] from candidates. */
const char *hpolab_study_suggest(const char *word,
                                 const char *const *candidates, size_t n);

/* Redirect c's lines to a scratch list (values inherited from `defaults`
 * were checked, and reported, once already). hpolab_study_unquiet restores. */
void hpolab_study_quiet(struct hpolab_study_ctx *c, struct hpolab_diag *scratch);
void hpolab_study_unquiet(struct hpolab_study_ctx *c,
                          struct hpolab_diag *scratch);

/* Field readers: on a problem they report it and return 0; 1 when fine. */
int hpolab_study_get_string(struct hpolab_study_ctx *c, const char *path,
                            const json_t *v, const char **out);
/* An integer >= min. */
int hpolab_study_get_int(struct hpolab_study_ctx *c, const char *path,
                         const json_t *v, int64_t min, int64_t *out);
/* A number (integer or real) > 0. */
int hpolab_study_get_positive(struct hpolab_study_ctx *c, const char *path,
                              const json_t *v, double *out);
/* A string matching [A-Za-z0-9_.-]+ other than "." and "..": names that
 * become parts of paths and job names. */
int hpolab_study_is_valid_name(const char *name);
/* A plugin id: [a-z0-9_]+. */
int hpolab_study_is_valid_plugin_id(const char *id);

/* Extra arguments (study_args.c). Parse the "extra_args" member of the
 * document into s->extra_args, reporting every problem. */
int32_t hpolab_study_parse_extra_args(struct hpolab_study *s,
                                      struct hpolab_study_ctx *c);
/* Object name -> value for every declared argument: the converted command
 * line value, else the default (null if none). Reports bad command-line
 * values, unknown names and missing required arguments (HPOLAB_ERR_INVALID);
 * *out (owned) then still holds the arguments that are fine. */
int32_t hpolab_study_arg_values(const struct hpolab_study *s,
                                struct hpolab_study_ctx *c,
                                const json_t *cli_arg_strings, json_t **out);
void hpolab_study_extra_arg_free(struct hpolab_study_extra_arg *a);
/* The declaration named name among args[0..n), NULL if none. */
const struct hpolab_study_extra_arg *
hpolab_study_find_extra_arg_in(const struct hpolab_study_extra_arg *args,
                               size_t n, const char *name);

/* Replace, in place, every {"$arg": "<name>"} inside *v (path names *v) by
 * the argument's value from c->values, recording origins. Reports malformed
 * and undeclared references. Returns HPOLAB_OK or HPOLAB_ERR_NOMEM. */
int32_t hpolab_study_substitute(struct hpolab_study_ctx *c, json_t **v,
                                const char *path);

/* Entry point (study_entry.c): an argv array or a single string, resolved
 * as documented in study.h. Returns 1 when fine (*argv owned:
 * hpolab_study_argv_free), 0 when problems were reported at path, -1 when
 * out of memory. */
int hpolab_study_entry_point(struct hpolab_study_ctx *c, const char *path,
                             const json_t *v, char ***argv, size_t *argc);
void hpolab_study_argv_free(char **argv);

/* Config space (study_space.c): v must be an object; parsed with the
 * space parser, whose lines name "<file>: <path>". 1 fine (*json_out and
 * *space_out replaced, owned), 0 reported, -1 out of memory. */
int hpolab_study_config_space(struct hpolab_study_ctx *c, const char *path,
                              const json_t *v, json_t **json_out,
                              struct hpolab_space **space_out);
void hpolab_study_space_free(struct hpolab_space *space);
/* 1 if name is a constant of space, 0 if a hyperparameter, -1 if absent. */
int hpolab_study_space_constant(const struct hpolab_space *space,
                                const char *name);
/* Is value fine for name in space (cast into its domain, inside its bounds,
 * equal to it for a constant)? Reports at path otherwise. 1 fine, 0
 * reported, -1 out of memory. */
int hpolab_study_check_point_value(struct hpolab_study_ctx *c,
                                   const char *path,
                                   const struct hpolab_space *space,
                                   const char *name, const json_t *value);

/* Benchmarks (study_benchmark.c): validate `defaults` and every benchmark,
 * filling s->benchmarks. Returns HPOLAB_OK or HPOLAB_ERR_NOMEM (problems are
 * in the diag). */
int32_t hpolab_study_parse_benchmarks(struct hpolab_study *s,
                                      struct hpolab_study_ctx *c,
                                      const json_t *defaults,
                                      const json_t *benchmarks);
void hpolab_study_benchmark_clear(struct hpolab_study_benchmark *b);

/* Methods (study_method.c). */
int32_t hpolab_study_parse_methods(struct hpolab_study *s,
                                   struct hpolab_study_ctx *c,
                                   const json_t *methods);
void hpolab_study_method_clear(struct hpolab_study_method *m);

/* "<file>: <path>", owned; NULL on out of memory. */
char *hpolab_study_where(const struct hpolab_study_ctx *c, const char *path);

#endif
