#include "results_table.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buffer.h"
#include "fsutil.h"
#include "results_csv.h"

/* One allocation per row: long runs append tens of thousands of rows, and
 * malloc's per-block overhead on many small blocks costs more memory than
 * the rows themselves. */
struct results_row {
    struct hpolab_record rec; /* empty in a writer table */
    size_t csv_len;
    size_t ncols;
    char csv[];     /* cells of the first ncols columns joined by ',', NUL */
};

/* A writer table's rows are consecutive in the spool, so 4 bytes a row
 * locate them (10 000 trials make 30 000 rows): each row's length, the
 * offset of every SPOOL_BLOCK-th row, and the rows at which the column count
 * grew (columns are only ever added). */
#define SPOOL_BLOCK 64

struct ncols_change {
    size_t row;     /* first row with */
    uint32_t ncols; /* this many columns */
};

struct hpolab_results {
    struct results_row **rows; /* owned, each owned: rows never move */
    size_t nrows, rows_cap;
    /* a writer table's rows instead (see SPOOL_BLOCK), each owned */
    uint32_t *slen;  /* rows_cap */
    uint64_t *sbase; /* rows_cap / SPOOL_BLOCK */
    struct ncols_change *changes;
    size_t nchanges, changes_cap;
    char **cols; /* owned names */
    size_t ncols, cols_cap;
    uint32_t *slots; /* open addressing: column index + 1, 0 = empty */
    size_t nslots;   /* power of two, > 2 * ncols */
    const struct hpolab_value **scratch; /* cells of the row being appended */
    size_t scratch_cap;
    struct hpolab_buffer line; /* the CSV text of the row being appended */
    int writer;                /* rows kept as CSV text only, spooled */
    char *spool_dir;           /* owned; writer only */
    int spool_fd;              /* -1 until the first append */
    uint64_t spool_end;        /* bytes of the rows appended so far */
};

static atomic_ulong spool_counter;

/* An unnamed file in dir: it disappears with the process whatever happens.
 * Without O_TMPFILE support, a hidden name removed at once does the same. */
static int open_spool(const char *dir)
{
#ifdef O_TMPFILE
    int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL))
        return fd;
#endif
    size_t size = strlen(dir) + 64;
    char *path = malloc(size);
    if (!path) {
        errno = ENOMEM;
        return -1;
    }
    int fd2 = -1;
    for (int attempt = 0; attempt < 100 && fd2 < 0; attempt++) {
        snprintf(path, size, "%s/.results-rows-%ld-%lu", dir, (long)getpid(),
                 (unsigned long)atomic_fetch_add(&spool_counter, 1));
        fd2 = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd2 < 0 && errno != EEXIST)
            break;
    }
    if (fd2 >= 0)
        unlink(path);
    int e = errno;
    free(path);
    errno = e;
    return fd2;
}

static uint64_t hash_name(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

static int64_t lookup(const struct hpolab_results *r, const char *name)
{
    if (!r->nslots)
        return -1;
    size_t mask = r->nslots - 1;
    for (size_t i = (size_t)hash_name(name) & mask;; i = (i + 1) & mask) {
        uint32_t s = r->slots[i];
        if (!s)
            return -1;
        if (strcmp(r->cols[s - 1], name) == 0)
            return (int64_t)s - 1;
    }
}

static void insert_slot(uint32_t *slots, size_t nslots, const char *name,
                        uint32_t value)
{
    size_t mask = nslots - 1;
    size_t i = (size_t)hash_name(name) & mask;
    while (slots[i])
        i = (i + 1) & mask;
    slots[i] = value;
}

/* Rebuild the hash for the first ncols columns with at least nslots slots. */
static int rehash(struct hpolab_results *r, size_t nslots)
{
    uint32_t *slots = calloc(nslots, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < r->ncols; i++)
        insert_slot(slots, nslots, r->cols[i], (uint32_t)(i + 1));
    free(r->slots);
    r->slots = slots;
    r->nslots = nslots;
    return 0;
}

static int32_t add_column(struct hpolab_results *r, const char *name)
{
    if (r->ncols >= UINT32_MAX - 1)
        return HPOLAB_ERR_RANGE;
    if (r->ncols == r->cols_cap) {
        size_t cap = r->cols_cap ? r->cols_cap * 2 : 16;
        char **cols = realloc(r->cols, cap * sizeof *cols);
        if (!cols)
            return HPOLAB_ERR_NOMEM;
        r->cols = cols;
        r->cols_cap = cap;
    }
    if (2 * (r->ncols + 1) >= r->nslots &&
        rehash(r, r->nslots ? r->nslots * 2 : 64) != 0)
        return HPOLAB_ERR_NOMEM;
    char *dup = strdup(name);
    if (!dup)
        return HPOLAB_ERR_NOMEM;
    r->cols[r->ncols++] = dup;
    insert_slot(r->slots, r->nslots, dup, (uint32_t)r->ncols);
    return HPOLAB_OK;
}

/* Undo columns added by a failed append. */
static void drop_columns_from(struct hpolab_results *r, size_t ncols)
{
    if (r->ncols == ncols)
        return;
    while (r->ncols > ncols)
        free(r->cols[--r->ncols]);
    memset(r->slots, 0, r->nslots * sizeof *r->slots);
    for (size_t i = 0; i < r->ncols; i++)
        insert_slot(r->slots, r->nslots, r->cols[i], (uint32_t)(i + 1));
}

int32_t hpolab_results_create(struct hpolab_results **out,
                              struct hpolab_error *err)
{
    *out = calloc(1, sizeof **out);
    if (!*out)
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    hpolab_buffer_init(&(*out)->line);
    (*out)->spool_fd = -1;
    return HPOLAB_OK;
}

int32_t hpolab_results_create_writer(const char *spool_dir,
                                     struct hpolab_results **out,
                                     struct hpolab_error *err)
{
    *out = NULL;
    int32_t st = hpolab_results_create(out, err);
    if (st != HPOLAB_OK)
        return st;
    (*out)->writer = 1;
    (*out)->spool_dir = spool_dir ? strdup(spool_dir) : NULL;
    if (spool_dir && !(*out)->spool_dir) {
        hpolab_results_free(*out);
        *out = NULL;
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    }
    return HPOLAB_OK;
}

void hpolab_results_free(struct hpolab_results *r)
{
    if (!r)
        return;
    for (size_t i = 0; r->rows && i < r->nrows; i++) {
        hpolab_record_free(&r->rows[i]->rec);
        free(r->rows[i]);
    }
    hpolab_buffer_free(&r->line);
    free(r->rows);
    free(r->slen);
    free(r->sbase);
    free(r->changes);
    free(r->spool_dir);
    if (r->spool_fd >= 0)
        close(r->spool_fd);
    for (size_t i = 0; i < r->ncols; i++)
        free(r->cols[i]);
    free(r->cols);
    free(r->slots);
    free(r->scratch);
    free(r);
}

int32_t hpolab_results_add_column(struct hpolab_results *r, const char *name,
                                  struct hpolab_error *err)
{
    if (lookup(r, name) >= 0)
        return HPOLAB_OK;
    int32_t st = add_column(r, name);
    if (st != HPOLAB_OK)
        return hpolab_error_set(err, st, "results table: cannot add column "
                                         "'%s': %s",
                                name, hpolab_status_text(st));
    return HPOLAB_OK;
}

/* Format row's cells in column order into r->line (NUL-terminated). */
static int32_t format_row(struct hpolab_results *r,
                          const struct hpolab_record *row)
{
    if (r->scratch_cap < r->ncols) {
        size_t cap = r->scratch_cap ? r->scratch_cap : 16;
        while (cap < r->ncols)
            cap *= 2;
        const struct hpolab_value **s = realloc(r->scratch, cap * sizeof *s);
        if (!s)
            return HPOLAB_ERR_NOMEM;
        r->scratch = s;
        r->scratch_cap = cap;
    }
    memset(r->scratch, 0, r->ncols * sizeof *r->scratch);
    for (uint32_t i = 0; i < row->count; i++)
        r->scratch[lookup(r, row->entries[i].name)] = &row->entries[i].value;
    struct hpolab_buffer *buf = &r->line;
    buf->len = 0;
    int32_t st = HPOLAB_OK;
    for (size_t j = 0; j < r->ncols && st == HPOLAB_OK; j++) {
        if (j)
            st = hpolab_buffer_append(buf, ",", 1);
        if (st == HPOLAB_OK && r->scratch[j])
            st = hpolab_csv_append_value(buf, r->scratch[j]);
    }
    if (st == HPOLAB_OK)
        st = hpolab_buffer_append(buf, "", 1);
    return st;
}

/* Room for one more row in whichever array the table uses. */
static int32_t grow_rows(struct hpolab_results *r)
{
    if (r->nrows < r->rows_cap)
        return HPOLAB_OK;
    size_t cap = r->rows_cap ? r->rows_cap * 2 : 64;
    if (r->writer) {
        uint32_t *len = realloc(r->slen, cap * sizeof *len);
        if (!len)
            return HPOLAB_ERR_NOMEM;
        r->slen = len;
        uint64_t *base = realloc(r->sbase, cap / SPOOL_BLOCK * sizeof *base);
        if (!base)
            return HPOLAB_ERR_NOMEM;
        r->sbase = base;
    } else {
        struct results_row **rows = realloc(r->rows, cap * sizeof *rows);
        if (!rows)
            return HPOLAB_ERR_NOMEM;
        r->rows = rows;
    }
    r->rows_cap = cap;
    return HPOLAB_OK;
}

/* The formatted row (r->line) goes to the end of the spool. A failed write
 * leaves spool_end as it was, so the next row overwrites the partial one. */
static int32_t spool_row(struct hpolab_results *r, struct hpolab_error *err)
{
    size_t len = r->line.len - 1;
    if (len > UINT32_MAX)
        return hpolab_error_set(err, HPOLAB_ERR_RANGE,
                                "results table: row %zu is %zu bytes of CSV, "
                                "more than 4 GiB",
                                r->nrows, len);
    if (r->spool_fd < 0 && !r->spool_dir)
        return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                "results table: row %zu: this table was "
                                "created without a folder for its rows",
                                r->nrows);
    if (r->spool_fd < 0) {
        r->spool_fd = open_spool(r->spool_dir);
        if (r->spool_fd < 0)
            return hpolab_error_set(err, HPOLAB_ERR_IO,
                                    "results table: cannot create the row "
                                    "spool file in '%s': %s",
                                    r->spool_dir, strerror(errno));
    }
    if (r->nchanges == r->changes_cap) {
        size_t cap = r->changes_cap ? 2 * r->changes_cap : 8;
        struct ncols_change *c = realloc(r->changes, cap * sizeof *c);
        if (!c)
            return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
        r->changes = c;
        r->changes_cap = cap;
    }
    if (hpolab_pwrite_all(r->spool_fd, r->line.data, len, r->spool_end) != 0)
        return hpolab_error_set(err, HPOLAB_ERR_IO,
                                "results table: cannot append row %zu to the "
                                "row spool file in '%s': %s",
                                r->nrows, r->spool_dir, strerror(errno));
    r->slen[r->nrows] = (uint32_t)len;
    if (r->nrows % SPOOL_BLOCK == 0)
        r->sbase[r->nrows / SPOOL_BLOCK] = r->spool_end;
    if (!r->nchanges || r->changes[r->nchanges - 1].ncols != r->ncols)
        r->changes[r->nchanges++] =
            (struct ncols_change){r->nrows, (uint32_t)r->ncols};
    r->spool_end += len;
    r->nrows++;
    return HPOLAB_OK;
}

int32_t hpolab_results_append(struct hpolab_results *r,
                              const struct hpolab_record *row,
                              struct hpolab_error *err)
{
    size_t old_ncols = r->ncols;
    int32_t st = HPOLAB_OK;
    for (uint32_t i = 0; i < row->count && st == HPOLAB_OK; i++)
        if (lookup(r, row->entries[i].name) < 0)
            st = add_column(r, row->entries[i].name);
    if (st == HPOLAB_OK)
        st = grow_rows(r);
    if (st == HPOLAB_OK)
        st = format_row(r, row);
    if (st == HPOLAB_OK && r->writer) {
        st = spool_row(r, err);
        if (st != HPOLAB_OK)
            drop_columns_from(r, old_ncols);
        return st;
    }
    struct results_row *nr = NULL;
    if (st == HPOLAB_OK) {
        nr = malloc(sizeof *nr + r->line.len);
        if (!nr)
            st = HPOLAB_ERR_NOMEM;
    }
    if (st == HPOLAB_OK) {
        memcpy(nr->csv, r->line.data, r->line.len);
        nr->csv_len = r->line.len - 1;
        hpolab_record_init(&nr->rec);
        st = hpolab_record_copy(&nr->rec, row);
    }
    if (st != HPOLAB_OK) {
        if (nr)
            hpolab_record_free(&nr->rec);
        free(nr);
        drop_columns_from(r, old_ncols);
        return hpolab_error_set(err, st, "results table: cannot append row "
                                         "%zu: %s",
                                r->nrows, hpolab_status_text(st));
    }
    nr->ncols = r->ncols;
    r->rows[r->nrows++] = nr;
    return HPOLAB_OK;
}

size_t hpolab_results_row_count(const struct hpolab_results *r)
{
    return r->nrows;
}

const struct hpolab_record *hpolab_results_row(const struct hpolab_results *r,
                                               size_t i)
{
    return i < r->nrows && !r->writer ? &r->rows[i]->rec : NULL;
}

size_t hpolab_results_column_count(const struct hpolab_results *r)
{
    return r->ncols;
}

const char *hpolab_results_column(const struct hpolab_results *r, size_t i)
{
    return i < r->ncols ? r->cols[i] : NULL;
}

int64_t hpolab_results_column_index(const struct hpolab_results *r,
                                    const char *name)
{
    return lookup(r, name);
}

/* A writer table's row i: its column count and spool offset. */
static size_t spool_ncols(const struct hpolab_results *r, size_t i)
{
    size_t lo = 0, hi = r->nchanges; /* the last change at or before i */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->changes[mid].row <= i)
            lo = mid;
        else
            hi = mid;
    }
    return r->changes[lo].ncols;
}

static uint64_t spool_offset(const struct hpolab_results *r, size_t i)
{
    uint64_t off = r->sbase[i / SPOOL_BLOCK];
    for (size_t j = i - i % SPOOL_BLOCK; j < i; j++)
        off += r->slen[j];
    return off;
}

void hpolab_results_row_shape(const struct hpolab_results *r, size_t i,
                              size_t *len, size_t *ncols)
{
    if (r->writer) {
        *len = r->slen[i];
        *ncols = spool_ncols(r, i);
    } else {
        *len = r->rows[i]->csv_len;
        *ncols = r->rows[i]->ncols;
    }
}

void hpolab_results_window_free(struct hpolab_results_window *w)
{
    free(w->buf);
    *w = (struct hpolab_results_window){0};
}

/* Fill w from spool offset off with at least need bytes. */
static int32_t fill_window(const struct hpolab_results *r,
                           struct hpolab_results_window *w, uint64_t off,
                           size_t need, struct hpolab_error *err)
{
    size_t want = need > HPOLAB_RESULTS_WINDOW ? need : HPOLAB_RESULTS_WINDOW;
    if (w->cap < want) {
        char *buf = realloc(w->buf, want);
        if (!buf)
            return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
        w->buf = buf;
        w->cap = want;
    }
    w->start = off;
    w->len = 0;
    while (w->len < need) {
        ssize_t n = pread(r->spool_fd, w->buf + w->len, w->cap - w->len,
                          (off_t)(off + w->len));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return hpolab_error_set(err, HPOLAB_ERR_IO,
                                    "results table: cannot read the row "
                                    "spool file in '%s': %s",
                                    r->spool_dir,
                                    n < 0 ? strerror(errno)
                                          : "it is shorter than its rows");
        w->len += (size_t)n;
    }
    return HPOLAB_OK;
}

int32_t hpolab_results_row_cells(const struct hpolab_results *r, size_t i,
                                 struct hpolab_results_window *w,
                                 const char **cells,
                                 struct hpolab_error *err)
{
    if (!r->writer) {
        *cells = r->rows[i]->csv;
        return HPOLAB_OK;
    }
    size_t len = r->slen[i];
    if (len == 0) {
        *cells = "";
        return HPOLAB_OK;
    }
    uint64_t off = spool_offset(r, i);
    if (off < w->start || off + len > w->start + w->len) {
        int32_t st = fill_window(r, w, off, len, err);
        if (st != HPOLAB_OK)
            return st;
    }
    *cells = w->buf + (off - w->start);
    return HPOLAB_OK;
}
