/* space_match.c: match keys for duplicate detection and the size of a space
 * (schedulers reference §1.5). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "space_impl.h"

int32_t hpolab_space_match_key_err(const struct hpolab_space *s,
                                   const struct hpolab_config *c, char **out,
                                   struct hpolab_error *err)
{
    *out = NULL;
    char *key = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&key, &size);
    if (!f)
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    int32_t st = HPOLAB_OK;
    for (uint32_t k = 0; k < s->nhp && st == HPOLAB_OK; k++) {
        const struct hpolab_space_entry *e = &s->entries[s->sorted[k]];
        const struct hpolab_value *in = hpolab_record_get(&c->rec, e->name);
        if (!in) {
            st = hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                  "%s: missing from the configuration",
                                  e->name);
            break;
        }
        struct hpolab_value v;
        uint32_t index;
        st = hpolab_space_cast_value(e, in, &v, &index, err);
        if (st != HPOLAB_OK)
            break;
        fprintf(f, "%s%s:", k ? "," : "", e->name);
        if (e->cls == HPOLAB_DOM_FLOAT)
            fprintf(f, "%.6e", v.u.d); /* Python's f"{x:.6e}" */
        else if (e->cls == HPOLAB_DOM_INT)
            fprintf(f, "%lld", (long long)v.u.i);
        else
            fprintf(f, "%u", index);
        hpolab_value_free(&v);
    }
    if (fclose(f) != 0 && st == HPOLAB_OK)
        st = hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    if (st != HPOLAB_OK) {
        free(key);
        return st;
    }
    *out = key;
    return HPOLAB_OK;
}

char *hpolab_space_match_key(const struct hpolab_space *s,
                             const struct hpolab_config *c)
{
    char *key;
    return hpolab_space_match_key_err(s, c, &key, NULL) == HPOLAB_OK ? key
                                                                      : NULL;
}

double hpolab_space_cardinality(const struct hpolab_space *s)
{
    double size = 1.0;
    for (uint32_t i = 0; i < s->count; i++) {
        const struct hpolab_space_entry *e = &s->entries[i];
        double n;
        switch (e->cls) {
        case HPOLAB_DOM_CONSTANT: continue;
        case HPOLAB_DOM_FLOAT: n = e->lower < e->upper ? INFINITY : 1.0; break;
        /* Syne Tune counts q-integers by their bounds, not their multiples */
        case HPOLAB_DOM_INT: n = (double)e->iupper - (double)e->ilower + 1.0; break;
        case HPOLAB_DOM_FINRANGE: n = e->size; break;
        default: n = e->ncat; break;
        }
        size *= n;
        if (size > HPOLAB_SPACE_MAX_SIZE)
            return INFINITY;
    }
    return size;
}
