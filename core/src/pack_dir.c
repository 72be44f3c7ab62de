/* pack_dir.c: a folder as .tar.gz: the study folder `hpolab launch --engine
 * sagemaker` uploads as a job's code channel, and the source folder the
 * hpolab_aws_v1 extension packs for the sagemaker backend. Entries in name
 * order with mtime, owner and group cleared, so the same folder always
 * packs to the same bytes; file contents are streamed, never read whole. */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "pack_dir.h"

/* Deep enough for any study; guards against a folder that loops through
 * bind mounts. */
#define PACK_MAX_DEPTH 64

/* Not names starting with '.': also .git, .venv, editor files. */
static int visible(const char *name, void *ctx)
{
    (void)ctx;
    return name[0] != '.';
}

/* The visible names in dir, sorted; *out [owned: hpolab_free_names]. */
static int32_t list_dir(const char *dir, char ***out, size_t *n,
                        struct hpolab_error *err)
{
    *out = NULL;
    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return hpolab_error_set(err, HPOLAB_ERR_IO, "%s: cannot read: %s", dir,
                                strerror(errno));
    int32_t st = hpolab_dir_names(d, visible, NULL, out, n, err);
    closedir(d);
    return st;
}

static int32_t write_header(struct archive *a, const char *name,
                            const struct stat *sb, const char *out,
                            struct hpolab_error *err)
{
    struct archive_entry *e = archive_entry_new();
    if (!e)
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    archive_entry_set_pathname(e, name);
    archive_entry_set_filetype(e, S_ISDIR(sb->st_mode) ? AE_IFDIR : AE_IFREG);
    archive_entry_set_perm(e, sb->st_mode & 0777);
    archive_entry_set_size(e, S_ISDIR(sb->st_mode) ? 0 : sb->st_size);
    archive_entry_set_mtime(e, 0, 0);
    int32_t st = HPOLAB_OK;
    if (archive_write_header(a, e) != ARCHIVE_OK)
        st = hpolab_error_set(err, HPOLAB_ERR_IO, "%s: cannot write '%s': %s",
                              out, name, archive_error_string(a));
    archive_entry_free(e);
    return st;
}

static int32_t write_file(struct archive *a, const char *path, const char *name,
                          const char *out, struct hpolab_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return hpolab_error_set(err, HPOLAB_ERR_IO, "%s: cannot read: %s", path,
                                strerror(errno));
    struct stat sb;
    int32_t st = HPOLAB_OK;
    if (fstat(fd, &sb) != 0)
        st = hpolab_error_set(err, HPOLAB_ERR_IO, "%s: cannot read: %s", path,
                              strerror(errno));
    if (st == HPOLAB_OK)
        st = write_header(a, name, &sb, out, err);
    char buf[65536];
    off_t left = sb.st_size;
    /* exactly the size in the header, even if the file grows meanwhile */
    while (st == HPOLAB_OK && left > 0) {
        ssize_t r =
            read(fd, buf, left < (off_t)sizeof buf ? (size_t)left : sizeof buf);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            st = hpolab_error_set(err, HPOLAB_ERR_IO,
                                  "%s: changed or unreadable while packing",
                                  path);
            break;
        }
        if (archive_write_data(a, buf, (size_t)r) != r)
            st = hpolab_error_set(err, HPOLAB_ERR_IO,
                                  "%s: cannot write '%s': %s", out, name,
                                  archive_error_string(a));
        left -= r;
    }
    close(fd);
    return st;
}

struct pack {
    struct archive *a;
    const char *skip_dir; /* [borrowed] or NULL */
    const char *out;
    size_t n_files;
};

static int32_t add_tree(struct pack *pk, const char *dir, const char *rel,
                        int depth, struct hpolab_error *err)
{
    struct archive *a = pk->a;
    const char *out = pk->out;
    if (depth > PACK_MAX_DEPTH)
        return hpolab_error_set(err, HPOLAB_ERR_RANGE,
                                "%s: folders nested deeper than %d", dir,
                                PACK_MAX_DEPTH);
    char **names;
    size_t n;
    int32_t st = list_dir(dir, &names, &n, err);
    for (size_t i = 0; st == HPOLAB_OK && i < n; i++) {
        char *path = hpolab_path_join(dir, names[i]);
        char *name = rel ? hpolab_path_join(rel, names[i]) : strdup(names[i]);
        struct stat sb;
        if (!path || !name)
            st = hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
        else if (lstat(path, &sb) != 0)
            st = hpolab_error_set(err, HPOLAB_ERR_IO, "%s: %s", path,
                                  strerror(errno));
        else if (S_ISDIR(sb.st_mode)) {
            if (pk->skip_dir && strcmp(path, pk->skip_dir) == 0) {
                free(path);
                free(name);
                continue;
            }
            st = write_header(a, name, &sb, out, err);
            if (st == HPOLAB_OK)
                st = add_tree(pk, path, name, depth + 1, err);
        } else if (S_ISREG(sb.st_mode)) {
            st = write_file(a, path, name, out, err);
            pk->n_files += st == HPOLAB_OK;
        }
        /* links and special files: skipped (a link could point anywhere) */
        free(path);
        free(name);
    }
    hpolab_free_names(names, n);
    return st;
}

int32_t hpolab_pack_dir_targz(const char *dir, const char *skip_dir,
                              const char *out, size_t *n_files,
                              struct hpolab_error *err)
{
    if (n_files)
        *n_files = 0;
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return hpolab_error_set(err, HPOLAB_ERR_NOT_FOUND,
                                "%s: expected a folder to pack", dir);
    struct archive *a = NULL;
    int32_t st = hpolab_targz_open(out, &a, err);
    if (st != HPOLAB_OK)
        return st;
    struct pack pk = {a, skip_dir, out, 0};
    st = hpolab_targz_finish(a, out, add_tree(&pk, dir, NULL, 0, err), err);
    if (st == HPOLAB_OK && n_files)
        *n_files = pk.n_files;
    return st;
}

int32_t hpolab_targz_open(const char *out, struct archive **a,
                          struct hpolab_error *err)
{
    *a = archive_write_new();
    if (!*a)
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    if (archive_write_add_filter_gzip(*a) != ARCHIVE_OK ||
        archive_write_set_format_pax_restricted(*a) != ARCHIVE_OK ||
        archive_write_open_filename(*a, out) != ARCHIVE_OK) {
        int32_t st =
            hpolab_error_set(err, HPOLAB_ERR_IO, "%s: cannot write: %s", out,
                             archive_error_string(*a));
        return hpolab_targz_finish(*a, out, st, err);
    }
    return HPOLAB_OK;
}

int32_t hpolab_targz_finish(struct archive *a, const char *out, int32_t st,
                            struct hpolab_error *err)
{
    if (archive_write_close(a) != ARCHIVE_OK && st == HPOLAB_OK)
        st = hpolab_error_set(err, HPOLAB_ERR_IO, "%s: cannot write: %s", out,
                              archive_error_string(a));
    archive_write_free(a);
    if (st != HPOLAB_OK)
        unlink(out);
    return st;
}
