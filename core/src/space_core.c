/* space_core.c: the space's lifetime, accessors, layout and the small
 * helpers the other space_*.c files share. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pyfloat.h"
#include "space_impl.h"

void hpolab_space_entry_clear(struct hpolab_space_entry *e)
{
    free(e->name);
    if (e->constant)
        json_decref(e->constant);
    for (uint32_t k = 0; k < e->ncat && e->cats; k++)
        hpolab_value_free(&e->cats[k]);
    free(e->cats);
    free(e->cat_z);
    free(e->fr_values);
    memset(e, 0, sizeof *e);
}

int32_t hpolab_space_put_constant(struct hpolab_config *c,
                                  const struct hpolab_space_entry *e)
{
    struct hpolab_value v;
    int32_t st = hpolab_value_from_json(e->constant, &v);
    if (st == HPOLAB_OK) {
        st = hpolab_record_set(&c->rec, e->name, &v);
        hpolab_value_free(&v);
    }
    return st;
}

void hpolab_space_free(struct hpolab_space *s)
{
    if (!s)
        return;
    for (uint32_t i = 0; i < s->count; i++)
        hpolab_space_entry_clear(&s->entries[i]);
    free(s->entries);
    free(s->sorted);
    free(s);
}

uint32_t hpolab_space_count(const struct hpolab_space *s)
{
    return s ? s->count : 0;
}

const char *hpolab_space_name(const struct hpolab_space *s, uint32_t i)
{
    return s && i < s->count ? s->entries[i].name : NULL;
}

const char *hpolab_space_domain_name(const struct hpolab_space *s, uint32_t i)
{
    return s && i < s->count ? s->entries[i].domain : NULL;
}

int hpolab_space_is_constant(const struct hpolab_space *s, uint32_t i)
{
    return s && i < s->count && s->entries[i].cls == HPOLAB_DOM_CONSTANT;
}

int32_t hpolab_space_index(const struct hpolab_space *s, const char *name)
{
    for (uint32_t i = 0; s && i < s->count; i++)
        if (strcmp(s->entries[i].name, name) == 0)
            return (int32_t)i;
    return -1;
}

static uint32_t encoded_width(const struct hpolab_space_entry *e)
{
    if (e->cls == HPOLAB_DOM_CHOICE && e->ncat != 2)
        return e->ncat; /* one-hot (n = 1: one fixed coordinate) */
    return 1;
}

int32_t hpolab_space_finish(struct hpolab_space *s)
{
    s->nhp = 0;
    for (uint32_t i = 0; i < s->count; i++)
        if (s->entries[i].cls != HPOLAB_DOM_CONSTANT)
            s->nhp++;
    free(s->sorted);
    s->sorted = malloc((s->nhp ? s->nhp : 1) * sizeof *s->sorted);
    if (!s->sorted)
        return HPOLAB_ERR_NOMEM;
    uint32_t n = 0;
    for (uint32_t i = 0; i < s->count; i++)
        if (s->entries[i].cls != HPOLAB_DOM_CONSTANT)
            s->sorted[n++] = i;
    /* insertion sort: spaces are small; byte order of UTF-8 names is code
     * point order, i.e. Python's sorted() */
    for (uint32_t k = 1; k < n; k++) {
        uint32_t v = s->sorted[k], j = k;
        while (j > 0 && strcmp(s->entries[s->sorted[j - 1]].name,
                               s->entries[v].name) > 0) {
            s->sorted[j] = s->sorted[j - 1];
            j--;
        }
        s->sorted[j] = v;
    }
    s->dim = 0;
    for (uint32_t k = 0; k < n; k++) {
        struct hpolab_space_entry *e = &s->entries[s->sorted[k]];
        e->enc_offset = s->dim;
        e->enc_dim = encoded_width(e);
        s->dim += e->enc_dim;
    }
    return HPOLAB_OK;
}

double hpolab_round_half_even(double x)
{
    /* the default rounding mode is to-nearest-even */
    return nearbyint(x);
}

static void shorten(char *buf, size_t size)
{
    size_t len = strlen(buf);
    if (len > 60 && size > 64)
        memcpy(buf + 57, "...", 4);
}

const char *hpolab_space_json_text(const json_t *v, char *buf, size_t size)
{
    char num[HPOLAB_PYFLOAT_BUFSIZE];
    if (!v) {
        snprintf(buf, size, "nothing");
    } else if (json_is_real(v)) {
        snprintf(buf, size, "%s", hpolab_pyfloat(json_real_value(v), num));
    } else {
        char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        snprintf(buf, size, "%s", text ? text : "?");
        free(text);
    }
    shorten(buf, size);
    return buf;
}

const char *hpolab_space_value_text(const struct hpolab_value *v, char *buf,
                                    size_t size)
{
    char *text = hpolab_value_json(v);
    if (v->type == HPOLAB_VALUE_DOUBLE) {
        char num[HPOLAB_PYFLOAT_BUFSIZE];
        snprintf(buf, size, "%s", hpolab_pyfloat(v->u.d, num));
    } else {
        snprintf(buf, size, "%s", text ? text : "?");
    }
    free(text);
    shorten(buf, size);
    return buf;
}

const char *hpolab_space_categories_text(const struct hpolab_space_entry *e,
                                         char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    len += (size_t)snprintf(buf, size, "[");
    for (uint32_t k = 0; k < e->ncat && len + 8 < size; k++) {
        char item[80];
        hpolab_space_value_text(&e->cats[k], item, sizeof item);
        len += (size_t)snprintf(buf + len, size - len, "%s%s", k ? ", " : "",
                                item);
    }
    if (len + 2 < size)
        snprintf(buf + len, size - len, "]");
    else if (size > 5)
        memcpy(buf + size - 5, "...]", 5);
    return buf;
}

struct hpolab_value hpolab_space_entry_value(const struct hpolab_space_entry *e,
                                             uint32_t k)
{
    struct hpolab_value v = {.type = HPOLAB_VALUE_NULL};
    if (e->cls == HPOLAB_DOM_FINRANGE) {
        if (e->cast_int) {
            v.type = HPOLAB_VALUE_INT;
            v.u.i = (int64_t)e->fr_values[k];
        } else {
            v.type = HPOLAB_VALUE_DOUBLE;
            v.u.d = e->fr_values[k];
        }
    } else if (e->cats) {
        v = e->cats[k];
    }
    return v;
}

uint32_t hpolab_space_finrange_index(const struct hpolab_space_entry *e,
                                     double x)
{
    if (e->fr_step == 0.0)
        return 0;
    double v = x < e->lower ? e->lower : (x > e->upper ? e->upper : x);
    if (e->scale == HPOLAB_SCALE_LOG)
        v = log(v);
    double k = hpolab_round_half_even((v - e->fr_lower_int) / e->fr_step);
    if (!(k >= 0.0))
        return 0;
    if (k > (double)(e->size - 1))
        return e->size - 1;
    return (uint32_t)k;
}

uint32_t hpolab_space_onn_index(const struct hpolab_space_entry *e, double z)
{
    uint32_t best = 0;
    double best_d = fabs(e->cat_z[0] - z);
    for (uint32_t k = 1; k < e->ncat; k++) {
        double d = fabs(e->cat_z[k] - z);
        if (d < best_d) {
            best_d = d;
            best = k;
        }
    }
    return best;
}
