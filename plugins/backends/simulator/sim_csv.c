#include "sim_csv.h"

#include <stdlib.h>
#include <string.h>

void sim_csv_free(struct sim_csv *csv)
{
    for (size_t i = 0; i < csv->n_rows; i++) {
        for (size_t j = 0; j < csv->rows[i].n; j++)
            free(csv->rows[i].cells[j]);
        free(csv->rows[i].cells);
    }
    free(csv->rows);
    csv->rows = NULL;
    csv->n_rows = 0;
}

/* Split one line (without its newline) into cells; -1 out of memory, -2 a
 * quoting error (*col the 1-based column). */
static int split(const char *s, size_t len, struct sim_csv_row *row,
                 size_t *col)
{
    size_t cap = 8;
    row->cells = malloc(cap * sizeof *row->cells);
    row->n = 0;
    if (!row->cells)
        return -1;
    size_t i = 0;
    for (;;) {
        char *cell = malloc(len - i + 1);
        if (!cell)
            return -1;
        size_t k = 0;
        if (i < len && s[i] == '"') {
            i++;
            for (;;) {
                if (i >= len) {
                    free(cell);
                    *col = row->n + 1;
                    return -2;
                }
                if (s[i] == '"') {
                    if (i + 1 < len && s[i + 1] == '"') {
                        cell[k++] = '"';
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                cell[k++] = s[i++];
            }
            if (i < len && s[i] != ',') {
                free(cell);
                *col = row->n + 1;
                return -2;
            }
        } else {
            while (i < len && s[i] != ',')
                cell[k++] = s[i++];
        }
        cell[k] = '\0';
        if (row->n == cap) {
            cap *= 2;
            char **c = realloc(row->cells, cap * sizeof *c);
            if (!c) {
                free(cell);
                return -1;
            }
            row->cells = c;
        }
        row->cells[row->n++] = cell;
        if (i >= len)
            return 0;
        i++; /* the comma */
    }
}

int32_t sim_csv_parse(struct hpolab_ctx *ctx, const char *path,
                      const char *text, size_t len, struct sim_csv *out)
{
    memset(out, 0, sizeof *out);
    size_t cap = 0, line = 0, pos = 0;
    while (pos < len) {
        const char *s = text + pos;
        const char *nl = memchr(s, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - s) : len - pos;
        pos += n + (nl ? 1 : 0);
        line++;
        if (n && s[n - 1] == '\r')
            n--;
        size_t lead = 0;
        while (lead < n && (s[lead] == ' ' || s[lead] == '\t'))
            lead++;
        if (lead == n || s[lead] == '#')
            continue;
        if (out->n_rows == cap) {
            cap = cap ? cap * 2 : 256;
            struct sim_csv_row *r = realloc(out->rows, cap * sizeof *r);
            if (!r) {
                sim_csv_free(out);
                return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM,
                                        "out of memory");
            }
            out->rows = r;
        }
        struct sim_csv_row *row = &out->rows[out->n_rows++];
        row->line = line;
        size_t col = 0;
        int rc = split(s, n, row, &col);
        if (rc == -1) {
            sim_csv_free(out);
            return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
        }
        if (rc == -2) {
            sim_csv_free(out);
            return hpolab_set_error(ctx, HPOLAB_ERR_PARSE,
                                    "%s: line %zu: cell %zu: a quoted cell "
                                    "must end with '\"' before the next ',' "
                                    "or the end of the line",
                                    path, line, col);
        }
        if (out->n_rows > 1 && row->n != out->rows[0].n) {
            size_t got = row->n, want = out->rows[0].n;
            sim_csv_free(out);
            return hpolab_set_error(ctx, HPOLAB_ERR_PARSE,
                                    "%s: line %zu: expected %zu cells (as in "
                                    "the header), got %zu",
                                    path, line, want, got);
        }
    }
    if (!out->n_rows)
        return hpolab_set_error(ctx, HPOLAB_ERR_PARSE,
                                "%s: expected a header line and rows, got no "
                                "line at all",
                                path);
    return HPOLAB_OK;
}
