#include "results_zip.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zip.h>

#include "fsutil.h"
#include "results_csv.h"

/* A member list larger than this is not a results file; guards the reader
 * against archives that would expand to absurd sizes. */
/* A results CSV of 40 000 rows of 100 columns is well under 100 MB. */
#define MAX_MEMBER_BYTES ((zip_uint64_t)1 << 30)
/* The first allocation for a member: its declared size is not trusted (a
 * damaged 700-byte archive may claim 4 GB), memory grows with what is
 * actually read. */
#define FIRST_CHUNK_BYTES ((zip_uint64_t)1 << 20)

static int32_t zip_member_at(const char *member_name, const char *csv,
                             size_t len, int64_t mtime, void **out,
                             size_t *out_len, struct hpolab_error *err)
{
    *out = NULL;
    *out_len = 0;
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *mem = zip_source_buffer_create(NULL, 0, 0, &ze);
    zip_t *za = mem ? zip_open_from_source(mem, ZIP_TRUNCATE, &ze) : NULL;
    if (!za) {
        int32_t st = hpolab_error_set(err, HPOLAB_ERR_IO,
                                      "cannot create a zip archive: %s",
                                      zip_error_strerror(&ze));
        zip_source_free(mem);
        zip_error_fini(&ze);
        return st;
    }
    zip_error_fini(&ze);
    /* the archive bytes stay in mem after zip_close */
    zip_source_keep(mem);
    zip_source_t *member = zip_source_buffer(za, csv, len, 0);
    zip_int64_t idx = member ? zip_file_add(za, member_name, member,
                                            ZIP_FL_ENC_UTF_8)
                             : -1;
    if (idx < 0)
        zip_source_free(member);
    if (idx < 0 ||
        zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_DEFLATE, 0) !=
            0 ||
        (mtime >= 0 &&
         zip_file_set_mtime(za, (zip_uint64_t)idx, (time_t)mtime, 0) != 0) ||
        zip_close(za) != 0) {
        int32_t st = hpolab_error_set(err, HPOLAB_ERR_IO,
                                      "cannot create a zip archive: %s",
                                      zip_strerror(za));
        zip_discard(za);
        zip_source_free(mem);
        return st;
    }
    zip_stat_t zs;
    void *data = NULL;
    int32_t st = HPOLAB_OK;
    if (zip_source_open(mem) != 0 || zip_source_stat(mem, &zs) != 0 ||
        !(zs.valid & ZIP_STAT_SIZE)) {
        st = hpolab_error_set(err, HPOLAB_ERR_IO,
                              "cannot read back the zip archive: %s",
                              zip_error_strerror(zip_source_error(mem)));
    } else {
        data = malloc(zs.size ? zs.size : 1);
        if (!data)
            st = hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
        else if (zip_source_read(mem, data, zs.size) != (zip_int64_t)zs.size)
            st = hpolab_error_set(err, HPOLAB_ERR_IO,
                                  "cannot read back the zip archive: %s",
                                  zip_error_strerror(zip_source_error(mem)));
        zip_source_close(mem);
    }
    zip_source_free(mem);
    if (st != HPOLAB_OK) {
        free(data);
        return st;
    }
    *out = data;
    *out_len = (size_t)zs.size;
    return HPOLAB_OK;
}

int32_t hpolab_zip_single_member(const char *member_name, const char *csv,
                                 size_t len, void **out, size_t *out_len,
                                 struct hpolab_error *err)
{
    return zip_member_at(member_name, csv, len, -1, out, out_len, err);
}

int32_t hpolab_zip_single_member_at(const char *member_name, const char *csv,
                                    size_t len, int64_t mtime, void **out,
                                    size_t *out_len, struct hpolab_error *err)
{
    return zip_member_at(member_name, csv, len, mtime, out, out_len, err);
}

int32_t hpolab_results_write(const struct hpolab_results *r, const char *dir,
                             struct hpolab_error *err)
{
    return hpolab_results_write_at(r, dir, -1, err);
}

/* The member's data for libzip: the table's CSV, streamed. */
struct csv_source {
    const struct hpolab_results *r;
    struct hpolab_csv_stream stream;
    int open;
    uint64_t size;
    time_t mtime;
    zip_error_t ze;
    struct hpolab_error err; /* why a read failed, if it did */
};

/* Answers stat as zip_source_buffer does (size, stored, unencrypted,
 * mtime), so libzip writes the same bytes as for the whole CSV in memory. */
static zip_int64_t csv_source_cb(void *user, void *data, zip_uint64_t len,
                                 zip_source_cmd_t cmd)
{
    struct csv_source *c = user;
    switch (cmd) {
    case ZIP_SOURCE_OPEN:
        if (c->open)
            hpolab_csv_stream_close(&c->stream);
        c->open = 0;
        if (hpolab_csv_stream_open(&c->stream, c->r, &c->err) != HPOLAB_OK) {
            zip_error_set(&c->ze, ZIP_ER_MEMORY, 0);
            return -1;
        }
        c->open = 1;
        return 0;
    case ZIP_SOURCE_READ: {
        size_t got = 0;
        if (hpolab_csv_stream_read(&c->stream, data, (size_t)len, &got,
                                   &c->err) != HPOLAB_OK) {
            zip_error_set(&c->ze, ZIP_ER_READ, EIO);
            return -1;
        }
        return (zip_int64_t)got;
    }
    case ZIP_SOURCE_CLOSE:
    case ZIP_SOURCE_FREE:
        if (c->open)
            hpolab_csv_stream_close(&c->stream);
        c->open = 0;
        return 0;
    case ZIP_SOURCE_STAT: {
        zip_stat_t *zs = ZIP_SOURCE_GET_ARGS(zip_stat_t, data, len, &c->ze);
        if (!zs)
            return -1;
        zip_stat_init(zs);
        zs->mtime = c->mtime;
        zs->size = c->size;
        zs->comp_size = c->size;
        zs->comp_method = ZIP_CM_STORE;
        zs->encryption_method = ZIP_EM_NONE;
        zs->valid = ZIP_STAT_MTIME | ZIP_STAT_SIZE | ZIP_STAT_COMP_SIZE |
                    ZIP_STAT_COMP_METHOD | ZIP_STAT_ENCRYPTION_METHOD;
        return sizeof *zs;
    }
    case ZIP_SOURCE_ERROR: return zip_error_to_data(&c->ze, data, len);
    case ZIP_SOURCE_SUPPORTS:
        return zip_source_make_command_bitmap(
            ZIP_SOURCE_OPEN, ZIP_SOURCE_READ, ZIP_SOURCE_CLOSE,
            ZIP_SOURCE_STAT, ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE, -1);
    default: zip_error_set(&c->ze, ZIP_ER_OPNOTSUPP, 0); return -1;
    }
}

static atomic_ulong temp_counter;

/* Write the archive of c's table to the new file tmp (libzip writes it
 * through its own temp file and renames it to tmp). */
static int32_t zip_to_file(struct csv_source *c, const char *tmp,
                           int64_t mtime, struct hpolab_error *err)
{
    int zerr = 0;
    zip_t *za = zip_open(tmp, ZIP_CREATE | ZIP_EXCL, &zerr);
    if (!za) {
        zip_error_t ze;
        zip_error_init_with_code(&ze, zerr);
        int32_t st = hpolab_error_set(err, HPOLAB_ERR_IO, "%s",
                                      zip_error_strerror(&ze));
        zip_error_fini(&ze);
        return st;
    }
    zip_source_t *src = zip_source_function(za, csv_source_cb, c);
    zip_int64_t idx = src ? zip_file_add(za, HPOLAB_RESULTS_CSV, src,
                                         ZIP_FL_ENC_UTF_8)
                          : -1;
    if (idx < 0)
        zip_source_free(src);
    if (idx >= 0 &&
        zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_DEFLATE, 0) ==
            0 &&
        (mtime < 0 ||
         zip_file_set_mtime(za, (zip_uint64_t)idx, (time_t)mtime, 0) == 0) &&
        zip_close(za) == 0)
        return HPOLAB_OK;
    int32_t st;
    if (c->err.status != HPOLAB_OK) /* our own read failed: say why */
        st = hpolab_error_set(err, c->err.status, "%s", c->err.message);
    else
        st = hpolab_error_set(err, HPOLAB_ERR_IO, "%s", zip_strerror(za));
    zip_discard(za);
    return st;
}

/* Make tmp's data durable, then put it in path's place. */
static int32_t commit_file(const char *tmp, const char *path,
                           const char *dir, const char **step)
{
    *step = "syncing";
    int fd = open(tmp, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    if (fsync(fd) != 0 && errno != EINVAL) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    close(fd);
    *step = "renaming the temporary file";
    if (rename(tmp, path) != 0)
        return -1;
    /* durable rename; folders that cannot be synced are harmless */
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    return 0;
}

/* The archive streams from the table (its rows from a writer table's spool)
 * through libzip into a temp file beside the target: memory stays
 * O(longest row), not O(file). */
int32_t hpolab_results_write_at(const struct hpolab_results *r,
                                const char *dir, int64_t mtime,
                                struct hpolab_error *err)
{
    struct csv_source c = {.r = r, .mtime = time(NULL), .err = {0}};
    zip_error_init(&c.ze);
    char *path = hpolab_path_join(dir, HPOLAB_RESULTS_ZIP);
    size_t tmp_size = strlen(dir) + sizeof HPOLAB_RESULTS_ZIP + 64;
    char *tmp = malloc(tmp_size);
    int32_t st = path && tmp ? HPOLAB_OK
                             : hpolab_error_set(err, HPOLAB_ERR_NOMEM,
                                                "out of memory");
    if (st == HPOLAB_OK) {
        /* the size libzip is told up front */
        st = hpolab_csv_stream_open(&c.stream, r, err);
        c.size = c.stream.size;
        hpolab_csv_stream_close(&c.stream);
    }
    if (st == HPOLAB_OK) {
        /* hidden, so readers globbing the folder never pick it up */
        snprintf(tmp, tmp_size, "%s/." HPOLAB_RESULTS_ZIP ".tmp-%ld-%lu",
                 dir, (long)getpid(),
                 (unsigned long)atomic_fetch_add(&temp_counter, 1));
        st = zip_to_file(&c, tmp, mtime, err);
        if (st != HPOLAB_OK)
            hpolab_error_prefix(err,
                                "cannot write '%s' (while writing the "
                                "archive; the previous file, if any, is "
                                "unchanged)",
                                path);
    }
    if (st == HPOLAB_OK) {
        const char *step = "";
        if (commit_file(tmp, path, dir, &step) != 0) {
            int e = errno;
            st = hpolab_error_set(err, HPOLAB_ERR_IO,
                                  "cannot write '%s': %s (while %s; the "
                                  "previous file, if any, is unchanged)",
                                  path, strerror(e), step);
        }
    }
    if (st != HPOLAB_OK && tmp)
        unlink(tmp);
    if (c.open)
        hpolab_csv_stream_close(&c.stream);
    zip_error_fini(&c.ze);
    free(tmp);
    free(path);
    return st;
}

/* Python's zipfile on macOS adds resource-fork entries; pandas skips them. */
static int is_macos_extra(const char *name)
{
    return strncmp(name, "__MACOSX/", 9) == 0;
}

/* The single member of the zip archive data[0..len) as text, [owned: free]. */
/* Reads exactly size bytes of zf into *out (NUL-terminated) [owned: free],
 * growing the buffer with the data actually read. */
static int32_t read_member(zip_file_t *zf, zip_uint64_t size,
                           const char *path, const char *name, char **out,
                           struct hpolab_error *err)
{
    zip_uint64_t cap = size < FIRST_CHUNK_BYTES ? size : FIRST_CHUNK_BYTES;
    zip_uint64_t len = 0;
    char *buf = malloc((size_t)cap + 1);
    if (!buf)
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    while (len < size) {
        if (len == cap) {
            zip_uint64_t ncap = 2 * cap < size ? 2 * cap : size;
            char *nb = realloc(buf, (size_t)ncap + 1);
            if (!nb) {
                free(buf);
                return hpolab_error_set(err, HPOLAB_ERR_NOMEM,
                                        "out of memory");
            }
            buf = nb;
            cap = ncap;
        }
        zip_int64_t got = zip_fread(zf, buf + len, cap - len);
        if (got <= 0) {
            free(buf);
            return hpolab_error_set(err, HPOLAB_ERR_PARSE,
                                    "%s: cannot read member '%s': %s", path,
                                    name,
                                    got < 0 ? zip_file_strerror(zf)
                                            : "archive is truncated");
        }
        len += (zip_uint64_t)got;
    }
    buf[len] = '\0';
    *out = buf;
    return HPOLAB_OK;
}

static int32_t unzip_single(const char *path, const char *data, size_t len,
                            char **out, size_t *out_len,
                            struct hpolab_error *err)
{
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(data, len, 0, &ze);
    zip_t *za = src ? zip_open_from_source(src, ZIP_RDONLY, &ze) : NULL;
    if (!za) {
        int32_t st = hpolab_error_set(err, HPOLAB_ERR_PARSE,
                                      "%s: not a readable zip archive: %s",
                                      path, zip_error_strerror(&ze));
        zip_source_free(src);
        zip_error_fini(&ze);
        return st;
    }
    zip_error_fini(&ze);
    zip_int64_t n = zip_get_num_entries(za, 0);
    zip_int64_t found = -1, members = 0;
    for (zip_int64_t i = 0; i < n; i++) {
        const char *name = zip_get_name(za, (zip_uint64_t)i, 0);
        if (name && !is_macos_extra(name)) {
            members++;
            found = i;
        }
    }
    int32_t st = HPOLAB_OK;
    zip_stat_t zs;
    if (members != 1) {
        st = hpolab_error_set(err, HPOLAB_ERR_PARSE,
                              "%s: expected a zip archive with exactly one "
                              "member (the results CSV), found %lld",
                              path, (long long)members);
    } else if (zip_stat_index(za, (zip_uint64_t)found, 0, &zs) != 0 ||
               !(zs.valid & ZIP_STAT_SIZE)) {
        st = hpolab_error_set(err, HPOLAB_ERR_PARSE, "%s: %s", path,
                              zip_strerror(za));
    } else if (zs.size >= MAX_MEMBER_BYTES) {
        st = hpolab_error_set(err, HPOLAB_ERR_RANGE,
                              "%s: member '%s' is %llu bytes, too large for "
                              "a results file",
                              path, zs.name, (unsigned long long)zs.size);
    }
    char *text = NULL;
    if (st == HPOLAB_OK) {
        zip_file_t *zf = zip_fopen_index(za, (zip_uint64_t)found, 0);
        if (!zf)
            st = hpolab_error_set(err, HPOLAB_ERR_PARSE,
                                  "%s: cannot open member '%s': %s", path,
                                  zs.name, zip_strerror(za));
        else
            st = read_member(zf, zs.size, path, zs.name, &text, err);
        if (zf)
            zip_fclose(zf);
    }
    zip_discard(za);
    if (st != HPOLAB_OK) {
        free(text);
        return st;
    }
    *out = text;
    *out_len = (size_t)zs.size;
    return HPOLAB_OK;
}

static int is_zip(const char *data, size_t len)
{
    return len >= 4 && data[0] == 'P' && data[1] == 'K' &&
           ((data[2] == 3 && data[3] == 4) || (data[2] == 5 && data[3] == 6));
}

/* The CSV text of a results file (unzipped if it is an archive). */
static int32_t results_text(const char *path, char **out, size_t *out_len,
                            struct hpolab_error *err)
{
    char *data;
    size_t len;
    int32_t st = hpolab_read_file(path, &data, &len, err);
    if (st != HPOLAB_OK)
        return st;
    if (is_zip(data, len)) {
        char *csv = NULL;
        size_t csv_len = 0;
        st = unzip_single(path, data, len, &csv, &csv_len, err);
        free(data);
        if (st != HPOLAB_OK)
            return st;
        data = csv;
        len = csv_len;
    }
    *out = data;
    *out_len = len;
    return HPOLAB_OK;
}

int32_t hpolab_results_scan(const char *dir, const char *const *columns,
                            size_t ncolumns, unsigned char *found,
                            hpolab_csv_row_fn fn, void *user,
                            struct hpolab_error *err)
{
    static const char *const names[] = {HPOLAB_RESULTS_ZIP, HPOLAB_RESULTS_CSV};
    for (size_t i = 0; i < 2; i++) {
        char *path = hpolab_path_join(dir, names[i]);
        if (!path)
            return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
        char *text = NULL;
        size_t len = 0;
        int32_t st = results_text(path, &text, &len, err);
        if (st == HPOLAB_OK) {
            st = hpolab_results_scan_csv(text, len, path, columns, ncolumns,
                                         found, fn, user, err);
            free(text);
        }
        free(path);
        if (st != HPOLAB_ERR_NOT_FOUND)
            return st;
    }
    return hpolab_error_set(err, HPOLAB_ERR_NOT_FOUND,
                            "no results in '%s': neither %s nor %s exists",
                            dir, HPOLAB_RESULTS_ZIP, HPOLAB_RESULTS_CSV);
}

static int32_t read_results_file(const char *path, struct hpolab_results **out,
                                 struct hpolab_error *err)
{
    char *data;
    size_t len;
    int32_t st = results_text(path, &data, &len, err);
    if (st != HPOLAB_OK)
        return st;
    st = hpolab_results_from_csv(data, len, path, out, err);
    free(data);
    return st;
}

int32_t hpolab_results_read(const char *dir_or_file,
                            struct hpolab_results **out,
                            struct hpolab_error *err)
{
    *out = NULL;
    if (!hpolab_is_dir(dir_or_file))
        return read_results_file(dir_or_file, out, err);
    static const char *const names[] = {HPOLAB_RESULTS_ZIP, HPOLAB_RESULTS_CSV};
    for (size_t i = 0; i < 2; i++) {
        char *path = hpolab_path_join(dir_or_file, names[i]);
        if (!path)
            return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
        int32_t st = read_results_file(path, out, err);
        free(path);
        if (st != HPOLAB_ERR_NOT_FOUND)
            return st;
    }
    return hpolab_error_set(err, HPOLAB_ERR_NOT_FOUND,
                            "no results in '%s': neither %s nor %s exists",
                            dir_or_file, HPOLAB_RESULTS_ZIP,
                            HPOLAB_RESULTS_CSV);
}
