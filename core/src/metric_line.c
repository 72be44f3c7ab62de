/* metric_line.c: a strict recursive-descent reader for the report object.
 * Hand-written rather than jansson because Python's json writes NaN,
 * Infinity and -Infinity, which jansson refuses (also inside nested lists).
 * Input is untrusted: every read is bounded by the end of the capture,
 * nesting is capped, and duplicate keys are found through a hash so a long
 * hostile line stays linear. */
#include "metric_line.h"

#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TAG_LEN (sizeof HPOLAB_METRIC_TAG - 1)

struct parser {
    const char *s; /* base of the text; offsets in messages count from here */
    size_t pos;
    size_t end; /* exclusive limit of what may be read */
    struct hpolab_error *err;
};

/* ---- messages ----------------------------------------------------------- */

/* What is at offset at, for "got ..." in messages. */
static void describe(const struct parser *p, size_t at, char *buf,
                     size_t size)
{
    if (at >= p->end) {
        snprintf(buf, size, "the end of the report");
        return;
    }
    unsigned char c = (unsigned char)p->s[at];
    if (c >= 0x20 && c < 0x7f)
        snprintf(buf, size, "'%c'", c);
    else
        snprintf(buf, size, "byte 0x%02x", c);
}

static int32_t fail_at(struct parser *p, size_t at, const char *fmt, ...)
    HPOLAB_PRINTF(3, 4);
static int32_t fail_at(struct parser *p, size_t at, const char *fmt, ...)
{
    char what[HPOLAB_ERROR_MAX / 2];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return hpolab_error_set(p->err, HPOLAB_ERR_PARSE, "%s at byte %zu", what,
                            at);
}

/* "expected X at byte N, got Y" */
static int32_t expected(struct parser *p, const char *what)
{
    char got[32];
    describe(p, p->pos, got, sizeof got);
    return hpolab_error_set(p->err, HPOLAB_ERR_PARSE,
                            "expected %s at byte %zu, got %s", what, p->pos,
                            got);
}

static int32_t nomem(struct parser *p)
{
    return hpolab_error_set(p->err, HPOLAB_ERR_NOMEM,
                            "out of memory reading a metric report");
}

/* ---- lexical pieces ----------------------------------------------------- */

static void skip_ws(struct parser *p)
{
    while (p->pos < p->end) {
        char c = p->s[p->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            return;
        p->pos++;
    }
}

static int at_literal(const struct parser *p, const char *word)
{
    size_t n = strlen(word);
    return p->end - p->pos >= n && memcmp(p->s + p->pos, word, n) == 0;
}

static int is_digit_at(const struct parser *p, size_t at)
{
    return at < p->end && p->s[at] >= '0' && p->s[at] <= '9';
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Four hex digits at p->pos + 2 (after "\u"); -1 if malformed. */
static long read_hex4(const struct parser *p, size_t at)
{
    if (p->end - at < 4)
        return -1;
    long v = 0;
    for (size_t i = 0; i < 4; i++) {
        int h = hex_value(p->s[at + i]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

/* Length of the well-formed UTF-8 sequence at at (RFC 3629: no overlongs,
 * no surrogates, at most U+10FFFF), or 0. */
static size_t utf8_length(const struct parser *p, size_t at)
{
    const unsigned char *u = (const unsigned char *)p->s + at;
    size_t avail = p->end - at;
    unsigned char c = u[0];
    size_t n;
    unsigned char lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf)
        n = 2;
    else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        if (c == 0xe0)
            lo = 0xa0;
        else if (c == 0xed)
            hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        if (c == 0xf0)
            lo = 0x90;
        else if (c == 0xf4)
            hi = 0x8f;
    } else
        return 0;
    if (avail < n || u[1] < lo || u[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if (u[i] < 0x80 || u[i] > 0xbf)
            return 0;
    return n;
}

static size_t utf8_encode(unsigned long cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* The string starting at the '"' at p->pos, up to and past its closing
 * quote. With buf, the decoded text is written there (*n bytes, no
 * terminator); without, it is only validated. */
static int32_t scan_string(struct parser *p, char *buf, size_t *n)
{
    size_t start = p->pos;
    *n = 0;
    p->pos++; /* the opening quote */
    if (!memchr(p->s + p->pos, '"', p->end - p->pos))
        return fail_at(p, start, "unterminated string");
    for (;;) {
        if (p->pos >= p->end)
            return fail_at(p, start, "unterminated string");
        unsigned char c = (unsigned char)p->s[p->pos];
        if (c == '"') {
            p->pos++;
            return HPOLAB_OK;
        }
        if (c < 0x20)
            return fail_at(p, p->pos,
                           "control character 0x%02x inside a string (write "
                           "it as an escape)",
                           c);
        if (c == '\\') {
            size_t esc = p->pos;
            if (p->pos + 1 >= p->end)
                return fail_at(p, start, "unterminated string");
            char e = p->s[p->pos + 1];
            char simple = 0;
            switch (e) {
            case '"': simple = '"'; break;
            case '\\': simple = '\\'; break;
            case '/': simple = '/'; break;
            case 'b': simple = '\b'; break;
            case 'f': simple = '\f'; break;
            case 'n': simple = '\n'; break;
            case 'r': simple = '\r'; break;
            case 't': simple = '\t'; break;
            case 'u': break;
            default: {
                char got[32];
                describe(p, p->pos + 1, got, sizeof got);
                return fail_at(p, esc, "invalid escape '\\' followed by %s",
                               got);
            }
            }
            if (simple) {
                if (buf)
                    buf[*n] = simple;
                ++*n;
                p->pos += 2;
                continue;
            }
            long cp = read_hex4(p, p->pos + 2);
            if (cp < 0)
                return fail_at(p, esc,
                               "invalid \\u escape (expected 4 hex digits)");
            p->pos += 6;
            if (cp >= 0xd800 && cp <= 0xdbff) {
                long lo = -1;
                if (p->end - p->pos >= 6 && p->s[p->pos] == '\\' &&
                    p->s[p->pos + 1] == 'u')
                    lo = read_hex4(p, p->pos + 2);
                if (lo < 0xdc00 || lo > 0xdfff)
                    return fail_at(p, esc,
                                   "unpaired surrogate \\u%04lx (a high "
                                   "surrogate must be followed by a low one)",
                                   (unsigned long)cp);
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                p->pos += 6;
            } else if (cp >= 0xdc00 && cp <= 0xdfff) {
                return fail_at(p, esc, "unpaired surrogate \\u%04lx",
                               (unsigned long)cp);
            } else if (cp == 0) {
                return fail_at(p, esc,
                               "\\u0000 (NUL) is not supported in strings");
            }
            char tmp[4];
            size_t len = utf8_encode((unsigned long)cp, buf ? buf + *n : tmp);
            *n += len;
            continue;
        }
        size_t len = c < 0x80 ? 1 : utf8_length(p, p->pos);
        if (len == 0)
            return fail_at(p, p->pos, "invalid UTF-8 byte 0x%02x in a string",
                           c);
        if (buf)
            memcpy(buf + *n, p->s + p->pos, len);
        *n += len;
        p->pos += len;
    }
}

/* A string at p->pos; with out, its decoded text [owned: free]. Validated
 * first, so the buffer is sized by the string itself (an escape is never
 * shorter than its UTF-8), not by the rest of the line. */
static int32_t parse_string(struct parser *p, char **out)
{
    size_t start = p->pos, n;
    int32_t st = scan_string(p, NULL, &n);
    if (st != HPOLAB_OK || !out)
        return st;
    char *buf = malloc(n + 1);
    if (!buf)
        return nomem(p);
    p->pos = start;
    scan_string(p, buf, &n); /* cannot fail: validated above */
    buf[n] = '\0';
    *out = buf;
    return HPOLAB_OK;
}

/* Text to double in the C locale whatever the process locale is. */
static double text_to_double(char *text)
{
    const char *dp = localeconv()->decimal_point;
    if (dp && dp[0] && dp[0] != '.' && !dp[1]) {
        char *dot = strchr(text, '.');
        if (dot)
            *dot = dp[0];
    }
    return strtod(text, NULL);
}

/* A number as Python's json reads it: -?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?
 * (so "01", "1.", ".5", "+1" are refused). out may be NULL. */
static int32_t parse_number(struct parser *p, struct hpolab_value *out)
{
    size_t start = p->pos;
    int negative = 0;
    if (p->s[p->pos] == '-') {
        negative = 1;
        p->pos++;
    }
    if (!is_digit_at(p, p->pos))
        return fail_at(p, start, "invalid number (a digit must follow '-')");
    int overflow = 0;
    uint64_t mag = 0;
    if (p->s[p->pos] == '0')
        p->pos++;
    else
        while (is_digit_at(p, p->pos)) {
            unsigned d = (unsigned)(p->s[p->pos] - '0');
            if (mag > (UINT64_MAX - d) / 10)
                overflow = 1;
            else
                mag = mag * 10 + d;
            p->pos++;
        }
    int is_int = 1;
    if (p->pos < p->end && p->s[p->pos] == '.' && is_digit_at(p, p->pos + 1)) {
        is_int = 0;
        p->pos++;
        while (is_digit_at(p, p->pos))
            p->pos++;
    }
    if (p->pos < p->end && (p->s[p->pos] == 'e' || p->s[p->pos] == 'E')) {
        size_t q = p->pos + 1;
        if (q < p->end && (p->s[q] == '+' || p->s[q] == '-'))
            q++;
        if (is_digit_at(p, q)) {
            is_int = 0;
            p->pos = q;
            while (is_digit_at(p, p->pos))
                p->pos++;
        }
    }
    if (p->pos < p->end &&
        (is_digit_at(p, p->pos) || p->s[p->pos] == '.' ||
         p->s[p->pos] == 'e' || p->s[p->pos] == 'E'))
        return fail_at(p, start, "invalid number '%.*s'",
                       (int)(p->pos - start + 1 > 40 ? 40
                                                     : p->pos - start + 1),
                       p->s + start);
    if (!out)
        return HPOLAB_OK;
    if (is_int && !overflow &&
        (negative ? mag <= (uint64_t)INT64_MAX + 1 : mag <= INT64_MAX)) {
        out->type = HPOLAB_VALUE_INT;
        out->u.i = negative ? (int64_t)(0 - mag) : (int64_t)mag;
        return HPOLAB_OK;
    }
    size_t n = p->pos - start;
    char small[64];
    char *text = n < sizeof small ? small : malloc(n + 1);
    if (!text)
        return nomem(p);
    memcpy(text, p->s + start, n);
    text[n] = '\0';
    out->type = HPOLAB_VALUE_DOUBLE;
    out->u.d = text_to_double(text);
    if (text != small)
        free(text);
    return HPOLAB_OK;
}

/* ---- values -------------------------------------------------------------- */

static int32_t skip_value(struct parser *p, int depth);

/* An array or object at p->pos (validated only), depth = its level. */
static int32_t skip_container(struct parser *p, int depth)
{
    size_t start = p->pos;
    int is_object = p->s[p->pos] == '{';
    char close = is_object ? '}' : ']';
    if (depth > HPOLAB_METRIC_MAX_DEPTH)
        return fail_at(p, start, "nesting deeper than %d levels",
                       HPOLAB_METRIC_MAX_DEPTH);
    p->pos++;
    skip_ws(p);
    if (p->pos < p->end && p->s[p->pos] == close) {
        p->pos++;
        return HPOLAB_OK;
    }
    for (;;) {
        int32_t st;
        if (is_object) {
            if (p->pos >= p->end || p->s[p->pos] != '"')
                return expected(p, "a string key");
            if ((st = parse_string(p, NULL)) != HPOLAB_OK)
                return st;
            skip_ws(p);
            if (p->pos >= p->end || p->s[p->pos] != ':')
                return expected(p, "':' after a key");
            p->pos++;
            skip_ws(p);
        }
        if ((st = skip_value(p, depth + 1)) != HPOLAB_OK)
            return st;
        skip_ws(p);
        if (p->pos < p->end && p->s[p->pos] == ',') {
            p->pos++;
            skip_ws(p);
            continue;
        }
        if (p->pos < p->end && p->s[p->pos] == close) {
            p->pos++;
            return HPOLAB_OK;
        }
        return expected(p, is_object ? "',' or '}'" : "',' or ']'");
    }
}

/* The bare words: true false null NaN Infinity -Infinity. */
static int32_t parse_word(struct parser *p, struct hpolab_value *out)
{
    static const struct {
        const char *word;
        int32_t type;
        double d;
        int32_t b;
    } words[] = {
        {"true", HPOLAB_VALUE_BOOL, 0, 1},
        {"false", HPOLAB_VALUE_BOOL, 0, 0},
        {"null", HPOLAB_VALUE_NULL, 0, 0},
        {"NaN", HPOLAB_VALUE_DOUBLE, NAN, 0},
        {"Infinity", HPOLAB_VALUE_DOUBLE, INFINITY, 0},
        {"-Infinity", HPOLAB_VALUE_DOUBLE, -INFINITY, 0},
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        if (!at_literal(p, words[i].word))
            continue;
        p->pos += strlen(words[i].word);
        if (out) {
            out->type = words[i].type;
            if (words[i].type == HPOLAB_VALUE_BOOL)
                out->u.b = words[i].b;
            else if (words[i].type == HPOLAB_VALUE_DOUBLE)
                out->u.d = words[i].d;
        }
        return HPOLAB_OK;
    }
    return 1; /* not a word: the caller says what was expected */
}

static int32_t skip_value(struct parser *p, int depth)
{
    if (p->pos >= p->end)
        return expected(p, "a value");
    char c = p->s[p->pos];
    if (c == '{' || c == '[')
        return skip_container(p, depth);
    if (c == '"')
        return parse_string(p, NULL);
    int32_t st = parse_word(p, NULL);
    if (st != 1)
        return st;
    if (c == '-' || (c >= '0' && c <= '9'))
        return parse_number(p, NULL);
    return expected(p, "a value");
}

/* Copy of s[a..b) without JSON whitespace outside strings: the compact
 * text of a validated nested value. [owned: free] */
static char *compact_json(const char *s, size_t a, size_t b)
{
    char *out = malloc(b - a + 1);
    if (!out)
        return NULL;
    size_t n = 0;
    int in_string = 0;
    for (size_t i = a; i < b; i++) {
        char c = s[i];
        if (in_string) {
            out[n++] = c;
            if (c == '\\' && i + 1 < b)
                out[n++] = s[++i];
            else if (c == '"')
                in_string = 0;
        } else if (c == '"') {
            in_string = 1;
            out[n++] = c;
        } else if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
            out[n++] = c;
        }
    }
    out[n] = '\0';
    return out;
}

/* A member value of the report object (level 1), decoded into out. */
static int32_t parse_member_value(struct parser *p, struct hpolab_value *out)
{
    out->type = HPOLAB_VALUE_NULL;
    if (p->pos >= p->end)
        return expected(p, "a value");
    char c = p->s[p->pos];
    if (c == '{' || c == '[') {
        size_t start = p->pos;
        int32_t st = skip_container(p, 2);
        if (st != HPOLAB_OK)
            return st;
        out->u.s = compact_json(p->s, start, p->pos);
        if (!out->u.s)
            return nomem(p);
        out->type = HPOLAB_VALUE_JSON;
        return HPOLAB_OK;
    }
    if (c == '"') {
        int32_t st = parse_string(p, &out->u.s);
        if (st == HPOLAB_OK)
            out->type = HPOLAB_VALUE_STRING;
        return st;
    }
    int32_t st = parse_word(p, out);
    if (st != 1)
        return st;
    if (c == '-' || (c >= '0' && c <= '9'))
        return parse_number(p, out);
    return expected(p, "a value (number, string, true, false, null, NaN, "
                       "Infinity, list or object)");
}

/* ---- the report object ----------------------------------------------------- */

/* Members in first-seen order, with a hash from name to index so that
 * duplicate keys (last value wins) cost O(1). */
struct members {
    struct hpolab_record_entry *v;
    size_t n, cap;
    size_t *slots; /* index + 1, 0 = empty */
    size_t nslots; /* power of two */
};

static uint64_t name_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static void members_free(struct members *m)
{
    for (size_t i = 0; i < m->n; i++) {
        free(m->v[i].name);
        hpolab_value_free(&m->v[i].value);
    }
    free(m->v);
    free(m->slots);
}

static size_t *find_slot(const struct members *m, const char *name)
{
    size_t mask = m->nslots - 1;
    for (size_t i = (size_t)name_hash(name) & mask;; i = (i + 1) & mask) {
        size_t *slot = &m->slots[i];
        if (*slot == 0 || strcmp(m->v[*slot - 1].name, name) == 0)
            return slot;
    }
}

static int grow_slots(struct members *m)
{
    size_t nslots = m->nslots ? m->nslots * 2 : 16;
    size_t *slots = calloc(nslots, sizeof *slots);
    if (!slots)
        return -1;
    free(m->slots);
    m->slots = slots;
    m->nslots = nslots;
    for (size_t i = 0; i < m->n; i++)
        *find_slot(m, m->v[i].name) = i + 1;
    return 0;
}

/* Takes name and value (freed on failure too). */
static int32_t members_put(struct parser *p, struct members *m, char *name,
                           struct hpolab_value *value)
{
    if ((m->n + 1) * 2 > m->nslots && grow_slots(m) != 0)
        goto oom;
    size_t *slot = find_slot(m, name);
    if (*slot) {
        struct hpolab_record_entry *e = &m->v[*slot - 1];
        hpolab_value_free(&e->value);
        e->value = *value;
        free(name);
        return HPOLAB_OK;
    }
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 8;
        struct hpolab_record_entry *v = realloc(m->v, cap * sizeof *v);
        if (!v)
            goto oom;
        m->v = v;
        m->cap = cap;
    }
    m->v[m->n] = (struct hpolab_record_entry){
        .name = name, .value = *value, .text = NULL};
    m->n++;
    *slot = m->n;
    return HPOLAB_OK;
oom:
    free(name);
    hpolab_value_free(value);
    return nomem(p);
}

/* The object at p->pos, which must end exactly at p->end (after optional
 * whitespace). */
static int32_t parse_report(struct parser *p, struct hpolab_record *out)
{
    struct members m = {0};
    int32_t st = HPOLAB_OK;
    if (p->pos >= p->end || p->s[p->pos] != '{')
        return expected(p, "'{' (a JSON object)");
    p->pos++;
    skip_ws(p);
    if (p->pos < p->end && p->s[p->pos] == '}') {
        p->pos++;
    } else {
        for (;;) {
            if (p->pos >= p->end || p->s[p->pos] != '"') {
                st = expected(p, "a string key");
                goto done;
            }
            char *name = NULL;
            if ((st = parse_string(p, &name)) != HPOLAB_OK)
                goto done;
            skip_ws(p);
            if (p->pos >= p->end || p->s[p->pos] != ':') {
                free(name);
                st = expected(p, "':' after a key");
                goto done;
            }
            p->pos++;
            skip_ws(p);
            struct hpolab_value value;
            if ((st = parse_member_value(p, &value)) != HPOLAB_OK) {
                free(name);
                goto done;
            }
            if ((st = members_put(p, &m, name, &value)) != HPOLAB_OK)
                goto done;
            skip_ws(p);
            if (p->pos < p->end && p->s[p->pos] == ',') {
                p->pos++;
                skip_ws(p);
                continue;
            }
            if (p->pos < p->end && p->s[p->pos] == '}') {
                p->pos++;
                break;
            }
            st = expected(p, "',' or '}'");
            goto done;
        }
    }
    skip_ws(p);
    if (p->pos < p->end) {
        st = fail_at(p, p->pos,
                     "unexpected text after the end of the report object");
        goto done;
    }
    if (m.n > UINT32_MAX) {
        st = fail_at(p, p->pos, "too many keys");
        goto done;
    }
    /* Hand the members over to the record. */
    out->entries = m.v;
    out->count = out->cap = (uint32_t)m.n;
    free(m.slots);
    return HPOLAB_OK;
done:
    members_free(&m);
    return st;
}

/* ---- the line ------------------------------------------------------------- */

int32_t hpolab_metric_line_parse(const char *line, size_t len,
                                 struct hpolab_record *out, int *found,
                                 struct hpolab_error *err)
{
    hpolab_record_init(out);
    *found = 0;
    const char *first_tag = NULL;
    /* End of the current newline-free segment and its last '}' ('.' of the
     * regex does not cross '\n'); recomputed only when a tag lies past it,
     * so many tags on one line stay linear. */
    size_t seg_end = 0, seg_start = 0;
    const char *last_brace = NULL;
    size_t from = 0;
    while (from < len) {
        const char *tag = memmem(line + from, len - from, HPOLAB_METRIC_TAG,
                                 TAG_LEN);
        if (!tag)
            break;
        if (!first_tag)
            first_tag = tag;
        size_t q = (size_t)(tag - line) + TAG_LEN;
        from = (size_t)(tag - line) + 1;
        if (q >= len || line[q] != '{')
            continue;
        if (q >= seg_end || q < seg_start) {
            const char *nl = memchr(line + q, '\n', len - q);
            seg_start = q;
            seg_end = nl ? (size_t)(nl - line) : len;
            last_brace = memrchr(line + q, '}', seg_end - q);
        }
        if (!last_brace || (size_t)(last_brace - line) <= q)
            continue;
        *found = 1;
        struct parser p = {line, q, (size_t)(last_brace - line) + 1, err};
        return parse_report(&p, out);
    }
    if (!first_tag)
        return HPOLAB_OK;
    /* Tagged, but Syne Tune's expression would not match: say why. */
    *found = 1;
    size_t q = (size_t)(first_tag - line) + TAG_LEN;
    struct parser p = {line, q, len, err};
    if (q >= len)
        return hpolab_error_set(err, HPOLAB_ERR_PARSE,
                                "expected '{' after '" HPOLAB_METRIC_TAG
                                "' at byte %zu, got the end of the line",
                                q);
    if (line[q] != '{')
        return expected(&p, "'{' after '" HPOLAB_METRIC_TAG "'");
    return fail_at(&p, q,
                   "report object has no closing '}' on its line (cut short?)");
}

int32_t hpolab_metric_json_parse(const char *json, size_t len,
                                 struct hpolab_record *out,
                                 struct hpolab_error *err)
{
    hpolab_record_init(out);
    struct parser p = {json, 0, len, err};
    skip_ws(&p);
    return parse_report(&p, out);
}
