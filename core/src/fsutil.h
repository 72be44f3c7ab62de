/* fsutil.h: the file operations results and state files rely on. Writes are
 * atomic (temp file in the same folder, fsync, rename) so a crash, a full disk
 * or a read-only folder never leaves a half-written result file behind. */
#ifndef HPOLAB_CORE_FSUTIL_H
#define HPOLAB_CORE_FSUTIL_H

#include <dirent.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* Create path and its missing parents (mode 0777 & ~umask). An existing
 * directory is fine; an existing non-directory is HPOLAB_ERR_EXISTS. */
int32_t hpolab_mkdir_p(const char *path, struct hpolab_error *err);

/* The names in the open folder d that keep(name, ctx) accepts (NULL: all,
 * "." and ".." included), sorted by strcmp; d is read to its end, not
 * closed. *out [owned: hpolab_free_names]; on failure (out of memory)
 * nothing is returned. */
int32_t hpolab_dir_names(DIR *d, int (*keep)(const char *name, void *ctx),
                         void *ctx, char ***out, size_t *n,
                         struct hpolab_error *err);
void hpolab_free_names(char **names, size_t n);

/* Write all len bytes of data at fd's file position, or with
 * hpolab_pwrite_all at offset off, retrying after signals and short writes.
 * 0, or -1 with errno set (EIO when the file takes no more bytes). */
int hpolab_write_all(int fd, const void *data, size_t len);
int hpolab_pwrite_all(int fd, const void *data, size_t len, uint64_t off);

/* Replace path by data: write "<path>.tmp-<pid>-<n>" in the same folder, fsync
 * it, rename it over path, fsync the folder. On any failure (ENOSPC, EROFS,
 * EACCES, ...) the old file stays intact, the temp file is removed and the
 * message names the path and the errno text. New files get 0666 & ~umask. */
int32_t hpolab_write_file_atomic(const char *path, const void *data,
                                 size_t len, struct hpolab_error *err);

/* Whole file into *out, NUL-terminated (*out_len excludes the NUL);
 * [owned: free]. A missing file is HPOLAB_ERR_NOT_FOUND. out_len may be NULL. */
int32_t hpolab_read_file(const char *path, char **out, size_t *out_len,
                         struct hpolab_error *err);

/* a + "/" + b like Python's os.path.join: an absolute b wins, no doubled
 * slash. [owned: free]; NULL on out of memory. */
char *hpolab_path_join(const char *a, const char *b);

/* Create path if needed, then prove it is writable by creating and removing
 * a probe file (access() is wrong for root and some network file systems). */
int32_t hpolab_check_writable_dir(const char *path, struct hpolab_error *err);

/* "~" and "~/x" -> $HOME (or the password entry), "~user/x" -> that user's
 * home; anything else, or an unknown user, unchanged. [owned: free]; NULL on
 * out of memory. */
char *hpolab_expand_user(const char *path);

/* Is path an existing directory? */
int hpolab_is_dir(const char *path);

#endif
