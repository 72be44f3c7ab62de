#include "record.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pyfloat.h"

void hpolab_record_init(struct hpolab_record *rec)
{
    rec->entries = NULL;
    rec->count = rec->cap = 0;
}

void hpolab_value_free(struct hpolab_value *v)
{
    if (v->type == HPOLAB_VALUE_STRING || v->type == HPOLAB_VALUE_JSON)
        free(v->u.s);
    v->type = HPOLAB_VALUE_NULL;
}

int32_t hpolab_value_copy(struct hpolab_value *dst,
                          const struct hpolab_value *src)
{
    *dst = *src;
    if (src->type == HPOLAB_VALUE_STRING || src->type == HPOLAB_VALUE_JSON) {
        dst->u.s = strdup(src->u.s);
        if (!dst->u.s) {
            dst->type = HPOLAB_VALUE_NULL;
            return HPOLAB_ERR_NOMEM;
        }
    }
    return HPOLAB_OK;
}

void hpolab_record_free(struct hpolab_record *rec)
{
    for (uint32_t i = 0; i < rec->count; i++) {
        free(rec->entries[i].name);
        free(rec->entries[i].text);
        hpolab_value_free(&rec->entries[i].value);
    }
    free(rec->entries);
    hpolab_record_init(rec);
}

int32_t hpolab_record_copy(struct hpolab_record *dst,
                           const struct hpolab_record *src)
{
    hpolab_record_init(dst);
    /* exactly src's size: the tuner keeps a copy of every trial's config */
    if (hpolab_record_reserve(dst, src->count) != HPOLAB_OK)
        return HPOLAB_ERR_NOMEM;
    for (uint32_t i = 0; i < src->count; i++) {
        int32_t st = hpolab_record_set(dst, src->entries[i].name,
                                       &src->entries[i].value);
        if (st != HPOLAB_OK) {
            hpolab_record_free(dst);
            return st;
        }
    }
    return HPOLAB_OK;
}

int32_t hpolab_record_index(const struct hpolab_record *rec, const char *name)
{
    for (uint32_t i = 0; i < rec->count; i++)
        if (strcmp(rec->entries[i].name, name) == 0)
            return (int32_t)i;
    return -1;
}

const struct hpolab_value *hpolab_record_get(const struct hpolab_record *rec,
                                             const char *name)
{
    int32_t i = hpolab_record_index(rec, name);
    return i < 0 ? NULL : &rec->entries[i].value;
}

int32_t hpolab_record_reserve(struct hpolab_record *rec, uint32_t n)
{
    if (n <= rec->cap)
        return HPOLAB_OK;
    struct hpolab_record_entry *entries =
        realloc(rec->entries, n * sizeof *entries);
    if (!entries)
        return HPOLAB_ERR_NOMEM;
    rec->entries = entries;
    rec->cap = n;
    return HPOLAB_OK;
}

int32_t hpolab_record_set(struct hpolab_record *rec, const char *name,
                          const struct hpolab_value *value)
{
    struct hpolab_value copy;
    if (hpolab_value_copy(&copy, value) != HPOLAB_OK)
        return HPOLAB_ERR_NOMEM;
    int32_t i = hpolab_record_index(rec, name);
    if (i >= 0) {
        struct hpolab_record_entry *e = &rec->entries[i];
        hpolab_value_free(&e->value);
        free(e->text);
        e->text = NULL;
        e->value = copy;
        return HPOLAB_OK;
    }
    if (rec->count == rec->cap) {
        uint32_t cap = rec->cap ? rec->cap * 2 : 8;
        struct hpolab_record_entry *entries =
            realloc(rec->entries, cap * sizeof *entries);
        if (!entries) {
            hpolab_value_free(&copy);
            return HPOLAB_ERR_NOMEM;
        }
        rec->entries = entries;
        rec->cap = cap;
    }
    char *dup = strdup(name);
    if (!dup) {
        hpolab_value_free(&copy);
        return HPOLAB_ERR_NOMEM;
    }
    rec->entries[rec->count].name = dup;
    rec->entries[rec->count].value = copy;
    rec->entries[rec->count].text = NULL;
    rec->count++;
    return HPOLAB_OK;
}

int32_t hpolab_record_set_int(struct hpolab_record *rec, const char *name,
                              int64_t v)
{
    struct hpolab_value val = {.type = HPOLAB_VALUE_INT, .u.i = v};
    return hpolab_record_set(rec, name, &val);
}

int32_t hpolab_record_set_double(struct hpolab_record *rec, const char *name,
                                 double v)
{
    struct hpolab_value val = {.type = HPOLAB_VALUE_DOUBLE, .u.d = v};
    return hpolab_record_set(rec, name, &val);
}

int32_t hpolab_record_set_string(struct hpolab_record *rec, const char *name,
                                 const char *v)
{
    /* set copies; the cast only satisfies the union's type */
    struct hpolab_value val = {.type = HPOLAB_VALUE_STRING, .u.s = (char *)v};
    return hpolab_record_set(rec, name, &val);
}

int32_t hpolab_record_set_bool(struct hpolab_record *rec, const char *name,
                               int32_t v)
{
    struct hpolab_value val = {.type = HPOLAB_VALUE_BOOL, .u.b = v ? 1 : 0};
    return hpolab_record_set(rec, name, &val);
}

void hpolab_record_remove(struct hpolab_record *rec, const char *name)
{
    int32_t i = hpolab_record_index(rec, name);
    if (i < 0)
        return;
    free(rec->entries[i].name);
    free(rec->entries[i].text);
    hpolab_value_free(&rec->entries[i].value);
    memmove(&rec->entries[i], &rec->entries[i + 1],
            (rec->count - (uint32_t)i - 1) * sizeof *rec->entries);
    rec->count--;
}

int32_t hpolab_value_as_double(const struct hpolab_value *v, double *out)
{
    switch (v->type) {
    case HPOLAB_VALUE_INT: *out = (double)v->u.i; return HPOLAB_OK;
    case HPOLAB_VALUE_DOUBLE: *out = v->u.d; return HPOLAB_OK;
    case HPOLAB_VALUE_BOOL: *out = v->u.b; return HPOLAB_OK;
    default: return HPOLAB_ERR_TYPE;
    }
}

char *hpolab_value_text(const struct hpolab_value *v)
{
    char buf[HPOLAB_PYFLOAT_BUFSIZE];
    switch (v->type) {
    case HPOLAB_VALUE_INT:
        snprintf(buf, sizeof buf, "%lld", (long long)v->u.i);
        return strdup(buf);
    case HPOLAB_VALUE_DOUBLE: return strdup(hpolab_pyfloat(v->u.d, buf));
    case HPOLAB_VALUE_BOOL: return strdup(v->u.b ? "True" : "False");
    case HPOLAB_VALUE_STRING:
    case HPOLAB_VALUE_JSON: return strdup(v->u.s);
    default: return strdup("None");
    }
}

const char *hpolab_record_text(struct hpolab_record *rec, uint32_t index)
{
    if (index >= rec->count)
        return NULL;
    struct hpolab_record_entry *e = &rec->entries[index];
    if (!e->text)
        e->text = hpolab_value_text(&e->value);
    return e->text;
}

/* JSON string literal of s, as json.dumps writes it (ensure_ascii off is
 * fine: both are valid JSON). [owned: free] */
static char *json_quote(const char *s)
{
    json_t *str = json_string(s);
    if (!str)
        return NULL;
    char *text = json_dumps(str, JSON_ENCODE_ANY);
    json_decref(str);
    return text;
}

char *hpolab_value_json(const struct hpolab_value *v)
{
    char buf[HPOLAB_PYFLOAT_BUFSIZE];
    switch (v->type) {
    case HPOLAB_VALUE_INT:
        snprintf(buf, sizeof buf, "%lld", (long long)v->u.i);
        return strdup(buf);
    case HPOLAB_VALUE_DOUBLE: return strdup(hpolab_pyfloat_json(v->u.d, buf));
    case HPOLAB_VALUE_BOOL: return strdup(v->u.b ? "true" : "false");
    case HPOLAB_VALUE_STRING: return json_quote(v->u.s);
    case HPOLAB_VALUE_JSON: return strdup(v->u.s);
    default: return strdup("null");
    }
}

char *hpolab_record_to_json_text(const struct hpolab_record *rec)
{
    char *out = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&out, &size);
    if (!f)
        return NULL;
    int ok = 1;
    fputc('{', f);
    for (uint32_t i = 0; i < rec->count && ok; i++) {
        char *key = json_quote(rec->entries[i].name);
        char *val = hpolab_value_json(&rec->entries[i].value);
        if (key && val)
            fprintf(f, "%s%s: %s", i ? ", " : "", key, val);
        else
            ok = 0;
        free(key);
        free(val);
    }
    fputc('}', f);
    if (fclose(f) != 0 || !ok) {
        free(out);
        return NULL;
    }
    return out;
}

int32_t hpolab_value_from_json(const json_t *json, struct hpolab_value *out)
{
    switch (json_typeof(json)) {
    case JSON_INTEGER:
        out->type = HPOLAB_VALUE_INT;
        out->u.i = json_integer_value(json);
        return HPOLAB_OK;
    case JSON_REAL:
        out->type = HPOLAB_VALUE_DOUBLE;
        out->u.d = json_real_value(json);
        return HPOLAB_OK;
    case JSON_TRUE:
    case JSON_FALSE:
        out->type = HPOLAB_VALUE_BOOL;
        out->u.b = json_is_true(json);
        return HPOLAB_OK;
    case JSON_NULL:
        out->type = HPOLAB_VALUE_NULL;
        return HPOLAB_OK;
    case JSON_STRING:
        out->type = HPOLAB_VALUE_STRING;
        out->u.s = strdup(json_string_value(json));
        return out->u.s ? HPOLAB_OK : HPOLAB_ERR_NOMEM;
    default:
        out->type = HPOLAB_VALUE_JSON;
        out->u.s = json_dumps(json, JSON_COMPACT | JSON_ENCODE_ANY);
        return out->u.s ? HPOLAB_OK : HPOLAB_ERR_NOMEM;
    }
}

json_t *hpolab_value_to_json(const struct hpolab_value *v)
{
    switch (v->type) {
    case HPOLAB_VALUE_INT: return json_integer(v->u.i);
    case HPOLAB_VALUE_DOUBLE:
        return isfinite(v->u.d) ? json_real(v->u.d) : json_null();
    case HPOLAB_VALUE_BOOL: return json_boolean(v->u.b);
    case HPOLAB_VALUE_STRING: return json_string(v->u.s);
    case HPOLAB_VALUE_JSON:
        return json_loads(v->u.s, JSON_DECODE_ANY, NULL);
    default: return json_null();
    }
}

int32_t hpolab_record_from_json(const json_t *object, struct hpolab_record *out,
                                struct hpolab_error *err)
{
    hpolab_record_init(out);
    if (!json_is_object(object))
        return hpolab_error_set(err, HPOLAB_ERR_TYPE, "expected a JSON object");
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)object, key, val)
    {
        struct hpolab_value v;
        int32_t st = hpolab_value_from_json(val, &v);
        if (st == HPOLAB_OK) {
            st = hpolab_record_set(out, key, &v);
            hpolab_value_free(&v);
        }
        if (st != HPOLAB_OK) {
            hpolab_record_free(out);
            return hpolab_error_set(err, st, "out of memory");
        }
    }
    return HPOLAB_OK;
}
