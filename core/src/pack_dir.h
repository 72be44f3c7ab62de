/* pack_dir.h: a folder as a gzip-compressed tar file. */
#ifndef HPOLAB_CORE_PACK_DIR_H
#define HPOLAB_CORE_PACK_DIR_H

#include <stddef.h>

#include "error.h"

struct archive;

/* A new gzip-compressed (pax) tar file out, as every tar.gz hpolab writes;
 * *a [owned: hpolab_targz_finish]. */
int32_t hpolab_targz_open(const char *out, struct archive **a,
                          struct hpolab_error *err);
/* Closes and frees a; st is the status of writing its entries. Returns st,
 * or the close's error; on failure out is removed. */
int32_t hpolab_targz_finish(struct archive *a, const char *out, int32_t st,
                            struct hpolab_error *err);

/* Writes the regular files and folders below dir into the gzip tar file
 * out: paths relative to dir, in name order, mtime and owner cleared (the
 * same folder gives the same bytes). Names starting with '.' (.git, .venv)
 * and the folder skip_dir (NULL: none; e.g. a results folder inside the
 * study folder) are left out; links and special files are skipped (a link
 * could point anywhere). *n_files (may be NULL) counts the files. A dir
 * that is not a folder is HPOLAB_ERR_NOT_FOUND; on failure out is
 * removed. */
int32_t hpolab_pack_dir_targz(const char *dir, const char *skip_dir,
                              const char *out, size_t *n_files,
                              struct hpolab_error *err);

#endif
