/* record.h: an ordered map name -> scalar value. It is the representation of
 * both a configuration (struct hpolab_config) and a reported result
 * (struct hpolab_result). Values are ints, doubles (NaN and infinities
 * allowed: results may report them), strings, booleans, null, or nested JSON
 * kept as text (lists in a config, e.g. in JSON mode). */
#ifndef HPOLAB_CORE_RECORD_H
#define HPOLAB_CORE_RECORD_H

#include <hpolab/types.h>
#include <jansson.h>
#include <stdint.h>

#include "error.h"

struct hpolab_value {
    int32_t type; /* HPOLAB_VALUE_* */
    union {
        int64_t i;
        double d;
        int32_t b;
        char *s; /* STRING: the text; JSON: compact JSON text. Owned. */
    } u;
};

struct hpolab_record_entry {
    char *name;              /* owned */
    struct hpolab_value value;
    char *text;              /* cached Python str() of value, owned, or NULL */
};

struct hpolab_record {
    struct hpolab_record_entry *entries; /* owned */
    uint32_t count;
    uint32_t cap;
};

/* The ABI's opaque handles are records. */
struct hpolab_config {
    struct hpolab_record rec;
};
struct hpolab_result {
    struct hpolab_record rec;
};

void hpolab_record_init(struct hpolab_record *rec);
void hpolab_record_free(struct hpolab_record *rec);
/* Room for at least n entries without reallocating: a record whose size is
 * known (a sampled configuration) is not given the default first
 * capacity, 4x a typical configuration; the tuner keeps one per trial. */
int32_t hpolab_record_reserve(struct hpolab_record *rec, uint32_t n);
int32_t hpolab_record_copy(struct hpolab_record *dst,
                           const struct hpolab_record *src);
/* Index of name, or -1. */
int32_t hpolab_record_index(const struct hpolab_record *rec, const char *name);
const struct hpolab_value *hpolab_record_get(const struct hpolab_record *rec,
                                             const char *name);
/* Replace the value of name (keeping its position) or append it. The value is
 * copied. Returns HPOLAB_OK or HPOLAB_ERR_NOMEM. */
int32_t hpolab_record_set(struct hpolab_record *rec, const char *name,
                          const struct hpolab_value *value);
int32_t hpolab_record_set_int(struct hpolab_record *rec, const char *name,
                              int64_t v);
int32_t hpolab_record_set_double(struct hpolab_record *rec, const char *name,
                                 double v);
int32_t hpolab_record_set_string(struct hpolab_record *rec, const char *name,
                                 const char *v);
int32_t hpolab_record_set_bool(struct hpolab_record *rec, const char *name,
                               int32_t v);
/* Remove name if present. */
void hpolab_record_remove(struct hpolab_record *rec, const char *name);
/* [borrowed] Python str() of entry index, cached until the entry changes. */
const char *hpolab_record_text(struct hpolab_record *rec, uint32_t index);

void hpolab_value_free(struct hpolab_value *v);
int32_t hpolab_value_copy(struct hpolab_value *dst,
                          const struct hpolab_value *src);
/* As a double (ints, bools and doubles); HPOLAB_ERR_TYPE otherwise. */
int32_t hpolab_value_as_double(const struct hpolab_value *v, double *out);
/* Python's str() of the value, [owned: free]; NULL on out of memory. */
char *hpolab_value_text(const struct hpolab_value *v);
/* The value as JSON text, as Python's json.dumps writes it ("NaN" bare).
 * [owned: free]. */
char *hpolab_value_json(const struct hpolab_value *v);
/* The value from a jansson value (objects and arrays become JSON text). */
int32_t hpolab_value_from_json(const json_t *json, struct hpolab_value *out);
/* A jansson value for v: non-finite doubles, which JSON cannot hold, become
 * null. New reference, NULL on out of memory. */
json_t *hpolab_value_to_json(const struct hpolab_value *v);

/* Whole record as Python json.dumps text: {"a": 1, "b": 0.5}. [owned: free] */
char *hpolab_record_to_json_text(const struct hpolab_record *rec);
/* Record from a JSON object (keys in order). */
int32_t hpolab_record_from_json(const json_t *object, struct hpolab_record *out,
                                struct hpolab_error *err);

#endif
