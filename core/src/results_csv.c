#include "results_csv.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_py.h"
#include "pyfloat.h"

/* ---- writing ---------------------------------------------------------- */

static int needs_quotes(const char *text, size_t len)
{
    /* A field that starts with a byte-order mark would lose it when it is
     * the first of the file (readers strip a leading BOM): quoted, it is
     * data. Found by fuzzing the write-read round trip. */
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
        return 1;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        /* Python's csv quotes '\r' and '\n' whatever the line end is */
        if (c == ',' || c == '"' || c == '\n' || c == '\r')
            return 1;
    }
    return 0;
}

int32_t hpolab_csv_append_field(struct hpolab_buffer *buf, const char *text,
                                size_t len)
{
    if (!needs_quotes(text, len))
        return hpolab_buffer_append(buf, text, len);
    int32_t st = hpolab_buffer_append(buf, "\"", 1);
    size_t start = 0;
    for (size_t i = 0; i < len && st == HPOLAB_OK; i++) {
        if (text[i] != '"')
            continue;
        /* copy through the quote, then double it */
        st = hpolab_buffer_append(buf, text + start, i + 1 - start);
        if (st == HPOLAB_OK)
            st = hpolab_buffer_append(buf, "\"", 1);
        start = i + 1;
    }
    if (st == HPOLAB_OK)
        st = hpolab_buffer_append(buf, text + start, len - start);
    if (st == HPOLAB_OK)
        st = hpolab_buffer_append(buf, "\"", 1);
    return st;
}

static int32_t append_json_value(struct hpolab_buffer *buf, const char *text)
{
    json_t *j = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    char *py = j ? hpolab_json_dumps_py(j) : NULL;
    json_decref(j);
    int32_t st = py ? hpolab_csv_append_field(buf, py, strlen(py))
                    : hpolab_csv_append_field(buf, text, strlen(text));
    free(py);
    return st;
}

int32_t hpolab_csv_append_value(struct hpolab_buffer *buf,
                                const struct hpolab_value *v)
{
    char tmp[HPOLAB_PYFLOAT_BUFSIZE];
    switch (v->type) {
    case HPOLAB_VALUE_INT:
        snprintf(tmp, sizeof tmp, "%lld", (long long)v->u.i);
        return hpolab_buffer_append(buf, tmp, strlen(tmp));
    case HPOLAB_VALUE_DOUBLE:
        if (isnan(v->u.d)) /* pandas' na_rep */
            return HPOLAB_OK;
        hpolab_pyfloat(v->u.d, tmp);
        return hpolab_buffer_append(buf, tmp, strlen(tmp));
    case HPOLAB_VALUE_BOOL:
        return v->u.b ? hpolab_buffer_append(buf, "True", 4)
                      : hpolab_buffer_append(buf, "False", 5);
    case HPOLAB_VALUE_STRING:
        return hpolab_csv_append_field(buf, v->u.s, strlen(v->u.s));
    case HPOLAB_VALUE_JSON: return append_json_value(buf, v->u.s);
    default: return HPOLAB_OK;
    }
}

/* Length of a line made of cached cells plus `missing` empty cells. A line
 * that is one empty field is written '""', as Python's csv module does, so
 * it is not mistaken for a blank line. */
static size_t line_len(size_t cells_len, size_t ncols, size_t missing)
{
    if (ncols == 1 && cells_len == 0)
        return 2 + 1;
    return cells_len + missing + 1;
}

static char *put_line(char *p, const char *cells, size_t cells_len,
                      size_t ncols, size_t missing)
{
    if (ncols == 1 && cells_len == 0) {
        memcpy(p, "\"\"\n", 3);
        return p + 3;
    }
    if (cells_len) /* an empty header has no buffer at all */
        memcpy(p, cells, cells_len);
    p += cells_len;
    memset(p, ',', missing);
    p += missing;
    *p++ = '\n';
    return p;
}

/* The header cells (column names joined by ',') into buf. */
static int32_t header_cells(const struct hpolab_results *r, size_t ncols,
                            struct hpolab_buffer *buf)
{
    int32_t st = HPOLAB_OK;
    for (size_t j = 0; j < ncols && st == HPOLAB_OK; j++) {
        const char *name = hpolab_results_column(r, j);
        if (j)
            st = hpolab_buffer_append(buf, ",", 1);
        if (st == HPOLAB_OK)
            st = hpolab_csv_append_field(buf, name, strlen(name));
    }
    return st;
}

int32_t hpolab_results_to_csv(const struct hpolab_results *r, char **out,
                              size_t *out_len, struct hpolab_error *err)
{
    *out = NULL;
    if (out_len)
        *out_len = 0;
    size_t ncols = hpolab_results_column_count(r);
    size_t nrows = hpolab_results_row_count(r);
    struct hpolab_buffer header;
    hpolab_buffer_init(&header);
    int32_t st = header_cells(r, ncols, &header);
    if (st != HPOLAB_OK) {
        hpolab_buffer_free(&header);
        return hpolab_error_set(err, st, "results.csv: out of memory");
    }
    /* one allocation: rows are only copied, never formatted again */
    size_t total = line_len(header.len, ncols, 0);
    for (size_t i = 0; i < nrows; i++) {
        size_t len, rn;
        hpolab_results_row_shape(r, i, &len, &rn);
        total += line_len(len, ncols, ncols - rn);
    }
    char *text = malloc(total + 1);
    if (!text) {
        hpolab_buffer_free(&header);
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM,
                                "results.csv: out of memory (%zu bytes)",
                                total);
    }
    char *p = put_line(text, (const char *)header.data, header.len, ncols, 0);
    hpolab_buffer_free(&header);
    struct hpolab_results_window w = {0};
    for (size_t i = 0; i < nrows && st == HPOLAB_OK; i++) {
        size_t len, rn;
        const char *cells = NULL;
        hpolab_results_row_shape(r, i, &len, &rn);
        st = hpolab_results_row_cells(r, i, &w, &cells, err);
        if (st == HPOLAB_OK)
            p = put_line(p, cells, len, ncols, ncols - rn);
    }
    hpolab_results_window_free(&w);
    if (st != HPOLAB_OK) {
        free(text);
        return st;
    }
    *p = '\0';
    *out = text;
    if (out_len)
        *out_len = (size_t)(p - text);
    return HPOLAB_OK;
}

/* ---- streaming -------------------------------------------------------- */

/* Make line `which` (0 = header, i + 1 = row i) the current line. */
static int32_t stream_line(struct hpolab_csv_stream *s, size_t which,
                           struct hpolab_error *err)
{
    size_t len, rn;
    const char *cells;
    if (which == 0) {
        cells = (const char *)s->header.data;
        len = s->header.len;
        rn = s->ncols;
    } else {
        hpolab_results_row_shape(s->r, which - 1, &len, &rn);
        int32_t st = hpolab_results_row_cells(s->r, which - 1, &s->window,
                                              &cells, err);
        if (st != HPOLAB_OK)
            return st;
    }
    size_t need = line_len(len, s->ncols, s->ncols - rn);
    if (s->line_cap < need) {
        char *line = realloc(s->line, need);
        if (!line)
            return hpolab_error_set(err, HPOLAB_ERR_NOMEM,
                                    "results.csv: out of memory");
        s->line = line;
        s->line_cap = need;
    }
    s->line_len = (size_t)(put_line(s->line, cells, len, s->ncols,
                                    s->ncols - rn) -
                           s->line);
    s->line_pos = 0;
    s->next_line = which + 1;
    return HPOLAB_OK;
}

void hpolab_csv_stream_close(struct hpolab_csv_stream *s)
{
    hpolab_buffer_free(&s->header);
    hpolab_results_window_free(&s->window);
    free(s->line);
    *s = (struct hpolab_csv_stream){0};
}

int32_t hpolab_csv_stream_open(struct hpolab_csv_stream *s,
                               const struct hpolab_results *r,
                               struct hpolab_error *err)
{
    *s = (struct hpolab_csv_stream){0};
    s->r = r;
    s->ncols = hpolab_results_column_count(r);
    s->nrows = hpolab_results_row_count(r);
    hpolab_buffer_init(&s->header);
    int32_t st = header_cells(r, s->ncols, &s->header);
    if (st != HPOLAB_OK) {
        hpolab_csv_stream_close(s);
        return hpolab_error_set(err, st, "results.csv: out of memory");
    }
    s->size = line_len(s->header.len, s->ncols, 0);
    for (size_t i = 0; i < s->nrows; i++) {
        size_t len, rn;
        hpolab_results_row_shape(r, i, &len, &rn);
        s->size += line_len(len, s->ncols, s->ncols - rn);
    }
    return HPOLAB_OK;
}

int32_t hpolab_csv_stream_read(struct hpolab_csv_stream *s, void *dst,
                               size_t len, size_t *got,
                               struct hpolab_error *err)
{
    char *out = dst;
    size_t n = 0;
    while (n < len) {
        if (s->line_pos == s->line_len) {
            if (s->next_line > s->nrows)
                break; /* header and every row are out */
            int32_t st = stream_line(s, s->next_line, err);
            if (st != HPOLAB_OK) {
                *got = n;
                return st;
            }
        }
        size_t k = s->line_len - s->line_pos;
        if (k > len - n)
            k = len - n;
        memcpy(out + n, s->line + s->line_pos, k);
        s->line_pos += k;
        n += k;
    }
    *got = n;
    return HPOLAB_OK;
}

/* ---- reading ---------------------------------------------------------- */

static int is_digits(const char *s, const char *end)
{
    if (s == end)
        return 0;
    for (; s < end; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

static size_t count_digits(const char *s, const char *end)
{
    size_t n = 0;
    while (s + n < end && s[n] >= '0' && s[n] <= '9')
        n++;
    return n;
}

static int equals_nocase(const char *s, size_t len, const char *word)
{
    size_t n = strlen(word);
    if (len != n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != word[i])
            return 0;
    }
    return 1;
}

/* Decimal float syntax as Python's float() reads it (without '_' and
 * surrounding spaces): [+-] (d+[.d*] | .d+) [(e|E)[+-]d+], or inf, infinity,
 * nan in any case. */
static int is_float_text(const char *s, size_t len)
{
    const char *end = s + len;
    if (s < end && (*s == '+' || *s == '-'))
        s++;
    size_t rest = (size_t)(end - s);
    if (equals_nocase(s, rest, "inf") || equals_nocase(s, rest, "infinity") ||
        equals_nocase(s, rest, "nan"))
        return 1;
    size_t mant = count_digits(s, end);
    s += mant;
    if (s < end && *s == '.') {
        s++;
        size_t frac = count_digits(s, end);
        s += frac;
        mant += frac;
    }
    if (mant == 0)
        return 0;
    if (s < end && (*s == 'e' || *s == 'E')) {
        s++;
        if (s < end && (*s == '+' || *s == '-'))
            s++;
        size_t exp = count_digits(s, end);
        if (exp == 0)
            return 0;
        s += exp;
    }
    return s == end;
}

int32_t hpolab_csv_parse_value(const char *text, size_t len,
                               struct hpolab_value *out)
{
    char small[64];
    out->type = HPOLAB_VALUE_NULL;
    if (len == 0)
        return HPOLAB_OK;
    if (len == 4 && memcmp(text, "True", 4) == 0) {
        out->type = HPOLAB_VALUE_BOOL;
        out->u.b = 1;
        return HPOLAB_OK;
    }
    if (len == 5 && memcmp(text, "False", 5) == 0) {
        out->type = HPOLAB_VALUE_BOOL;
        out->u.b = 0;
        return HPOLAB_OK;
    }
    const char *digits = text + (text[0] == '+' || text[0] == '-');
    if (is_float_text(text, len)) {
        /* strtoll/strtod need a terminated copy */
        char *tmp = len < sizeof small ? small : malloc(len + 1);
        if (!tmp)
            return HPOLAB_ERR_NOMEM;
        memcpy(tmp, text, len);
        tmp[len] = '\0';
        errno = 0;
        long long v = 0;
        int is_int = is_digits(digits, text + len);
        if (is_int)
            v = strtoll(tmp, NULL, 10);
        /* an int too large for int64 is read as a float, as pandas does */
        if (is_int && errno == 0) {
            out->type = HPOLAB_VALUE_INT;
            out->u.i = v;
        } else {
            out->type = HPOLAB_VALUE_DOUBLE;
            out->u.d = strtod(tmp, NULL);
        }
        if (tmp != small)
            free(tmp);
        return HPOLAB_OK;
    }
    out->u.s = strndup(text, len);
    if (!out->u.s)
        return HPOLAB_ERR_NOMEM;
    out->type = HPOLAB_VALUE_STRING;
    return HPOLAB_OK;
}

struct csv_reader {
    const char *text;
    size_t len;
    size_t pos;
    size_t line; /* 1-based physical line of pos */
    size_t line_start;
    const char *name;
    struct hpolab_error *err;
    struct hpolab_buffer fields; /* the row's fields, each NUL-terminated */
    size_t *offs;                /* start of each field in fields */
    size_t nfields, offs_cap;
    /* scanning (hpolab_results_scan_csv): no table, a callback per row */
    const char *const *keep; /* the columns to pass on, nkeep */
    size_t nkeep;
    unsigned char *wanted;   /* per keep column: the header has it */
    hpolab_csv_row_fn row_fn;
    void *user;
    long *slot_of;           /* per header column: its index in keep, or -1 */
    size_t nrows;
    size_t nkeep_header;     /* columns of the header */
};

static size_t col_of(const struct csv_reader *rd, size_t pos)
{
    return pos - rd->line_start + 1;
}

static void newline_at(struct csv_reader *rd, size_t pos)
{
    rd->line++;
    rd->line_start = pos + 1;
}

/* Reject NUL bytes and malformed UTF-8 up front, naming line and column. */
static int32_t check_text(struct csv_reader *rd)
{
    const unsigned char *s = (const unsigned char *)rd->text;
    size_t line = 1, start = 0;
    for (size_t i = rd->pos; i < rd->len;) {
        unsigned char c = s[i];
        int extra = c < 0x80 ? 0
                    : (c & 0xE0) == 0xC0 && c >= 0xC2 ? 1
                    : (c & 0xF0) == 0xE0               ? 2
                    : (c & 0xF8) == 0xF0 && c <= 0xF4 ? 3
                                                       : -1;
        int ok = c != 0 && extra >= 0 && i + (size_t)extra < rd->len;
        for (int k = 1; ok && k <= extra; k++)
            ok = (s[i + (size_t)k] & 0xC0) == 0x80;
        if (!ok)
            return hpolab_error_set(
                rd->err, HPOLAB_ERR_PARSE, "%s: line %zu, column %zu: %s",
                rd->name, line, i - start + 1,
                c == 0 ? "NUL byte in the text" : "invalid UTF-8 byte");
        if (c == '\n') {
            line++;
            start = i + 1;
        }
        i += (size_t)extra + 1;
    }
    return HPOLAB_OK;
}

static int32_t begin_field(struct csv_reader *rd)
{
    if (rd->nfields == rd->offs_cap) {
        size_t cap = rd->offs_cap ? rd->offs_cap * 2 : 32;
        size_t *offs = realloc(rd->offs, cap * sizeof *offs);
        if (!offs)
            return HPOLAB_ERR_NOMEM;
        rd->offs = offs;
        rd->offs_cap = cap;
    }
    rd->offs[rd->nfields++] = rd->fields.len;
    return HPOLAB_OK;
}

/* Read one logical row into rd->fields. *blank: it was an empty line. */
static int32_t read_row(struct csv_reader *rd, int *blank)
{
    rd->fields.len = 0;
    rd->nfields = 0;
    int quoted_any = 0;
    for (;;) {
        int32_t st = begin_field(rd);
        if (st != HPOLAB_OK)
            return hpolab_error_set(rd->err, st, "%s: out of memory", rd->name);
        if (rd->pos < rd->len && rd->text[rd->pos] == '"') {
            quoted_any = 1;
            size_t open_line = rd->line, open_col = col_of(rd, rd->pos);
            rd->pos++;
            for (;;) {
                if (rd->pos >= rd->len)
                    return hpolab_error_set(
                        rd->err, HPOLAB_ERR_PARSE,
                        "%s: line %zu, column %zu: quoted field is not "
                        "closed before the end of the file",
                        rd->name, open_line, open_col);
                /* copy up to the next quote in one step */
                const char *q = memchr(rd->text + rd->pos, '"',
                                       rd->len - rd->pos);
                size_t stop = q ? (size_t)(q - rd->text) : rd->len;
                for (size_t i = rd->pos; i < stop; i++)
                    if (rd->text[i] == '\n')
                        newline_at(rd, i);
                st = hpolab_buffer_append(&rd->fields, rd->text + rd->pos,
                                          stop - rd->pos);
                if (st != HPOLAB_OK)
                    return hpolab_error_set(rd->err, st, "%s: out of memory",
                                            rd->name);
                rd->pos = stop;
                if (!q)
                    continue;
                if (rd->pos + 1 < rd->len && rd->text[rd->pos + 1] == '"') {
                    st = hpolab_buffer_append(&rd->fields, "\"", 1);
                    if (st != HPOLAB_OK)
                        return hpolab_error_set(rd->err, st,
                                                "%s: out of memory", rd->name);
                    rd->pos += 2;
                    continue;
                }
                rd->pos++; /* closing quote */
                break;
            }
            if (rd->pos < rd->len && rd->text[rd->pos] != ',' &&
                rd->text[rd->pos] != '\n' && rd->text[rd->pos] != '\r')
                return hpolab_error_set(
                    rd->err, HPOLAB_ERR_PARSE,
                    "%s: line %zu, column %zu: expected ',' or a line end "
                    "after the closing quote of the field opened at line "
                    "%zu, column %zu (a quote inside a quoted field must be "
                    "doubled)",
                    rd->name, rd->line, col_of(rd, rd->pos), open_line,
                    open_col);
        } else {
            size_t start = rd->pos;
            while (rd->pos < rd->len && rd->text[rd->pos] != ',' &&
                   rd->text[rd->pos] != '\n' && rd->text[rd->pos] != '\r')
                rd->pos++;
            st = hpolab_buffer_append(&rd->fields, rd->text + start,
                                      rd->pos - start);
            if (st != HPOLAB_OK)
                return hpolab_error_set(rd->err, st, "%s: out of memory",
                                        rd->name);
        }
        st = hpolab_buffer_append(&rd->fields, "", 1);
        if (st != HPOLAB_OK)
            return hpolab_error_set(rd->err, st, "%s: out of memory", rd->name);
        if (rd->pos < rd->len && rd->text[rd->pos] == ',') {
            rd->pos++;
            continue;
        }
        /* end of the row: "\n", "\r\n", a lone "\r", or the end of text */
        int cr = rd->pos < rd->len && rd->text[rd->pos] == '\r';
        rd->pos += (size_t)cr;
        if (rd->pos < rd->len && rd->text[rd->pos] == '\n') {
            newline_at(rd, rd->pos);
            rd->pos++;
        } else if (cr) {
            newline_at(rd, rd->pos - 1);
        }
        break;
    }
    *blank = rd->nfields == 1 && !quoted_any && rd->fields.len == 1;
    return HPOLAB_OK;
}

static const char *field(const struct csv_reader *rd, size_t i)
{
    return (const char *)rd->fields.data + rd->offs[i];
}

static size_t field_len(const struct csv_reader *rd, size_t i)
{
    size_t end = i + 1 < rd->nfields ? rd->offs[i + 1] : rd->fields.len;
    return end - rd->offs[i] - 1;
}

static int32_t read_header(struct csv_reader *rd, struct hpolab_results *r,
                           size_t line)
{
    for (size_t i = 0; i < rd->nfields; i++) {
        const char *name = field(rd, i);
        int64_t prev = hpolab_results_column_index(r, name);
        if (prev >= 0)
            return hpolab_error_set(rd->err, HPOLAB_ERR_PARSE,
                                    "%s: line %zu: column name '%s' appears "
                                    "twice (fields %lld and %zu)",
                                    rd->name, line, name, (long long)prev + 1,
                                    i + 1);
        int32_t st = hpolab_results_add_column(r, name, rd->err);
        if (st != HPOLAB_OK)
            return hpolab_error_prefix(rd->err, "%s", rd->name);
    }
    return HPOLAB_OK;
}

static int32_t read_data_row(struct csv_reader *rd, struct hpolab_results *r,
                             size_t line)
{
    size_t ncols = hpolab_results_column_count(r);
    if (rd->nfields > ncols)
        return hpolab_error_set(rd->err, HPOLAB_ERR_PARSE,
                                "%s: line %zu: %zu fields, but the header has "
                                "%zu columns",
                                rd->name, line, rd->nfields, ncols);
    struct hpolab_record rec;
    hpolab_record_init(&rec);
    int32_t st = HPOLAB_OK;
    for (size_t i = 0; i < rd->nfields && st == HPOLAB_OK; i++) {
        struct hpolab_value v;
        st = hpolab_csv_parse_value(field(rd, i), field_len(rd, i), &v);
        if (st == HPOLAB_OK && v.type != HPOLAB_VALUE_NULL)
            st = hpolab_record_set(&rec, hpolab_results_column(r, i), &v);
        hpolab_value_free(&v);
    }
    if (st == HPOLAB_OK)
        st = hpolab_results_append(r, &rec, rd->err);
    else
        hpolab_error_set(rd->err, st, "out of memory");
    hpolab_record_free(&rec);
    if (st != HPOLAB_OK)
        return hpolab_error_prefix(rd->err, "%s: line %zu", rd->name, line);
    return HPOLAB_OK;
}

/* Scanning: the header maps columns to keep slots; each data row's kept
 * cells are parsed into values[0..nkeep) (NULL type when absent) and handed
 * to the callback. */
static int32_t scan_header(struct csv_reader *rd, size_t line)
{
    rd->slot_of = malloc((rd->nfields ? rd->nfields : 1) * sizeof *rd->slot_of);
    if (!rd->slot_of)
        return hpolab_error_set(rd->err, HPOLAB_ERR_NOMEM, "%s: out of memory",
                                rd->name);
    for (size_t i = 0; i < rd->nfields; i++) {
        rd->slot_of[i] = -1;
        for (size_t j = 0; j < i; j++)
            if (strcmp(field(rd, i), field(rd, j)) == 0)
                return hpolab_error_set(rd->err, HPOLAB_ERR_PARSE,
                                        "%s: line %zu: column name '%s' "
                                        "appears twice (fields %zu and %zu)",
                                        rd->name, line, field(rd, i), j + 1,
                                        i + 1);
        for (size_t k = 0; k < rd->nkeep; k++)
            if (strcmp(field(rd, i), rd->keep[k]) == 0)
                rd->slot_of[i] = (long)k;
    }
    rd->wanted = calloc(rd->nkeep ? rd->nkeep : 1, 1); /* found: 1 */
    if (!rd->wanted)
        return hpolab_error_set(rd->err, HPOLAB_ERR_NOMEM, "%s: out of memory",
                                rd->name);
    for (size_t i = 0; i < rd->nfields; i++)
        if (rd->slot_of[i] >= 0)
            rd->wanted[rd->slot_of[i]] = 1;
    rd->nkeep_header = rd->nfields;
    return HPOLAB_OK;
}

static int32_t scan_row(struct csv_reader *rd, struct hpolab_value *values,
                        size_t line)
{
    if (rd->nfields > rd->nkeep_header)
        return hpolab_error_set(rd->err, HPOLAB_ERR_PARSE,
                                "%s: line %zu: %zu fields, but the header has "
                                "%zu columns",
                                rd->name, line, rd->nfields, rd->nkeep_header);
    for (size_t k = 0; k < rd->nkeep; k++)
        values[k].type = HPOLAB_VALUE_NULL;
    int32_t st = HPOLAB_OK;
    for (size_t i = 0; i < rd->nfields && st == HPOLAB_OK; i++)
        if (rd->slot_of[i] >= 0)
            st = hpolab_csv_parse_value(field(rd, i), field_len(rd, i),
                                        &values[rd->slot_of[i]]);
    if (st == HPOLAB_OK)
        st = rd->row_fn(rd->user, rd->nrows++, values, rd->err);
    else
        hpolab_error_set(rd->err, st, "%s: line %zu: out of memory", rd->name,
                         line);
    for (size_t k = 0; k < rd->nkeep; k++)
        hpolab_value_free(&values[k]);
    return st;
}

int32_t hpolab_results_scan_csv(const char *text, size_t len,
                                const char *name_for_errors,
                                const char *const *columns, size_t ncolumns,
                                unsigned char *found, hpolab_csv_row_fn fn,
                                void *user, struct hpolab_error *err)
{
    struct csv_reader rd = {.text = text, .len = len, .line = 1,
                            .name = name_for_errors ? name_for_errors : "csv",
                            .err = err, .keep = columns, .nkeep = ncolumns,
                            .row_fn = fn, .user = user};
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        rd.pos = rd.line_start = 3;
    int32_t st = check_text(&rd);
    if (st != HPOLAB_OK)
        return st;
    struct hpolab_value *values =
        calloc(ncolumns ? ncolumns : 1, sizeof *values);
    if (!values)
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "%s: out of memory",
                                rd.name);
    hpolab_buffer_init(&rd.fields);
    int have_header = 0;
    while (st == HPOLAB_OK && rd.pos < rd.len) {
        size_t line = rd.line;
        int blank;
        st = read_row(&rd, &blank);
        if (st != HPOLAB_OK || blank)
            continue;
        if (!have_header) {
            st = scan_header(&rd, line);
            have_header = 1;
        } else {
            st = scan_row(&rd, values, line);
        }
    }
    if (found)
        for (size_t k = 0; k < ncolumns; k++)
            found[k] = rd.wanted ? rd.wanted[k] : 0;
    hpolab_buffer_free(&rd.fields);
    free(rd.offs);
    free(rd.wanted);
    free(rd.slot_of);
    free(values);
    return st;
}

int32_t hpolab_results_from_csv(const char *text, size_t len,
                                const char *name_for_errors,
                                struct hpolab_results **out,
                                struct hpolab_error *err)
{
    *out = NULL;
    struct csv_reader rd = {.text = text, .len = len, .line = 1,
                            .name = name_for_errors ? name_for_errors : "csv",
                            .err = err};
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        rd.pos = rd.line_start = 3;
    int32_t st = check_text(&rd);
    if (st != HPOLAB_OK)
        return st;
    struct hpolab_results *r;
    st = hpolab_results_create(&r, err);
    if (st != HPOLAB_OK)
        return st;
    hpolab_buffer_init(&rd.fields);
    int have_header = 0;
    while (st == HPOLAB_OK && rd.pos < rd.len) {
        size_t line = rd.line;
        int blank;
        st = read_row(&rd, &blank);
        if (st != HPOLAB_OK || blank)
            continue;
        if (!have_header) {
            st = read_header(&rd, r, line);
            have_header = 1;
        } else {
            st = read_data_row(&rd, r, line);
        }
    }
    hpolab_buffer_free(&rd.fields);
    free(rd.offs);
    if (st != HPOLAB_OK) {
        hpolab_results_free(r);
        return st;
    }
    *out = r;
    return HPOLAB_OK;
}
