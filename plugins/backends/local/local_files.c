/* local_files.c: what the backend keeps in a trial folder: the folder
 * itself, config.json, the copied checkpoint, the stop/pause/end markers of
 * Syne Tune's layout, and the std.err tail for failure messages. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "local_internal.h"

#define COPY_MAX_DEPTH 64
#define TAIL_BYTES 4096
#define TAIL_LINES 20

char *local_path_join(const char *dir, const char *name)
{
    size_t a = strlen(dir), n = strlen(name);
    char *p = malloc(a + n + 2);
    if (!p)
        return NULL;
    memcpy(p, dir, a);
    size_t k = a;
    if (a == 0 || dir[a - 1] != '/')
        p[k++] = '/';
    memcpy(p + k, name, n + 1);
    return p;
}

static int32_t nomem(struct hpolab_ctx *ctx, int64_t id)
{
    return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "trial %lld: out of memory",
                            (long long)id);
}

static int32_t io_error(struct hpolab_ctx *ctx, int64_t id, const char *what,
                        const char *path, int e)
{
    return hpolab_set_error(ctx, HPOLAB_ERR_IO, "trial %lld: cannot %s %s: %s",
                            (long long)id, what, path, strerror(e));
}

int32_t local_mkdirs(struct hpolab_ctx *ctx, int64_t trial_id,
                     const char *path)
{
    char *p = strdup(path);
    if (!p)
        return nomem(ctx, trial_id);
    size_t n = strlen(p);
    while (n > 1 && p[n - 1] == '/')
        p[--n] = '\0';
    /* Usually only the last folder is missing: one mkdir, no walk (file
     * creation is slow on some disks, and this runs once per trial). */
    if (mkdir(p, 0777) == 0) {
        free(p);
        return HPOLAB_OK;
    }
    /* Create every prefix ending before a '/', then the path itself. */
    for (size_t i = 1; i <= n; i++) {
        if (i < n && p[i] != '/')
            continue;
        char saved = p[i];
        p[i] = '\0';
        if (mkdir(p, 0777) != 0) {
            int e = errno;
            struct stat st;
            if (e != EEXIST || stat(p, &st) != 0 || !S_ISDIR(st.st_mode)) {
                int32_t rc = e == EEXIST
                                 ? hpolab_set_error(
                                       ctx, HPOLAB_ERR_IO,
                                       "trial %lld: cannot create %s: a "
                                       "file of that name exists",
                                       (long long)trial_id, p)
                                 : io_error(ctx, trial_id, "create", p, e);
                free(p);
                return rc;
            }
        }
        p[i] = saved;
    }
    free(p);
    return HPOLAB_OK;
}

static int write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, data, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        data += w;
        len -= (size_t)w;
    }
    return 0;
}

int32_t local_write_file(struct hpolab_ctx *ctx, int64_t trial_id,
                         const char *path, const char *text, size_t len)
{
    size_t n = strlen(path);
    char *tmp = malloc(n + 8);
    if (!tmp)
        return nomem(ctx, trial_id);
    snprintf(tmp, n + 8, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) {
        int32_t rc = io_error(ctx, trial_id, "write", tmp, errno);
        free(tmp);
        return rc;
    }
    int e = write_all(fd, text, len) != 0 ? errno : 0;
    if (close(fd) != 0 && !e)
        e = errno;
    if (!e && rename(tmp, path) != 0)
        e = errno;
    if (e) {
        unlink(tmp);
        free(tmp);
        return io_error(ctx, trial_id, "write", path, e);
    }
    free(tmp);
    return HPOLAB_OK;
}

/* ---- checkpoint copy ------------------------------------------------------ */

static int32_t copy_file(struct hpolab_ctx *ctx, int64_t id, const char *src,
                         const char *dst, mode_t mode)
{
    int in = open(src, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (in < 0)
        return io_error(ctx, id, "read", src, errno);
    int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
                   mode & 07777);
    if (out < 0) {
        int e = errno;
        close(in);
        return io_error(ctx, id, "write", dst, e);
    }
    char buf[65536];
    int32_t rc = HPOLAB_OK;
    for (;;) {
        ssize_t r = read(in, buf, sizeof buf);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            rc = io_error(ctx, id, "read", src, errno);
            break;
        }
        if (r == 0)
            break;
        if (write_all(out, buf, (size_t)r) != 0) {
            rc = io_error(ctx, id, "write", dst, errno);
            break;
        }
    }
    close(in);
    if (close(out) != 0 && rc == HPOLAB_OK)
        rc = io_error(ctx, id, "write", dst, errno);
    return rc;
}

static int32_t copy_link(struct hpolab_ctx *ctx, int64_t id, const char *src,
                         const char *dst, off_t size_hint)
{
    size_t cap = size_hint > 0 ? (size_t)size_hint + 1 : 4096;
    char *target = malloc(cap);
    if (!target)
        return nomem(ctx, id);
    ssize_t n = readlink(src, target, cap);
    if (n < 0 || (size_t)n >= cap) {
        int e = n < 0 ? errno : ENAMETOOLONG;
        free(target);
        return io_error(ctx, id, "read the link", src, e);
    }
    target[n] = '\0';
    unlink(dst);
    int32_t rc = HPOLAB_OK;
    if (symlink(target, dst) != 0)
        rc = io_error(ctx, id, "create the link", dst, errno);
    free(target);
    return rc;
}

static int32_t copy_dir(struct hpolab_ctx *ctx, int64_t id, const char *src,
                        const char *dst, int depth)
{
    if (depth > COPY_MAX_DEPTH)
        return hpolab_set_error(ctx, HPOLAB_ERR_IO,
                                "trial %lld: cannot copy %s: folders nested "
                                "deeper than %d levels",
                                (long long)id, src, COPY_MAX_DEPTH);
    int32_t rc = local_mkdirs(ctx, id, dst);
    if (rc != HPOLAB_OK)
        return rc;
    DIR *d = opendir(src);
    if (!d)
        return io_error(ctx, id, "read the folder", src, errno);
    struct dirent *ent;
    errno = 0;
    while (rc == HPOLAB_OK && (ent = readdir(d))) {
        if (strcmp(ent->d_name, ".") == 0 || strcmp(ent->d_name, "..") == 0)
            continue;
        char *s = local_path_join(src, ent->d_name);
        char *t = local_path_join(dst, ent->d_name);
        struct stat st;
        if (!s || !t)
            rc = nomem(ctx, id);
        else if (lstat(s, &st) != 0)
            rc = io_error(ctx, id, "read", s, errno);
        else if (S_ISDIR(st.st_mode))
            rc = copy_dir(ctx, id, s, t, depth + 1);
        else if (S_ISREG(st.st_mode))
            rc = copy_file(ctx, id, s, t, st.st_mode);
        else if (S_ISLNK(st.st_mode))
            rc = copy_link(ctx, id, s, t, st.st_size);
        else
            hpolab_log(ctx, HPOLAB_LOG_WARN,
                       "trial %lld: not copied (not a file, folder or "
                       "link): %s",
                       (long long)id, s);
        free(s);
        free(t);
        errno = 0;
    }
    if (rc == HPOLAB_OK && errno != 0)
        rc = io_error(ctx, id, "read the folder", src, errno);
    closedir(d);
    return rc;
}

int32_t local_copy_tree(struct hpolab_ctx *ctx, int64_t trial_id,
                        const char *src, const char *dst)
{
    struct stat st;
    if (stat(src, &st) != 0)
        return hpolab_set_error(ctx, HPOLAB_ERR_NOT_FOUND,
                                "trial %lld: cannot copy the checkpoint %s: "
                                "%s",
                                (long long)trial_id, src, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return hpolab_set_error(ctx, HPOLAB_ERR_INVALID,
                                "trial %lld: cannot copy the checkpoint %s: "
                                "not a folder",
                                (long long)trial_id, src);
    return copy_dir(ctx, trial_id, src, dst, 0);
}

/* ---- markers -------------------------------------------------------------- */

void local_touch(struct hpolab_ctx *ctx, const char *dir, const char *name)
{
    char *p = local_path_join(dir, name);
    if (!p)
        return;
    int fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0)
        hpolab_log(ctx, HPOLAB_LOG_WARN, "cannot create %s: %s", p,
                   strerror(errno));
    else
        close(fd);
    free(p);
}

void local_unlink(struct hpolab_ctx *ctx, const char *dir, const char *name)
{
    char *p = local_path_join(dir, name);
    if (!p)
        return;
    if (unlink(p) != 0 && errno != ENOENT)
        hpolab_log(ctx, HPOLAB_LOG_WARN, "cannot remove %s: %s", p,
                   strerror(errno));
    free(p);
}

void local_write_end(struct hpolab_ctx *ctx, const char *dir)
{
    char *p = local_path_join(dir, "end");
    if (!p)
        return;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    char text[64];
    int n = snprintf(text, sizeof text, "%.6f",
                     (double)ts.tv_sec + ts.tv_nsec / 1e9);
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0 || write_all(fd, text, (size_t)n) != 0)
        hpolab_log(ctx, HPOLAB_LOG_WARN, "cannot write %s: %s", p,
                   strerror(errno));
    if (fd >= 0)
        close(fd);
    free(p);
}

/* ---- std.err tail --------------------------------------------------------- */

char *local_file_tail(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st;
    if (fstat(fd, &st) != 0 || st.st_size <= 0) {
        close(fd);
        return NULL;
    }
    size_t want = st.st_size > TAIL_BYTES ? TAIL_BYTES : (size_t)st.st_size;
    off_t from = st.st_size - (off_t)want;
    char *buf = malloc(want + 1);
    if (!buf) {
        close(fd);
        return NULL;
    }
    ssize_t got = pread(fd, buf, want, from);
    close(fd);
    if (got <= 0) {
        free(buf);
        return NULL;
    }
    size_t n = (size_t)got;
    size_t start = 0;
    /* A window that starts mid-line drops that partial line. */
    if (from > 0) {
        char *nl = memchr(buf, '\n', n);
        if (nl && (size_t)(nl - buf) + 1 < n)
            start = (size_t)(nl - buf) + 1;
    }
    while (n > start && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        n--;
    size_t lines = 0, i = n;
    while (i > start) {
        if (buf[i - 1] == '\n' && ++lines == TAIL_LINES)
            break;
        i--;
    }
    start = i;
    size_t len = n - start;
    memmove(buf, buf + start, len);
    buf[len] = '\0';
    for (size_t k = 0; k < len; k++) {
        unsigned char c = (unsigned char)buf[k];
        if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
            buf[k] = '?';
    }
    if (len == 0) {
        free(buf);
        return NULL;
    }
    return buf;
}
