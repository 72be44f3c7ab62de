#include "metadata.h"

#include <stdlib.h>
#include <string.h>

#include "buffer.h"
#include "fsutil.h"
#include "json_py.h"

int32_t hpolab_metadata_write(const char *dir, const json_t *metadata,
                              struct hpolab_error *err)
{
    if (!json_is_object(metadata))
        return hpolab_error_set(err, HPOLAB_ERR_TYPE,
                                "cannot write '%s/%s': metadata must be a "
                                "JSON object",
                                dir, HPOLAB_METADATA_JSON);
    char *path = hpolab_path_join(dir, HPOLAB_METADATA_JSON);
    /* json.dump writes no trailing newline */
    char *text = hpolab_json_dumps_py(metadata);
    int32_t st;
    if (!path || !text)
        st = hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    else
        st = hpolab_write_file_atomic(path, text, strlen(text), err);
    free(path);
    free(text);
    return st;
}

static int token_at(const char *s, size_t len, size_t i, const char *tok)
{
    size_t n = strlen(tok);
    return i + n <= len && memcmp(s + i, tok, n) == 0;
}

/* Python writes non-finite floats as bare NaN, Infinity, -Infinity, which
 * jansson rejects; outside strings they become null. [owned: free] */
static char *replace_non_finite(const char *s, size_t len)
{
    struct hpolab_buffer b;
    hpolab_buffer_init(&b);
    int in_string = 0;
    int32_t st = HPOLAB_OK;
    size_t i = 0;
    while (i < len && st == HPOLAB_OK) {
        char c = s[i];
        size_t skip = 0;
        if (in_string) {
            if (c == '\\' && i + 1 < len) {
                st = hpolab_buffer_append(&b, s + i, 2);
                i += 2;
                continue;
            }
            in_string = c != '"';
        } else if (c == '"') {
            in_string = 1;
        } else if (token_at(s, len, i, "NaN")) {
            skip = 3;
        } else if (token_at(s, len, i, "Infinity")) {
            skip = 8;
        } else if (token_at(s, len, i, "-Infinity")) {
            skip = 9;
        }
        if (skip) {
            st = hpolab_buffer_append(&b, "null", 4);
            i += skip;
        } else {
            st = hpolab_buffer_append(&b, &s[i], 1);
            i++;
        }
    }
    if (st == HPOLAB_OK)
        st = hpolab_buffer_append(&b, "", 1);
    if (st != HPOLAB_OK) {
        hpolab_buffer_free(&b);
        return NULL;
    }
    return (char *)b.data;
}

int32_t hpolab_metadata_read(const char *dir, json_t **out,
                             struct hpolab_error *err)
{
    *out = NULL;
    char *path = hpolab_path_join(dir, HPOLAB_METADATA_JSON);
    if (!path)
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    char *text = NULL;
    size_t len = 0;
    int32_t st = hpolab_read_file(path, &text, &len, err);
    char *clean = st == HPOLAB_OK ? replace_non_finite(text, len) : NULL;
    free(text);
    if (st == HPOLAB_OK && !clean)
        st = hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    json_t *md = NULL;
    if (st == HPOLAB_OK) {
        json_error_t je;
        md = json_loads(clean, JSON_DECODE_ANY, &je);
        if (!md)
            st = hpolab_error_set(err, HPOLAB_ERR_PARSE,
                                  "%s: line %d, column %d: %s", path, je.line,
                                  je.column, je.text);
        else if (!json_is_object(md))
            st = hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                  "%s: expected a JSON object", path);
        else if (!json_object_get(md, HPOLAB_METADATA_CREATION_KEY))
            st = hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                  "%s: not a tuner's metadata file: the key "
                                  "'%s' is missing",
                                  path, HPOLAB_METADATA_CREATION_KEY);
    }
    free(clean);
    free(path);
    if (st != HPOLAB_OK) {
        json_decref(md);
        return st;
    }
    *out = md;
    return HPOLAB_OK;
}
