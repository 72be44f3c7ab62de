/* local_output.c: a trial's stdout, read live from its pipe. Every byte is
 * appended to <trial_dir>/std.out (also after a stop, so the file is the
 * whole story); complete lines go to host->emit_line while the run is not
 * stopped. A line is buffered only while it is unfinished, and at most
 * LOCAL_MAX_LINE bytes of it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "local_internal.h"

#define READ_CHUNK 65536
/* Reads per descriptor and poll round unless draining: keeps one chatty
 * trial from starving the others. */
#define FAIR_READS 4

void local_linebuf_free(struct local_linebuf *lb)
{
    free(lb->data);
    lb->data = NULL;
    lb->len = lb->cap = 0;
    lb->discarding = 0;
}

static void emit(struct local_backend *b, struct hpolab_ctx *ctx,
                 struct local_run *run, const char *line, size_t len)
{
    if (run->stopped)
        return;
    local_note_emit(b, hpolab_host->emit_line(ctx, run->trial_id, line,
                                              (uint64_t)len));
}

static void warn_long(struct hpolab_ctx *ctx, const struct local_run *run)
{
    hpolab_log(ctx, HPOLAB_LOG_WARN,
               "trial %lld: a line of %s/std.out is longer than %d bytes; "
               "only its first %d bytes are read for reports",
               (long long)run->trial_id, run->trial_dir, LOCAL_MAX_LINE,
               LOCAL_MAX_LINE);
}

/* Append to the unfinished line; at the limit, emit what fits and discard
 * the rest of the line. */
static void buffer_part(struct local_backend *b, struct hpolab_ctx *ctx,
                        struct local_run *run, const char *data, size_t n)
{
    struct local_linebuf *lb = &run->line;
    if (lb->discarding || run->stopped)
        return;
    size_t room = LOCAL_MAX_LINE - lb->len;
    size_t take = n < room ? n : room;
    if (lb->len + take > lb->cap) {
        size_t cap = lb->cap ? lb->cap : 256;
        while (cap < lb->len + take)
            cap *= 2;
        if (cap > LOCAL_MAX_LINE)
            cap = LOCAL_MAX_LINE;
        char *d = realloc(lb->data, cap);
        if (!d) {
            hpolab_log(ctx, HPOLAB_LOG_ERROR,
                       "trial %lld: out of memory buffering a std.out line; "
                       "the line is dropped",
                       (long long)run->trial_id);
            lb->len = 0;
            lb->discarding = 1;
            return;
        }
        lb->data = d;
        lb->cap = cap;
    }
    memcpy(lb->data + lb->len, data, take);
    lb->len += take;
    if (take < n) {
        warn_long(ctx, run);
        emit(b, ctx, run, lb->data, lb->len);
        lb->len = 0;
        lb->discarding = 1;
    }
}

/* A newline ends the unfinished line (after its part in data). */
static void end_line(struct local_backend *b, struct hpolab_ctx *ctx,
                     struct local_run *run, const char *part, size_t n)
{
    struct local_linebuf *lb = &run->line;
    if (lb->discarding) {
        lb->discarding = 0;
    } else if (lb->len == 0) {
        if (n > LOCAL_MAX_LINE) {
            warn_long(ctx, run);
            n = LOCAL_MAX_LINE;
        }
        emit(b, ctx, run, part, n); /* the common case: no copy */
    } else {
        buffer_part(b, ctx, run, part, n);
        if (!lb->discarding)
            emit(b, ctx, run, lb->data, lb->len);
        lb->discarding = 0;
    }
    lb->len = 0;
    /* Give back memory of an exceptionally long line. */
    if (lb->cap > 65536) {
        free(lb->data);
        lb->data = NULL;
        lb->cap = 0;
    }
}

static void split(struct local_backend *b, struct hpolab_ctx *ctx,
                  struct local_run *run, const char *data, size_t n)
{
    while (n > 0) {
        const char *nl = memchr(data, '\n', n);
        if (!nl) {
            buffer_part(b, ctx, run, data, n);
            return;
        }
        size_t k = (size_t)(nl - data);
        end_line(b, ctx, run, data, k);
        data += k + 1;
        n -= k + 1;
    }
}

static void tee(struct hpolab_ctx *ctx, struct local_run *run,
                const char *data, size_t n)
{
    while (n > 0 && !run->tee_failed) {
        ssize_t w = write(run->tee_fd, data, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            run->tee_failed = 1;
            hpolab_log(ctx, HPOLAB_LOG_ERROR,
                       "trial %lld: cannot write %s/std.out: %s; its lines "
                       "are still read",
                       (long long)run->trial_id, run->trial_dir,
                       w < 0 ? strerror(errno) : "nothing written");
            return;
        }
        data += w;
        n -= (size_t)w;
    }
}

void local_output_flush(struct local_backend *b, struct hpolab_ctx *ctx,
                        struct local_run *run)
{
    struct local_linebuf *lb = &run->line;
    if (lb->len > 0 && !lb->discarding)
        emit(b, ctx, run, lb->data, lb->len);
    lb->len = 0;
    lb->discarding = 0;
}

void local_output_read(struct local_backend *b, struct hpolab_ctx *ctx,
                       struct local_run *run, int drain)
{
    char buf[READ_CHUNK];
    for (int i = 0; run->out_fd >= 0 && (drain || i < FAIR_READS); i++) {
        ssize_t r = read(run->out_fd, buf, sizeof buf);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (r <= 0) {
            /* EOF (or a broken pipe): the last line may lack its newline */
            close(run->out_fd);
            run->out_fd = -1;
            local_output_flush(b, ctx, run);
            return;
        }
        tee(ctx, run, buf, (size_t)r);
        split(b, ctx, run, buf, (size_t)r);
    }
}
