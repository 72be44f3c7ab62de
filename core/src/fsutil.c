#include "fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int hpolab_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Create one directory; an existing directory is fine. */
static int32_t mkdir_one(const char *dir, const char *full,
                         struct hpolab_error *err)
{
    struct stat st;
    if (stat(dir, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return HPOLAB_OK;
        return hpolab_error_set(err, HPOLAB_ERR_EXISTS,
                                "cannot create folder '%s': '%s' exists and "
                                "is not a folder",
                                full, dir);
    }
    if (mkdir(dir, 0777) == 0)
        return HPOLAB_OK;
    int e = errno;
    /* another process may have created it meanwhile */
    if (e == EEXIST && hpolab_is_dir(dir))
        return HPOLAB_OK;
    return hpolab_error_set(err, HPOLAB_ERR_IO, "cannot create folder '%s': %s",
                            dir, strerror(e));
}

int32_t hpolab_mkdir_p(const char *path, struct hpolab_error *err)
{
    if (!path || !path[0])
        return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                "cannot create folder: empty path");
    char *copy = strdup(path);
    if (!copy)
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    int32_t st = HPOLAB_OK;
    for (char *p = copy + 1; *p && st == HPOLAB_OK; p++) {
        if (*p != '/' || p[-1] == '/')
            continue;
        *p = '\0';
        st = mkdir_one(copy, path, err);
        *p = '/';
    }
    if (st == HPOLAB_OK)
        st = mkdir_one(copy, path, err);
    free(copy);
    return st;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int32_t hpolab_dir_names(DIR *d, int (*keep)(const char *name, void *ctx),
                         void *ctx, char ***out, size_t *n,
                         struct hpolab_error *err)
{
    char **names = NULL;
    size_t count = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (keep && !keep(e->d_name, ctx))
            continue;
        if (count == cap) {
            size_t nc = cap ? cap * 2 : 16;
            char **g = realloc(names, nc * sizeof *g);
            if (!g)
                break;
            names = g;
            cap = nc;
        }
        if (!(names[count] = strdup(e->d_name)))
            break;
        count++;
    }
    if (e) { /* stopped early: out of memory */
        hpolab_free_names(names, count);
        *out = NULL;
        *n = 0;
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    }
    if (count > 1)
        qsort(names, count, sizeof *names, cmp_names);
    *out = names;
    *n = count;
    return HPOLAB_OK;
}

void hpolab_free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* off < 0: at the file position */
static int write_all_at(int fd, const void *data, size_t len, int64_t off)
{
    const char *p = data;
    while (len > 0) {
        ssize_t n =
            off < 0 ? write(fd, p, len) : pwrite(fd, p, len, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0)
                errno = EIO;
            return -1;
        }
        p += n;
        len -= (size_t)n;
        if (off >= 0)
            off += n;
    }
    return 0;
}

int hpolab_write_all(int fd, const void *data, size_t len)
{
    return write_all_at(fd, data, len, -1);
}

int hpolab_pwrite_all(int fd, const void *data, size_t len, uint64_t off)
{
    return write_all_at(fd, data, len, (int64_t)off);
}

/* Make the rename durable; some file systems cannot fsync a folder, which
 * is harmless, so failures are ignored. */
static void fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

static atomic_ulong temp_counter;

int32_t hpolab_write_file_atomic(const char *path, const void *data,
                                 size_t len, struct hpolab_error *err)
{
    if (!path || !path[0])
        return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                "cannot write a file: empty path");
    const char *slash = strrchr(path, '/');
    size_t dir_len = slash ? (size_t)(slash - path) : 0;
    const char *base = slash ? slash + 1 : path;
    if (!base[0])
        return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                "cannot write '%s': the path names a folder",
                                path);
    /* the folder alone, "/" for files in the root, "." for relative names */
    char *dir = slash ? strndup(path, dir_len ? dir_len : 1) : strdup(".");
    size_t tmp_size = strlen(path) + 64;
    char *tmp = malloc(tmp_size);
    if (!dir || !tmp) {
        free(dir);
        free(tmp);
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    }
    int fd = -1;
    int e = 0;
    const char *step = "creating a temporary file";
    /* a hidden name, so readers globbing the folder never pick it up */
    for (int attempt = 0; attempt < 100 && fd < 0; attempt++) {
        snprintf(tmp, tmp_size, "%.*s%s.%s.tmp-%ld-%lu", (int)dir_len, path,
                 slash ? "/" : "", base, (long)getpid(),
                 (unsigned long)atomic_fetch_add(&temp_counter, 1));
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    if (fd < 0) {
        e = errno;
        goto fail_nofile;
    }
    step = "writing";
    if (hpolab_write_all(fd, data, len) != 0) {
        e = errno;
        goto fail;
    }
    step = "syncing";
    if (fsync(fd) != 0 && errno != EINVAL) {
        e = errno;
        goto fail;
    }
    step = "closing";
    int rc = close(fd);
    fd = -1;
    if (rc != 0) {
        e = errno;
        goto fail;
    }
    step = "renaming the temporary file";
    if (rename(tmp, path) != 0) {
        e = errno;
        goto fail;
    }
    fsync_dir(dir);
    free(dir);
    free(tmp);
    return HPOLAB_OK;

fail:
    if (fd >= 0)
        close(fd);
    unlink(tmp);
fail_nofile:
    free(dir);
    free(tmp);
    return hpolab_error_set(err, HPOLAB_ERR_IO,
                            "cannot write '%s': %s (while %s; the previous "
                            "file, if any, is unchanged)",
                            path, strerror(e), step);
}

int32_t hpolab_read_file(const char *path, char **out, size_t *out_len,
                         struct hpolab_error *err)
{
    *out = NULL;
    if (out_len)
        *out_len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        return hpolab_error_set(err,
                                e == ENOENT ? HPOLAB_ERR_NOT_FOUND
                                            : HPOLAB_ERR_IO,
                                "cannot read '%s': %s", path, strerror(e));
    }
    struct stat st;
    size_t cap = 4096;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
        cap = (size_t)st.st_size + 1;
    char *buf = malloc(cap);
    size_t len = 0;
    int e = 0;
    while (buf) {
        if (len + 1 >= cap) {
            char *grown = realloc(buf, cap * 2);
            if (!grown) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = grown;
            cap *= 2;
        }
        ssize_t n = read(fd, buf + len, cap - len - 1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            e = errno;
            break;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    close(fd);
    if (!buf)
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM,
                                "cannot read '%s': out of memory", path);
    if (e) {
        free(buf);
        return hpolab_error_set(err, HPOLAB_ERR_IO, "cannot read '%s': %s",
                                path, strerror(e));
    }
    buf[len] = '\0';
    *out = buf;
    if (out_len)
        *out_len = len;
    return HPOLAB_OK;
}

char *hpolab_path_join(const char *a, const char *b)
{
    if (!a || !a[0] || b[0] == '/')
        return strdup(b);
    size_t la = strlen(a);
    int sep = a[la - 1] != '/';
    size_t lb = strlen(b);
    char *out = malloc(la + (size_t)sep + lb + 1);
    if (!out)
        return NULL;
    memcpy(out, a, la);
    if (sep)
        out[la] = '/';
    memcpy(out + la + (size_t)sep, b, lb + 1);
    return out;
}

int32_t hpolab_check_writable_dir(const char *path, struct hpolab_error *err)
{
    int32_t st = hpolab_mkdir_p(path, err);
    if (st != HPOLAB_OK)
        return st;
    char name[96];
    snprintf(name, sizeof name, ".hpolab-write-probe-%ld-%lu", (long)getpid(),
             (unsigned long)atomic_fetch_add(&temp_counter, 1));
    char *probe = hpolab_path_join(path, name);
    if (!probe)
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    int fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0) {
        int e = errno;
        free(probe);
        return hpolab_error_set(err, HPOLAB_ERR_IO,
                                "folder '%s' is not writable: %s", path,
                                strerror(e));
    }
    close(fd);
    unlink(probe);
    free(probe);
    return HPOLAB_OK;
}

/* Home folder of user (NULL: the current user), [owned: free]; NULL if
 * unknown. */
static char *home_of(const char *user)
{
    long size = sysconf(_SC_GETPW_R_SIZE_MAX);
    if (size <= 0)
        size = 16384;
    char *buf = malloc((size_t)size);
    if (!buf)
        return NULL;
    struct passwd pw, *res = NULL;
    if (user)
        getpwnam_r(user, &pw, buf, (size_t)size, &res);
    else
        getpwuid_r(getuid(), &pw, buf, (size_t)size, &res);
    char *home = res && res->pw_dir ? strdup(res->pw_dir) : NULL;
    free(buf);
    return home;
}

char *hpolab_expand_user(const char *path)
{
    if (path[0] != '~')
        return strdup(path);
    const char *rest = strchr(path, '/');
    if (!rest)
        rest = path + strlen(path);
    char *home;
    if (rest == path + 1) {
        const char *env = getenv("HOME");
        home = env ? strdup(env) : home_of(NULL);
    } else {
        char *user = strndup(path + 1, (size_t)(rest - path - 1));
        if (!user)
            return NULL;
        home = home_of(user);
        free(user);
    }
    if (!home)
        return strdup(path);
    /* as Python: drop the home's trailing slashes, "/" if nothing is left */
    size_t hl = strlen(home);
    while (hl > 0 && home[hl - 1] == '/')
        hl--;
    size_t rl = strlen(rest);
    char *out = malloc(hl + rl + 2);
    if (out) {
        memcpy(out, home, hl);
        memcpy(out + hl, rest, rl + 1);
        if (out[0] == '\0')
            strcpy(out, "/");
    }
    free(home);
    return out;
}
