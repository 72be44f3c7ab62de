/* launch_sagemaker_pack.c: the study folder as a gzip tar (the job's
 * `code` channel), with libarchive. */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "launch_sagemaker.h"

static int32_t add_file(struct archive *a, const char *path, const char *rel,
                        const struct stat *st, struct hpolab_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return hpolab_error_set(err, HPOLAB_ERR_IO, "%s: %s", path,
                                strerror(errno));
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, rel);
    archive_entry_set_size(e, st->st_size);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, st->st_mode & 0777);
    archive_entry_set_mtime(e, st->st_mtime, 0);
    int32_t rc = HPOLAB_OK;
    if (archive_write_header(a, e) != ARCHIVE_OK) {
        rc = hpolab_error_set(err, HPOLAB_ERR_IO, "%s: %s", rel,
                              archive_error_string(a));
    } else {
        char buf[65536];
        ssize_t n;
        while ((n = read(fd, buf, sizeof buf)) > 0)
            if (archive_write_data(a, buf, (size_t)n) != n) {
                rc = hpolab_error_set(err, HPOLAB_ERR_IO, "%s: %s", rel,
                                      archive_error_string(a));
                break;
            }
        if (n < 0)
            rc = hpolab_error_set(err, HPOLAB_ERR_IO, "%s: %s", path,
                                  strerror(errno));
    }
    archive_entry_free(e);
    close(fd);
    return rc;
}

static int32_t add_dir(struct archive *a, const char *dir, const char *rel,
                       const char *skip, size_t *n, struct hpolab_error *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return hpolab_error_set(err, HPOLAB_ERR_IO, "%s: %s", dir,
                                strerror(errno));
    int32_t rc = HPOLAB_OK;
    struct dirent *ent;
    while (rc == HPOLAB_OK && (ent = readdir(d))) {
        if (ent->d_name[0] == '.')
            continue;
        char *p = hpolab_path_join(dir, ent->d_name);
        size_t rl = strlen(rel) + strlen(ent->d_name) + 2;
        char *r = malloc(rl);
        if (!p || !r) {
            free(p);
            free(r);
            rc = hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
            break;
        }
        snprintf(r, rl, "%s%s%s", rel, rel[0] ? "/" : "", ent->d_name);
        struct stat st;
        if (lstat(p, &st) != 0)
            rc = hpolab_error_set(err, HPOLAB_ERR_IO, "%s: %s", p,
                                  strerror(errno));
        else if (S_ISDIR(st.st_mode) && !(skip && strcmp(p, skip) == 0))
            rc = add_dir(a, p, r, skip, n, err);
        else if (S_ISREG(st.st_mode) && (rc = add_file(a, p, r, &st, err)) ==
                                            HPOLAB_OK)
            (*n)++;
        free(p);
        free(r);
    }
    closedir(d);
    return rc;
}

int32_t hpolab_sm_pack_dir(const char *dir, const char *skip_dir,
                           const char *out_path, size_t *n_files,
                           struct hpolab_error *err)
{
    struct archive *a = archive_write_new();
    if (!a)
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    size_t n = 0;
    int32_t rc = HPOLAB_OK;
    if (archive_write_add_filter_gzip(a) != ARCHIVE_OK ||
        archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
        archive_write_open_filename(a, out_path) != ARCHIVE_OK)
        rc = hpolab_error_set(err, HPOLAB_ERR_IO, "%s: %s", out_path,
                              archive_error_string(a));
    else
        rc = add_dir(a, dir, "", skip_dir, &n, err);
    if (archive_write_close(a) != ARCHIVE_OK && rc == HPOLAB_OK)
        rc = hpolab_error_set(err, HPOLAB_ERR_IO, "%s: %s", out_path,
                              archive_error_string(a));
    archive_write_free(a);
    if (rc != HPOLAB_OK)
        unlink(out_path);
    if (n_files)
        *n_files = n;
    return rc;
}
