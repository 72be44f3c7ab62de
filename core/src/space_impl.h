/* space_impl.h: the inside of struct hpolab_space, shared by the space_*.c
 * files only (everyone else uses space.h). */
#ifndef HPOLAB_CORE_SPACE_IMPL_H
#define HPOLAB_CORE_SPACE_IMPL_H

#include "record.h"
#include "space.h"

/* Domain classes (Syne Tune's Domain subclasses). */
#define HPOLAB_DOM_CONSTANT 0
#define HPOLAB_DOM_FLOAT 1    /* uniform, loguniform, reverseloguniform, q* */
#define HPOLAB_DOM_INT 2      /* randint, lograndint, qrandint, qlograndint */
#define HPOLAB_DOM_CHOICE 3   /* Categorical */
#define HPOLAB_DOM_ORDINAL 4  /* Ordinal, kind "equal" */
#define HPOLAB_DOM_ONN 5      /* OrdinalNearestNeighbor: "nn", "nn-log" */
#define HPOLAB_DOM_FINRANGE 6 /* FiniteRange */

/* Scales of a numeric domain. */
#define HPOLAB_SCALE_LINEAR 0
#define HPOLAB_SCALE_LOG 1
#define HPOLAB_SCALE_REVLOG 2 /* -log(1 - x) */

/* Margin of the integer encoding (Syne Tune's EPS). */
#define HPOLAB_SPACE_EPS 1e-8
/* Syne Tune's upper limit of a countable space. */
#define HPOLAB_SPACE_MAX_SIZE 1048576.0

struct hpolab_space_entry {
    char *name;          /* owned */
    int32_t cls;         /* HPOLAB_DOM_* */
    const char *domain;  /* [static] domain name, "constant" for constants */
    json_t *constant;    /* CONSTANT: owned reference */

    /* FLOAT, INT, FINRANGE: bounds (INT: integral) */
    double lower, upper;
    int64_t ilower, iupper; /* INT */
    int32_t scale;          /* sampling scale (FLOAT, INT, FINRANGE, ONN) */
    int32_t quantized;      /* q* domains */
    double q;

    /* CHOICE, ORDINAL, ONN */
    uint32_t ncat;
    struct hpolab_value *cats; /* owned, ncat values of type cat_type */
    int32_t cat_type;          /* HPOLAB_VALUE_INT/DOUBLE/STRING/BOOL */
    const char *kind;          /* ordinal: [static] "equal", "nn", "nn-log" */
    double *cat_z;             /* ONN: owned, internal value per category */
    double z_lower, z_upper;   /* ONN: sampling/encoding interval */

    /* FINRANGE */
    uint32_t size;
    int32_t cast_int;
    double fr_lower_int, fr_step; /* internal lower end and step */
    double *fr_values;            /* owned, size values (integral if cast_int) */

    /* encoding: coordinates [enc_offset, enc_offset + enc_dim) */
    uint32_t enc_offset, enc_dim;
};

struct hpolab_space {
    struct hpolab_space_entry *entries; /* owned, count entries */
    uint32_t count;
    uint32_t *sorted; /* owned: hyperparameter indices sorted by name */
    uint32_t nhp;     /* number of hyperparameters */
    uint32_t dim;     /* encoded dimension */
};

/* JSON value of one field of a domain as the parsers found it, and its path
 * relative to the entry for messages ("lower", "domain_kwargs.lower"). A
 * NULL value with a path means the field is missing. */
struct hpolab_space_field {
    const json_t *value;
    const char *path;
};

struct hpolab_space_fields {
    struct hpolab_space_field lower, upper, q, categories, kind, size,
        cast_int;
};

/* A domain name of the study-file form. */
struct hpolab_space_domain_info {
    const char *name;   /* "uniform", ... */
    int32_t cls;        /* HPOLAB_DOM_* (ordinal: ORDINAL, may become ONN) */
    int32_t scale;      /* HPOLAB_SCALE_* */
    int32_t quantized;
    const char *fields; /* its fields besides "domain", space-separated */
};

/* NULL if name is not a domain. */
const struct hpolab_space_domain_info *hpolab_space_domain_find(const char *name);
/* [static] "uniform, loguniform, ..." for messages. */
const char *hpolab_space_domain_list(void);

/* Fill e (whose name is set) for the native domain name `domain` from
 * fields, validating everything; problems go to diag prefixed with
 * "<where>.<name>.". Returns the number of problems added (0: e is
 * complete), or -1 when out of memory. */
int hpolab_space_entry_build(struct hpolab_space_entry *e, const char *domain,
                             const struct hpolab_space_fields *f,
                             const char *where, struct hpolab_diag *diag);
/* Free what e owns. */
void hpolab_space_entry_clear(struct hpolab_space_entry *e);
/* Put the constant entry e into config c (sampling and decoding both pass
 * constants through unchanged). HPOLAB_OK or HPOLAB_ERR_NOMEM. */
int32_t hpolab_space_put_constant(struct hpolab_config *c,
                                  const struct hpolab_space_entry *e);
/* Sorted order and encoding layout, once all entries are built. */
int32_t hpolab_space_finish(struct hpolab_space *s);
/* Text of a JSON value for messages: numbers as Python prints them, strings
 * quoted, others as compact JSON, shortened to about 60 characters; "nothing"
 * for NULL. Writes into buf and returns it. */
const char *hpolab_space_json_text(const json_t *v, char *buf, size_t size);
/* Value text for messages (Python repr style: strings quoted). */
const char *hpolab_space_value_text(const struct hpolab_value *v, char *buf,
                                    size_t size);
/* The categories as a short list text for messages: ["a", "b"]. */
const char *hpolab_space_categories_text(const struct hpolab_space_entry *e,
                                         char *buf, size_t size);

/* The Syne Tune serialized form of one domain entry (space_syne.c). */
int hpolab_space_parse_syne_entry(struct hpolab_space_entry *e,
                                  const json_t *obj, const char *where,
                                  struct hpolab_diag *diag);

/* Cast one value to e's domain (§1.2) into *out (owned by the caller, free
 * with hpolab_value_free) and, for categorical domains and finite ranges,
 * the index of the value (0 otherwise). Messages start with the name. */
int32_t hpolab_space_cast_value(const struct hpolab_space_entry *e,
                                const struct hpolab_value *in,
                                struct hpolab_value *out, uint32_t *index,
                                struct hpolab_error *err);
/* FiniteRange: index of the value nearest to x (Syne Tune's _map_to_int). */
uint32_t hpolab_space_finrange_index(const struct hpolab_space_entry *e,
                                     double x);
/* ONN: index of the category nearest to internal value z (first on ties;
 * NaN gives 0 like numpy's argmin). */
uint32_t hpolab_space_onn_index(const struct hpolab_space_entry *e, double z);
/* Value of category k / finite-range value k (copies nothing: a view whose
 * strings belong to e). */
struct hpolab_value hpolab_space_entry_value(const struct hpolab_space_entry *e,
                                             uint32_t k);
/* Python's round(): half to even. */
double hpolab_round_half_even(double x);

#endif
