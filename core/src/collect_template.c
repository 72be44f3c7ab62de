/* collect_template.c: setup and subplot names from metadata
 * (collect_template.h). */
#include "collect_template.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buffer.h"
#include "pyfloat.h"

char *hpolab_meta_text(const json_t *v)
{
    char buf[64];
    switch (json_typeof(v)) {
    case JSON_STRING:
        return strdup(json_string_value(v));
    case JSON_INTEGER:
        snprintf(buf, sizeof buf, "%" PRId64, (int64_t)json_integer_value(v));
        return strdup(buf);
    case JSON_REAL:
        return strdup(hpolab_pyfloat(json_real_value(v), buf));
    case JSON_TRUE:
        return strdup("True");
    case JSON_FALSE:
        return strdup("False");
    case JSON_NULL:
        return strdup("None");
    default:
        return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    }
}

static int has_brace(const char *s)
{
    return strchr(s, '{') || strchr(s, '}');
}

int32_t hpolab_template_check(const char *tmpl, struct hpolab_error *err)
{
    if (!tmpl || !tmpl[0])
        return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                "template is empty; give a metadata key "
                                "(algorithm) or a template ('{algorithm}')");
    if (!has_brace(tmpl))
        return HPOLAB_OK;
    for (size_t i = 0; tmpl[i]; i++) {
        if (tmpl[i] == '{' && tmpl[i + 1] == '{') {
            i++;
        } else if (tmpl[i] == '}' && tmpl[i + 1] == '}') {
            i++;
        } else if (tmpl[i] == '{') {
            const char *close = strchr(tmpl + i + 1, '}');
            const char *open = strchr(tmpl + i + 1, '{');
            if (!close || (open && open < close))
                return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                        "template '%s': '{' at %zu is not "
                                        "closed",
                                        tmpl, i + 1);
            if (close == tmpl + i + 1)
                return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                        "template '%s': empty key '{}' at "
                                        "%zu",
                                        tmpl, i + 1);
            i = (size_t)(close - tmpl);
        } else if (tmpl[i] == '}') {
            return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                    "template '%s': '}' at %zu has no '{' "
                                    "(write '}}' for a brace)",
                                    tmpl, i + 1);
        }
    }
    return HPOLAB_OK;
}

static int32_t append_value(struct hpolab_buffer *b, const char *tmpl,
                            const json_t *md, const char *key, size_t len,
                            struct hpolab_error *err)
{
    char *k = strndup(key, len);
    if (!k)
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    const json_t *v = json_is_object(md) ? json_object_get(md, k) : NULL;
    if (!v) {
        int32_t rc = hpolab_error_set(err, HPOLAB_ERR_NOT_FOUND,
                                      "no key '%s' (for '%s')", k, tmpl);
        free(k);
        return rc;
    }
    free(k);
    char *t = hpolab_meta_text(v);
    if (!t || hpolab_buffer_append(b, t, strlen(t)) != HPOLAB_OK) {
        free(t);
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    }
    free(t);
    return HPOLAB_OK;
}

int32_t hpolab_template_expand(const char *tmpl, const json_t *md, char **out,
                               struct hpolab_error *err)
{
    *out = NULL;
    int32_t rc = hpolab_template_check(tmpl, err);
    if (rc != HPOLAB_OK)
        return rc;
    struct hpolab_buffer b;
    hpolab_buffer_init(&b);
    if (!has_brace(tmpl)) {
        rc = append_value(&b, tmpl, md, tmpl, strlen(tmpl), err);
    } else {
        for (size_t i = 0; tmpl[i] && rc == HPOLAB_OK; i++) {
            if ((tmpl[i] == '{' || tmpl[i] == '}') && tmpl[i + 1] == tmpl[i]) {
                rc = hpolab_buffer_append(&b, tmpl + i, 1);
                i++;
            } else if (tmpl[i] == '{') {
                const char *close = strchr(tmpl + i + 1, '}');
                rc = append_value(&b, tmpl, md, tmpl + i + 1,
                                  (size_t)(close - tmpl - i - 1), err);
                i = (size_t)(close - tmpl);
            } else {
                rc = hpolab_buffer_append(&b, tmpl + i, 1);
            }
            if (rc == HPOLAB_ERR_NOMEM)
                hpolab_error_set(err, rc, "out of memory");
        }
    }
    if (rc == HPOLAB_OK && hpolab_buffer_append(&b, "", 1) != HPOLAB_OK)
        rc = hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    if (rc != HPOLAB_OK) {
        hpolab_buffer_free(&b);
        return rc;
    }
    *out = (char *)b.data;
    return HPOLAB_OK;
}
