/* results_zip.h: results.csv.zip, Syne Tune's results file: a zip archive
 * holding one deflated member "results.csv" (what pandas writes for
 * to_csv("results.csv.zip")). The file is rewritten in full, atomically, so
 * readers of a running study always find a complete archive. */
#ifndef HPOLAB_CORE_RESULTS_ZIP_H
#define HPOLAB_CORE_RESULTS_ZIP_H

#include <stdint.h>

#include "error.h"
#include "results_csv.h"
#include "results_table.h"

#define HPOLAB_RESULTS_ZIP "results.csv.zip"
#define HPOLAB_RESULTS_CSV "results.csv"

/* Write <dir>/results.csv.zip: the CSV is streamed from the table into an
 * archive in a hidden temp file in dir (no buffer the size of the CSV or the
 * archive), which is fsynced and renamed over the old one. On failure
 * (read-only folder, full disk) the previous results.csv.zip stays as it
 * was and the temp file is removed. */
int32_t hpolab_results_write(const struct hpolab_results *r, const char *dir,
                             struct hpolab_error *err);
/* The same with the member's modification time set to mtime (Unix
 * seconds; zip stores it as local DOS time) instead of now, so that equal
 * results give byte-identical files (simulated experiments); mtime < 0 is
 * now. */
int32_t hpolab_results_write_at(const struct hpolab_results *r,
                                const char *dir, int64_t mtime,
                                struct hpolab_error *err);

/* Read <dir>/results.csv.zip (its single member, whatever its name), else
 * <dir>/results.csv. dir_or_file may also name a file: a zip archive
 * (recognised by its signature) or plain CSV. Neither file: HPOLAB_ERR_NOT_FOUND.
 * *out [owned: hpolab_results_free]. */
int32_t hpolab_results_read(const char *dir_or_file,
                            struct hpolab_results **out,
                            struct hpolab_error *err);

/* Stream <dir>'s results (results.csv.zip, else results.csv) through fn,
 * reading only the named columns (hpolab_results_scan_csv). A callback
 * status that is HPOLAB_ERR_NOT_FOUND is taken for a missing file, so fn
 * should not return it. */
int32_t hpolab_results_scan(const char *dir, const char *const *columns,
                            size_t ncolumns, unsigned char *found,
                            hpolab_csv_row_fn fn, void *user,
                            struct hpolab_error *err);

/* The zip archive bytes for csv[0..len) as one member named member_name.
 * *out [owned: free]. */
int32_t hpolab_zip_single_member(const char *member_name, const char *csv,
                                 size_t len, void **out, size_t *out_len,
                                 struct hpolab_error *err);

/* The same with the member's mtime as in hpolab_results_write_at. */
int32_t hpolab_zip_single_member_at(const char *member_name, const char *csv,
                                    size_t len, int64_t mtime, void **out,
                                    size_t *out_len, struct hpolab_error *err);

#endif
