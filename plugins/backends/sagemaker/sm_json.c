/* sm_json.c: JSON parser and builder of the sagemaker backend (sm_json.h).
 * Strict RFC 8259 except that depth is limited; \u escapes (with surrogate
 * pairs) become UTF-8; "\u0000" is refused (the tree holds C strings). */
#include "sm_json.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SM_JSON_MAX_DEPTH 64

struct parser {
    const char *p;
    char *why;
    size_t why_size;
};

static int fail(struct parser *ps, const char *what)
{
    if (ps->why && ps->why_size)
        snprintf(ps->why, ps->why_size, "%s", what);
    return -1;
}

static void skip_ws(struct parser *ps)
{
    while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' ||
           *ps->p == '\r')
        ps->p++;
}

static int hex4(const char *s, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

static void put_utf8(struct sm_buf *b, unsigned cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    sm_buf_add(b, u, n);
}

static int parse_string(struct parser *ps, char **out)
{
    struct sm_buf b = {0};
    ps->p++; /* opening quote */
    for (;;) {
        unsigned char c = (unsigned char)*ps->p;
        if (c == '"') {
            ps->p++;
            break;
        }
        if (c == '\0' || c < 0x20) {
            sm_buf_free(&b);
            return fail(ps, c ? "control character in a string"
                              : "unterminated string");
        }
        if (c != '\\') {
            sm_buf_add(&b, ps->p, 1);
            ps->p++;
            continue;
        }
        char e = ps->p[1];
        ps->p += 2;
        const char *simple = strchr("\"\\/bfnrt", e);
        if (e && simple) {
            static const char map[] = "\"\\/\b\f\n\r\t";
            sm_buf_add(&b, &map[simple - "\"\\/bfnrt"], 1);
            continue;
        }
        unsigned cp, lo;
        if (e != 'u' || hex4(ps->p, &cp) != 0) {
            sm_buf_free(&b);
            return fail(ps, "bad escape in a string");
        }
        ps->p += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (ps->p[0] != '\\' || ps->p[1] != 'u' ||
                hex4(ps->p + 2, &lo) != 0 || lo < 0xDC00 || lo > 0xDFFF) {
                sm_buf_free(&b);
                return fail(ps, "unpaired surrogate in a string");
            }
            ps->p += 6;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        } else if ((cp >= 0xDC00 && cp <= 0xDFFF) || cp == 0) {
            sm_buf_free(&b);
            return fail(ps, cp ? "unpaired surrogate in a string"
                               : "\\u0000 in a string");
        }
        put_utf8(&b, cp);
    }
    sm_buf_add(&b, "", 0);
    if (b.oom) {
        sm_buf_free(&b);
        return fail(ps, "out of memory");
    }
    if (!b.data && !(b.data = calloc(1, 1)))
        return fail(ps, "out of memory");
    *out = b.data;
    return 0;
}

static int parse_value(struct parser *ps, struct sm_json *v, int depth);

static int grow(struct sm_json *v, size_t *cap, int with_keys)
{
    if (v->n < *cap)
        return 0;
    size_t nc = *cap ? *cap * 2 : 4;
    struct sm_json *items = realloc(v->items, nc * sizeof *items);
    if (!items)
        return -1;
    v->items = items;
    if (with_keys) {
        char **keys = realloc(v->keys, nc * sizeof *keys);
        if (!keys)
            return -1;
        v->keys = keys;
    }
    *cap = nc;
    return 0;
}

static int parse_container(struct parser *ps, struct sm_json *v, int depth)
{
    int is_obj = *ps->p == '{';
    char close = is_obj ? '}' : ']';
    v->type = is_obj ? SM_JSON_OBJECT : SM_JSON_ARRAY;
    ps->p++;
    skip_ws(ps);
    if (*ps->p == close) {
        ps->p++;
        return 0;
    }
    size_t cap = 0;
    for (;;) {
        if (grow(v, &cap, is_obj) != 0)
            return fail(ps, "out of memory");
        char *key = NULL;
        if (is_obj) {
            skip_ws(ps);
            if (*ps->p != '"')
                return fail(ps, "expected a member name");
            if (parse_string(ps, &key) != 0)
                return -1;
            skip_ws(ps);
            if (*ps->p != ':') {
                free(key);
                return fail(ps, "expected ':'");
            }
            ps->p++;
        }
        struct sm_json *item = &v->items[v->n];
        memset(item, 0, sizeof *item);
        if (is_obj)
            v->keys[v->n] = key;
        v->n++; /* counted now so a failure below frees it */
        if (parse_value(ps, item, depth + 1) != 0)
            return -1;
        skip_ws(ps);
        if (*ps->p == ',') {
            ps->p++;
            continue;
        }
        if (*ps->p == close) {
            ps->p++;
            return 0;
        }
        return fail(ps, is_obj ? "expected ',' or '}'" : "expected ',' or ']'");
    }
}

static int parse_number(struct parser *ps, struct sm_json *v)
{
    const char *s = ps->p;
    const char *q = s;
    if (*q == '-')
        q++;
    if (*q == '0')
        q++;
    else if (*q >= '1' && *q <= '9')
        while (*q >= '0' && *q <= '9')
            q++;
    else
        return fail(ps, "unexpected character");
    if (*q == '.') {
        q++;
        if (!(*q >= '0' && *q <= '9'))
            return fail(ps, "bad number");
        while (*q >= '0' && *q <= '9')
            q++;
    }
    if (*q == 'e' || *q == 'E') {
        q++;
        if (*q == '+' || *q == '-')
            q++;
        if (!(*q >= '0' && *q <= '9'))
            return fail(ps, "bad number");
        while (*q >= '0' && *q <= '9')
            q++;
    }
    v->type = SM_JSON_NUMBER;
    v->number = strtod(s, NULL);
    ps->p = q;
    return 0;
}

static int parse_value(struct parser *ps, struct sm_json *v, int depth)
{
    if (depth > SM_JSON_MAX_DEPTH)
        return fail(ps, "nested too deeply");
    skip_ws(ps);
    char c = *ps->p;
    if (c == '{' || c == '[')
        return parse_container(ps, v, depth);
    if (c == '"') {
        v->type = SM_JSON_STRING;
        return parse_string(ps, &v->string);
    }
    if (strncmp(ps->p, "true", 4) == 0 || strncmp(ps->p, "false", 5) == 0) {
        v->type = SM_JSON_BOOL;
        v->number = c == 't';
        ps->p += c == 't' ? 4 : 5;
        return 0;
    }
    if (strncmp(ps->p, "null", 4) == 0) {
        v->type = SM_JSON_NULL;
        ps->p += 4;
        return 0;
    }
    return parse_number(ps, v);
}

int sm_json_parse(const char *text, struct sm_json *out, char *why,
                  size_t why_size)
{
    memset(out, 0, sizeof *out);
    struct parser ps = {text ? text : "", why, why_size};
    if (parse_value(&ps, out, 0) != 0) {
        sm_json_free(out);
        return -1;
    }
    skip_ws(&ps);
    if (*ps.p) {
        sm_json_free(out);
        return fail(&ps, "text after the value");
    }
    return 0;
}

void sm_json_free(struct sm_json *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->n; i++) {
        if (v->keys)
            free(v->keys[i]);
        sm_json_free(&v->items[i]);
    }
    free(v->keys);
    free(v->items);
    free(v->string);
    memset(v, 0, sizeof *v);
}

const struct sm_json *sm_json_get(const struct sm_json *v, const char *key)
{
    if (!v || v->type != SM_JSON_OBJECT)
        return NULL;
    for (size_t i = 0; i < v->n; i++)
        if (strcmp(v->keys[i], key) == 0)
            return &v->items[i];
    return NULL;
}

const char *sm_json_str(const struct sm_json *v, const char *key)
{
    const struct sm_json *m = sm_json_get(v, key);
    return m && m->type == SM_JSON_STRING ? m->string : NULL;
}

void sm_buf_add(struct sm_buf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t nc = b->cap ? b->cap : 256;
        while (nc < b->len + n + 1)
            nc *= 2;
        char *d = realloc(b->data, nc);
        if (!d) {
            b->oom = 1;
            return;
        }
        b->data = d;
        b->cap = nc;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void sm_buf_puts(struct sm_buf *b, const char *s)
{
    sm_buf_add(b, s, strlen(s));
}

void sm_buf_printf(struct sm_buf *b, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->oom = 1;
        return;
    }
    if ((size_t)n < sizeof small) {
        sm_buf_add(b, small, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) {
        b->oom = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sm_buf_add(b, big, (size_t)n);
    free(big);
}

void sm_buf_json_str(struct sm_buf *b, const char *s)
{
    sm_buf_add(b, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            char e[2] = {'\\', (char)*p};
            sm_buf_add(b, e, 2);
        } else if (*p < 0x20) {
            char e[8];
            snprintf(e, sizeof e, "\\u%04x", *p);
            sm_buf_add(b, e, 6);
        } else {
            sm_buf_add(b, (const char *)p, 1);
        }
    }
    sm_buf_add(b, "\"", 1);
}

void sm_buf_free(struct sm_buf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}
