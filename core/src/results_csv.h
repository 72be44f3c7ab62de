/* results_csv.h: the results table as CSV text, as pandas'
 * DataFrame.to_csv(index=False) writes Syne Tune's results: a header line,
 * ',' between fields, '\n' after every line, a field quoted only when it
 * holds ',', '"', '\n' or '\r' (csv.QUOTE_MINIMAL) with '"' doubled inside.
 * Cells: ints as ints, floats in Python repr ("0.1", "1e-05", "1e+16",
 * "inf"), NaN/null/missing as an empty field, booleans "True"/"False",
 * strings as is, lists/objects as Python's json.dumps text. A line holding a
 * single empty field is written '""' (as Python's csv module does).
 *
 * The reader parses that format back into typed values: an integer text is
 * an int, a float text (also inf/nan) a double, "True"/"False" a boolean, an
 * empty field a missing cell, anything else a string. It accepts '\r\n'
 * line ends, quoted fields spanning lines, a UTF-8 byte order mark and a last
 * line without a line end; blank lines are skipped (as pandas does). */
#ifndef HPOLAB_CORE_RESULTS_CSV_H
#define HPOLAB_CORE_RESULTS_CSV_H

#include <stddef.h>
#include <stdint.h>

#include "buffer.h"
#include "error.h"
#include "record.h"
#include "results_table.h"

/* *out [owned: free], NUL-terminated; *out_len excludes the NUL. */
int32_t hpolab_results_to_csv(const struct hpolab_results *r, char **out,
                              size_t *out_len, struct hpolab_error *err);
/* The CSV text hpolab_results_to_csv gives, produced piece by piece: memory
 * stays O(header + longest row + HPOLAB_RESULTS_WINDOW) however many rows
 * the table has, so a writer table's spooled rows are never all in memory.
 * The table must not change while the stream is open. */
struct hpolab_csv_stream {
    const struct hpolab_results *r; /* borrowed */
    size_t ncols, nrows;            /* the table's when opened */
    uint64_t size;                  /* bytes of the whole text */
    struct hpolab_buffer header;    /* the header's cells */
    struct hpolab_results_window window;
    char *line; /* owned: the current line, line_len bytes */
    size_t line_cap, line_len, line_pos;
    size_t next_line; /* 0 = header, i + 1 = row i */
};
/* Start at the header; s->size is the total length. Fill *s (no need to
 * initialise it); close it with hpolab_csv_stream_close, also after an
 * error of hpolab_csv_stream_read (open cleans up after its own). */
int32_t hpolab_csv_stream_open(struct hpolab_csv_stream *s,
                               const struct hpolab_results *r,
                               struct hpolab_error *err);
/* Up to len next bytes into dst; *got < len only at the end (0 after it). */
int32_t hpolab_csv_stream_read(struct hpolab_csv_stream *s, void *dst,
                               size_t len, size_t *got,
                               struct hpolab_error *err);
void hpolab_csv_stream_close(struct hpolab_csv_stream *s);

/* Parse text[0..len) (need not be NUL-terminated); name_for_errors starts
 * every message ("results.csv: line 4, column 7: ..."). *out [owned:
 * hpolab_results_free]. */
int32_t hpolab_results_from_csv(const char *text, size_t len,
                                const char *name_for_errors,
                                struct hpolab_results **out,
                                struct hpolab_error *err);

/* Called for each data row by hpolab_results_scan_csv with the row's cells
 * of the requested columns (values[k] for columns[k]; HPOLAB_VALUE_NULL when
 * empty or when the file has no such column). The values are [borrowed] for
 * the call. A status other than HPOLAB_OK stops the scan and is returned
 * (fill err). */
typedef int32_t (*hpolab_csv_row_fn)(void *user, size_t row,
                                     const struct hpolab_value *values,
                                     struct hpolab_error *err);
/* Read CSV text as hpolab_results_from_csv does (same checks and messages),
 * but build no table: only the cells of columns[0..ncolumns) are parsed and
 * passed to fn, row by row. found (may be NULL) receives, per requested
 * column, 1 if the header has it. The fastest way to pull a few columns out
 * of a large results file. */
int32_t hpolab_results_scan_csv(const char *text, size_t len,
                                const char *name_for_errors,
                                const char *const *columns, size_t ncolumns,
                                unsigned char *found, hpolab_csv_row_fn fn,
                                void *user, struct hpolab_error *err);

/* Append text[0..len) to buf as one CSV field, quoted if needed. */
int32_t hpolab_csv_append_field(struct hpolab_buffer *buf, const char *text,
                                size_t len);
/* Append the CSV field of v (rules above) to buf. */
int32_t hpolab_csv_append_value(struct hpolab_buffer *buf,
                                const struct hpolab_value *v);
/* The typed value of a field's text after unquoting (quotes do not change
 * the type, as in pandas); an empty text is HPOLAB_VALUE_NULL. out owns its
 * string. */
int32_t hpolab_csv_parse_value(const char *text, size_t len,
                               struct hpolab_value *out);

#endif
