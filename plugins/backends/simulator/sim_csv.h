/* sim_csv.h: the CSV dialect of simulator tables: comma separated, first
 * non-comment line is the header, '#' starts a comment line, blank lines are
 * skipped, a cell may be double-quoted ("" inside is one quote), CRLF is
 * accepted. Each row keeps its line number for messages. */
#ifndef HPOLAB_SIM_CSV_H
#define HPOLAB_SIM_CSV_H

#include <hpolab/hpolab.h>
#include <stddef.h>

struct sim_csv_row {
    size_t line;   /* 1-based line in the file */
    size_t n;
    char **cells;  /* owned, n strings */
};

struct sim_csv {
    struct sim_csv_row *rows; /* owned; rows[0] is the header */
    size_t n_rows;
};

/* Parse text[0..len) of file `path` (for messages). Every row must have as
 * many cells as the header. Errors: HPOLAB_ERR_PARSE "<path>: line N: ...". */
int32_t sim_csv_parse(struct hpolab_ctx *ctx, const char *path,
                      const char *text, size_t len, struct sim_csv *out);
void sim_csv_free(struct sim_csv *csv);

#endif
