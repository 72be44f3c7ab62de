/* space.h: configuration spaces (schedulers reference §1): an ordered map
 * name -> domain (a hyperparameter) or constant, parsed from the study file's
 * JSON form or Syne Tune's serialized form (docs/config-space.md), with
 * Syne Tune's sampling, casting, encoding, defaults and match keys.
 *
 * A configuration produced here (sample, default_config, decode) is a full
 * configuration in space order, constants included: floats are
 * HPOLAB_VALUE_DOUBLE, integers HPOLAB_VALUE_INT, categories keep their JSON
 * type (string, int, double, bool). */
#ifndef HPOLAB_CORE_SPACE_H
#define HPOLAB_CORE_SPACE_H

#include <hpolab/types.h>
#include <jansson.h>
#include <stdint.h>

#include "config.h"
#include "diag.h"
#include "error.h"
#include "rng.h"

struct hpolab_space; /* opaque; entries in insertion order */

/* Parse json (an object) into *out [owned: hpolab_space_free]. Every problem
 * is added to diag as "<where>.<name>[.<field>]: <what is expected>, got
 * <what>", e.g. "study.json: benchmarks.b.config_space.lr.lower: loguniform
 * needs a number > 0, got -1"; all of them, not just the first. Returns
 * HPOLAB_OK, HPOLAB_ERR_INVALID (*out = NULL) or HPOLAB_ERR_NOMEM. */
int32_t hpolab_space_parse(const json_t *json, const char *where,
                           struct hpolab_diag *diag,
                           struct hpolab_space **out);
void hpolab_space_free(struct hpolab_space *space); /* NULL-safe */

uint32_t hpolab_space_count(const struct hpolab_space *s);
/* [borrowed] for the life of s; NULL if i is out of range. */
const char *hpolab_space_name(const struct hpolab_space *s, uint32_t i);
/* [static] "uniform", "loguniform", ..., "choice", "ordinal", "logordinal",
 * "finrange", "logfinrange", or "constant"; NULL if i is out of range. */
const char *hpolab_space_domain_name(const struct hpolab_space *s, uint32_t i);
int hpolab_space_is_constant(const struct hpolab_space *s, uint32_t i);
/* Index of name, or -1. */
int32_t hpolab_space_index(const struct hpolab_space *s, const char *name);

/* A random configuration: one pass over the hyperparameters in insertion
 * order, each drawing from rng exactly as Syne Tune does (§1.3).
 * *out [owned: hpolab_config_free]. */
int32_t hpolab_space_sample(const struct hpolab_space *s,
                            struct hpolab_rng *rng, struct hpolab_config **out,
                            struct hpolab_error *err);
/* partial (NULL: empty) completed by the midpoint heuristic (§1.7). Given
 * hyperparameter values are cast and must lie in their domain; a given
 * constant must equal the space's value; a name not in the space is an
 * error. Messages name the key. *out [owned: hpolab_config_free]. */
int32_t hpolab_space_default_config(const struct hpolab_space *s,
                                    const struct hpolab_config *partial,
                                    struct hpolab_config **out,
                                    struct hpolab_error *err);
/* Cast every hyperparameter present in config to its domain, in place
 * (§1.2); other keys are left alone. */
int32_t hpolab_space_cast(const struct hpolab_space *s,
                          struct hpolab_config *config,
                          struct hpolab_error *err);
/* Number of distinct configurations; INFINITY if infinite or > 2^20. */
double hpolab_space_cardinality(const struct hpolab_space *s);

/* Encoding to [0,1]^dim over the hyperparameters sorted by name (§1.4). */
uint32_t hpolab_space_encoded_dim(const struct hpolab_space *s);
/* Optimisation box of each coordinate: [0,1], or a fixed value for a
 * one-category choice (1) and a float with lower == upper (0). */
int32_t hpolab_space_encoded_bounds(const struct hpolab_space *s, double *lo,
                                    double *hi, uint32_t dim,
                                    struct hpolab_error *err);
/* Every hyperparameter must be present in c (constants are ignored). */
int32_t hpolab_space_encode(const struct hpolab_space *s,
                            const struct hpolab_config *c, double *out,
                            uint32_t dim, struct hpolab_error *err);
/* Full configuration, constants included. *out [owned: hpolab_config_free] */
int32_t hpolab_space_decode(const struct hpolab_space *s, const double *in,
                            uint32_t dim, struct hpolab_config **out,
                            struct hpolab_error *err);

/* Syne Tune's match string (§1.5): "name:value" over the hyperparameters
 * sorted by name, floats to 7 significant digits, categories and finite
 * ranges by index. Values are cast first. [owned: free]; NULL when a
 * hyperparameter is missing or cannot be cast, or on out of memory. */
char *hpolab_space_match_key(const struct hpolab_space *s,
                             const struct hpolab_config *c);
/* The same with the reason of a failure in err. *out [owned: free]. */
int32_t hpolab_space_match_key_err(const struct hpolab_space *s,
                                   const struct hpolab_config *c, char **out,
                                   struct hpolab_error *err);

/* Syne Tune's JSON form of the space (config_space_to_json_dict, framework
 * §2.12), for metadata.json. New reference; NULL on out of memory. */
json_t *hpolab_space_to_syne_json(const struct hpolab_space *s);

#endif
