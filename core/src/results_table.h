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
 * with empty cells for them, never reformatted. */
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
 * text alone, about a third of the memory; hpolab_results_row gives NULL. */
int32_t hpolab_results_create_writer(struct hpolab_results **out,
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

/* For results_csv.c: the cached CSV cells of row i (no line end) covering
 * the first *ncols columns; columns added later are empty in that row.
 * [borrowed]. */
const char *hpolab_results_row_csv(const struct hpolab_results *r, size_t i,
                                   size_t *len, size_t *ncols);

#endif
