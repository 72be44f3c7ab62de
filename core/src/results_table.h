/* results_table.h: the in-memory table of result rows (one per result the
 * tuner processed, Syne Tune's results DataFrame). Columns are the union of
 * the rows' keys in order of first appearance (the pandas convention for a
 * DataFrame built from a list of dicts); a row without a column has an empty
 * cell there.
 *
 * Built for long runs: appending is amortised O(row), column lookup is a
 * hash, and each row's CSV text is formatted once at append time, so the
 * periodic rewrite of results.csv.zip only copies cached text. Rows never
 * change after append; when later rows add columns, earlier rows are written
 * with empty cells for them, never reformatted.
 *
 * A writer table (the tuner's) keeps that text on disk, in an append-only
 * spool file in its folder, and in memory only 16 bytes per row, so a long
 * run's memory stays flat. The spool is an unnamed file (O_TMPFILE, or a
 * hidden name unlinked at once where the file system lacks O_TMPFILE): it
 * never outlives the process, a killed tuner leaves nothing behind (resume
 * rebuilds the rows from the journal), and there is nothing to clean up. */
#ifndef HPOLAB_CORE_RESULTS_TABLE_H
#define HPOLAB_CORE_RESULTS_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "record.h"

struct hpolab_results;

/* *out [owned: hpolab_results_free]. */
int32_t hpolab_results_create(struct hpolab_results **out,
                              struct hpolab_error *err);
/* A table that is only written (the tuner's): rows are kept as their CSV
 * text alone, in a spool file created in spool_dir at the first append (the
 * folder must exist by then; a failure to create or write the spool, e.g.
 * ENOSPC, is an HPOLAB_ERR_IO append error naming the folder);
 * hpolab_results_row gives NULL. spool_dir is copied; NULL makes a table
 * that can hold no rows (the tuner's check before an experiment exists).
 * *out [owned: hpolab_results_free]. */
int32_t hpolab_results_create_writer(const char *spool_dir,
                                     struct hpolab_results **out,
                                     struct hpolab_error *err);
void hpolab_results_free(struct hpolab_results *r);
/* Copies the row; new keys become new columns at the end. */
int32_t hpolab_results_append(struct hpolab_results *r,
                              const struct hpolab_record *row,
                              struct hpolab_error *err);
size_t hpolab_results_row_count(const struct hpolab_results *r);
/* [borrowed] valid until hpolab_results_free (appends do not move rows);
 * NULL if i is out of range or the table is a writer. Only the row's own keys are present: a missing
 * cell is an absent key. */
const struct hpolab_record *hpolab_results_row(const struct hpolab_results *r,
                                               size_t i);
size_t hpolab_results_column_count(const struct hpolab_results *r);
/* [borrowed] column name i, NULL if out of range. */
const char *hpolab_results_column(const struct hpolab_results *r, size_t i);
/* Index of the named column, or -1. O(1). */
int64_t hpolab_results_column_index(const struct hpolab_results *r,
                                    const char *name);
/* Add a column (no-op if present) without adding a row: a reader declares the
 * file's header first so the column order survives rows with empty cells. */
int32_t hpolab_results_add_column(struct hpolab_results *r, const char *name,
                                  struct hpolab_error *err);

/* For results_csv.c. Row i's cached CSV cells (no line end) cover the
 * first *ncols columns and are *len bytes; columns added later are empty in
 * that row. O(1), no I/O. i must be < the row count. */
void hpolab_results_row_shape(const struct hpolab_results *r, size_t i,
                              size_t *len, size_t *ncols);

/* A read window over a writer table's spool: reading rows in order through
 * it costs one read per HPOLAB_RESULTS_WINDOW bytes and memory of at most
 * max(HPOLAB_RESULTS_WINDOW, longest row). Zero-initialise it; free it
 * with hpolab_results_window_free. */
#define HPOLAB_RESULTS_WINDOW ((size_t)64 * 1024)
struct hpolab_results_window {
    char *buf; /* owned */
    size_t cap;
    uint64_t start; /* spool offset of buf[0] */
    size_t len;     /* valid bytes in buf */
};
void hpolab_results_window_free(struct hpolab_results_window *w);
/* *cells = row i's cells (hpolab_results_row_shape gives the length),
 * [borrowed] until the next call with w or hpolab_results_free; not
 * NUL-terminated. A writer table reads them from its spool through w (any
 * order works; in order is fast), an in-memory table ignores w. */
int32_t hpolab_results_row_cells(const struct hpolab_results *r, size_t i,
                                 struct hpolab_results_window *w,
                                 const char **cells,
                                 struct hpolab_error *err);

#endif
