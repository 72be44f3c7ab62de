#include "results_zip.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
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

int32_t hpolab_results_write(const struct hpolab_results *r, const char *dir,
                             struct hpolab_error *err)
{
    return hpolab_results_write_at(r, dir, -1, err);
}

int32_t hpolab_results_write_at(const struct hpolab_results *r,
                                const char *dir, int64_t mtime,
                                struct hpolab_error *err)
{
    char *csv = NULL;
    size_t csv_len = 0;
    void *zip = NULL;
    size_t zip_len = 0;
    int32_t st = hpolab_results_to_csv(r, &csv, &csv_len, err);
    if (st == HPOLAB_OK)
        st = zip_member_at(HPOLAB_RESULTS_CSV, csv, csv_len, mtime, &zip,
                           &zip_len, err);
    free(csv);
    if (st != HPOLAB_OK)
        return hpolab_error_prefix(err, "cannot write '%s/%s'", dir,
                                   HPOLAB_RESULTS_ZIP);
    char *path = hpolab_path_join(dir, HPOLAB_RESULTS_ZIP);
    if (path) /* its messages name the path */
        st = hpolab_write_file_atomic(path, zip, zip_len, err);
    else
        st = hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    free(zip);
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
