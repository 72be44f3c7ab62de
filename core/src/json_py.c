#include "json_py.h"

#include <hpolab/status.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buffer.h"
#include "pyfloat.h"

static int put(struct hpolab_buffer *b, const char *s, size_t n)
{
    return hpolab_buffer_append(b, s, n) == HPOLAB_OK ? 0 : -1;
}

static int puts_(struct hpolab_buffer *b, const char *s)
{
    return put(b, s, strlen(s));
}

/* Next code point of s[0..len) at *i; U+FFFD for a malformed sequence
 * (jansson only holds valid UTF-8, so this is defensive). */
static unsigned long next_code_point(const unsigned char *s, size_t len,
                                     size_t *i)
{
    unsigned char c = s[*i];
    int extra;
    unsigned long cp;
    if (c < 0x80) {
        (*i)++;
        return c;
    } else if ((c & 0xE0) == 0xC0) {
        extra = 1;
        cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        extra = 2;
        cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        extra = 3;
        cp = c & 0x07;
    } else {
        (*i)++;
        return 0xFFFD;
    }
    if (*i + (size_t)extra >= len) {
        (*i)++;
        return 0xFFFD;
    }
    for (int k = 1; k <= extra; k++) {
        unsigned char cc = s[*i + (size_t)k];
        if ((cc & 0xC0) != 0x80) {
            (*i)++;
            return 0xFFFD;
        }
        cp = (cp << 6) | (cc & 0x3F);
    }
    *i += (size_t)extra + 1;
    return cp;
}

/* A JSON string literal as Python's json.dumps (ensure_ascii=True) writes
 * it: only printable ASCII stays literal. */
static int put_string(struct hpolab_buffer *b, const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    if (put(b, "\"", 1))
        return -1;
    size_t i = 0;
    while (i < len) {
        size_t start = i;
        while (i < len && s[i] >= 0x20 && s[i] < 0x7F && s[i] != '"' &&
               s[i] != '\\')
            i++;
        if (i > start && put(b, str + start, i - start))
            return -1;
        if (i >= len)
            break;
        const char *esc = NULL;
        switch (s[i]) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\b': esc = "\\b"; break;
        case '\f': esc = "\\f"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        default: break;
        }
        if (esc) {
            i++;
            if (puts_(b, esc))
                return -1;
            continue;
        }
        unsigned long cp = next_code_point(s, len, &i);
        char tmp[16];
        if (cp < 0x10000) {
            snprintf(tmp, sizeof tmp, "\\u%04lx", cp);
        } else {
            cp -= 0x10000;
            snprintf(tmp, sizeof tmp, "\\u%04lx\\u%04lx",
                     0xD800 | ((cp >> 10) & 0x3FF), 0xDC00 | (cp & 0x3FF));
        }
        if (puts_(b, tmp))
            return -1;
    }
    return put(b, "\"", 1);
}

static int put_value(struct hpolab_buffer *b, const json_t *j)
{
    char tmp[HPOLAB_PYFLOAT_BUFSIZE];
    switch (json_typeof(j)) {
    case JSON_OBJECT: {
        if (puts_(b, "{"))
            return -1;
        const char *key;
        json_t *val;
        int first = 1;
        /* jansson keeps insertion order, as Python dicts do */
        json_object_foreach((json_t *)j, key, val)
        {
            if ((!first && puts_(b, ", ")) ||
                put_string(b, key, strlen(key)) || puts_(b, ": ") ||
                put_value(b, val))
                return -1;
            first = 0;
        }
        return puts_(b, "}");
    }
    case JSON_ARRAY: {
        if (puts_(b, "["))
            return -1;
        for (size_t i = 0; i < json_array_size(j); i++)
            if ((i && puts_(b, ", ")) || put_value(b, json_array_get(j, i)))
                return -1;
        return puts_(b, "]");
    }
    case JSON_STRING:
        return put_string(b, json_string_value(j), json_string_length(j));
    case JSON_INTEGER:
        snprintf(tmp, sizeof tmp, "%" JSON_INTEGER_FORMAT,
                 json_integer_value(j));
        return puts_(b, tmp);
    case JSON_REAL:
        return puts_(b, hpolab_pyfloat_json(json_real_value(j), tmp));
    case JSON_TRUE: return puts_(b, "true");
    case JSON_FALSE: return puts_(b, "false");
    default: return puts_(b, "null");
    }
}

char *hpolab_json_dumps_py(const json_t *json)
{
    if (!json)
        return NULL;
    struct hpolab_buffer b;
    hpolab_buffer_init(&b);
    if (put_value(&b, json) || put(&b, "", 1)) {
        hpolab_buffer_free(&b);
        return NULL;
    }
    /* the buffer's bytes become the caller's string */
    return (char *)b.data;
}
