/* hpolab/reporter.h: everything a C (or C++) training script needs to talk
 * to hpolab or Syne Tune — report metrics, read "--name value" arguments and
 * keep a checkpoint. Header-only: copy it next to your script or add
 * sdk/include to the include path; it needs libc and libm (-lm), nothing of
 * hpolab. Compiles as C99 or later and as C++11 or later.
 *
 *   #include <hpolab/reporter.h>      (first, if you compile with -std=c99)
 *
 *   int main(int argc, char **argv)
 *   {
 *       static struct hpolab_reporter r;
 *       hpolab_reporter_init(&r);
 *       double lr = hpolab_arg_double(argc, argv, "lr", 0.01);
 *       long epochs = hpolab_arg_int(argc, argv, "epochs", 10);
 *       for (long e = 1; e <= epochs; e++) {
 *           double loss = train_one_epoch(lr);
 *           if (HPOLAB_REPORT(&r, hpolab_kv_int("epoch", e),
 *                             hpolab_kv_double("val_loss", loss)) != 0)
 *               return 1;
 *       }
 *       return 0;
 *   }
 *
 * Each report is one line on stdout, flushed at once, exactly as Syne Tune's
 * Reporter writes it:
 *
 *   [tune-metric]: {"epoch": 1, "val_loss": 6.12, "st_worker_timestamp": 1700000123.456, "st_worker_time": 41.7, "st_worker_iter": 0}
 *
 * The user's keys come first, in call order, then st_worker_timestamp (Unix
 * time, seconds), st_worker_time (seconds on a monotonic clock since
 * hpolab_reporter_init) and st_worker_iter (0, 1, 2, ... — always counted:
 * Syne Tune's reporter leaves it uninitialised with add_time=False). The JSON
 * is byte for byte what Python's json.dumps writes: ", " and ": " separators,
 * floats in shortest round-trip form ("0.1", "1e-05", "2.0"), NaN, Infinity
 * and -Infinity as bare tokens, non-ASCII text as \uXXXX escapes.
 *
 * Where Syne Tune's reporter raises an exception and kills the script, these
 * functions return an error code (HPOLAB_REPORT_E*; text from
 * hpolab_report_strerror) and print nothing: a key starting with "st_" (the
 * reserved namespace), a NULL key or string, a key used twice, text that is
 * not UTF-8, a line of 50 000 bytes or more. The counter only advances when a
 * line was written.
 *
 * Only the argument helpers that return a value directly (hpolab_arg_double,
 * hpolab_arg_int, hpolab_arg_bool) ever exit: given a malformed value, they
 * print "<prog>: --<name>: expected ..., got '<text>'" to stderr and exit with
 * status 2, as Python's argparse does. Use hpolab_arg_get_* to handle that
 * yourself.
 *
 * Not thread-safe: use one reporter per thread, or a lock around reports.
 * Numbers are parsed and printed with strtod and printf: keep the C locale
 * (do not call setlocale with a locale that uses a decimal comma). */
#ifndef HPOLAB_REPORTER_H
#define HPOLAB_REPORTER_H

/* Strict ISO modes (-std=c99) hide clock_gettime and friends; ask for POSIX
 * if nothing else was asked for. Without it (another header came first) the
 * clocks fall back to C11 timespec_get or to time(), with whole seconds. */
#if defined(__STRICT_ANSI__) && !defined(_POSIX_C_SOURCE) &&               \
    !defined(_XOPEN_SOURCE) && !defined(_GNU_SOURCE) &&                    \
    !defined(_DEFAULT_SOURCE) && !defined(_BSD_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#ifdef __cplusplus
#include <initializer_list>
#endif

/* ---- status codes ------------------------------------------------------ */

#define HPOLAB_REPORT_OK 0
#define HPOLAB_REPORT_ERESERVED 1  /* a key starts with "st_" */
#define HPOLAB_REPORT_EKEY 2       /* a key is NULL, empty or not UTF-8 */
#define HPOLAB_REPORT_EDUPLICATE 3 /* a key appears twice in one report */
#define HPOLAB_REPORT_EVALUE 4     /* a value is NULL, not UTF-8, malformed */
#define HPOLAB_REPORT_ETOOLONG 5   /* the line (or a buffer) is too long */
#define HPOLAB_REPORT_ESTATE 6     /* add/end without begin */
#define HPOLAB_REPORT_EIO 7        /* writing or reading a file failed */
#define HPOLAB_REPORT_ENOENT 8     /* no such argument, no checkpoint */
#define HPOLAB_REPORT_EPARSE 9     /* a checkpoint file is not ours */

/* A report line, "[tune-metric]: {...}\n", is shorter than this (Syne Tune's
 * limit on the JSON text). */
#define HPOLAB_REPORT_LINE_MAX 50000
/* Keys in one report (for the duplicate check). */
#define HPOLAB_REPORT_MAX_KEYS 512
/* Room for any double formatted by hpolab_format_double, with the '\0'. */
#define HPOLAB_DOUBLE_BUFSIZE 32
#define HPOLAB_REPORT_TAG "[tune-metric]: "
#define HPOLAB_CHECKPOINT_FILE "checkpoint.json"

/* The text of a status code (a static string). */
static inline const char *hpolab_report_strerror(int status)
{
    switch (status) {
    case HPOLAB_REPORT_OK: return "success";
    case HPOLAB_REPORT_ERESERVED:
        return "keys starting with 'st_' are reserved for the reporter";
    case HPOLAB_REPORT_EKEY: return "a key must be a non-empty UTF-8 string";
    case HPOLAB_REPORT_EDUPLICATE: return "a key appears twice in one report";
    case HPOLAB_REPORT_EVALUE: return "a value is NULL, not UTF-8 or malformed";
    case HPOLAB_REPORT_ETOOLONG:
        return "a report line must be shorter than 50000 bytes";
    case HPOLAB_REPORT_ESTATE:
        return "hpolab_report_begin was not called for this report";
    case HPOLAB_REPORT_EIO: return "a read or write failed";
    case HPOLAB_REPORT_ENOENT: return "not found";
    case HPOLAB_REPORT_EPARSE: return "not a checkpoint file written by hpolab";
    default: return "unknown status";
    }
}

/* ---- numbers as Python prints them -------------------------------------- */

/* x as Python's json.dumps writes a float: the shortest text that reads back
 * as x, fixed notation for exponents -4..15 ("0.0001", "2.0", "1e+16",
 * "1e-05"), NaN, Infinity, -Infinity. Returns buf. */
static inline char *hpolab_format_double(double x,
                                         char buf[HPOLAB_DOUBLE_BUFSIZE])
{
    char tmp[40], digits[20];
    char *out = buf;
    const char *p;
    int prec, n = 0, decpt, exp10, i;

    if (isnan(x)) {
        strcpy(buf, "NaN");
        return buf;
    }
    if (isinf(x)) {
        strcpy(buf, x > 0 ? "Infinity" : "-Infinity");
        return buf;
    }
    if (signbit(x)) {
        *out++ = '-';
        x = -x;
    }
    if (x == 0.0) {
        strcpy(out, "0.0");
        return buf;
    }
    /* The fewest significant digits whose correctly rounded text reads
     * back as x. The digits are picked out of "%e" output, so the decimal
     * point character of the locale does not matter here. */
    for (prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*e", prec - 1, x);
        if (strtod(tmp, NULL) == x)
            break;
    }
    if (prec > 17)
        snprintf(tmp, sizeof tmp, "%.16e", x);
    for (p = tmp; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9')
            digits[n++] = *p;
    while (n > 1 && digits[n - 1] == '0')
        n--;
    digits[n] = '\0';
    exp10 = atoi(p + 1);
    decpt = exp10 + 1;
    if (exp10 < -4 || exp10 >= 16) {
        *out++ = digits[0];
        if (n > 1) {
            *out++ = '.';
            memcpy(out, digits + 1, (size_t)(n - 1));
            out += n - 1;
        }
        int a = exp10 < 0 ? -exp10 : exp10; /* at most 324 */
        *out++ = 'e';
        *out++ = exp10 < 0 ? '-' : '+';
        if (a >= 100)
            *out++ = (char)('0' + a / 100);
        *out++ = (char)('0' + a / 10 % 10);
        *out++ = (char)('0' + a % 10);
        *out = '\0';
    } else if (decpt <= 0) {
        *out++ = '0';
        *out++ = '.';
        for (i = 0; i < -decpt; i++)
            *out++ = '0';
        memcpy(out, digits, (size_t)n);
        out[n] = '\0';
    } else if (decpt >= n) {
        memcpy(out, digits, (size_t)n);
        out += n;
        for (i = n; i < decpt; i++)
            *out++ = '0';
        strcpy(out, ".0");
    } else {
        memcpy(out, digits, (size_t)decpt);
        out += decpt;
        *out++ = '.';
        memcpy(out, digits + decpt, (size_t)(n - decpt));
        out[n - decpt] = '\0';
    }
    return buf;
}

/* ---- clocks -------------------------------------------------------------- */

/* Seconds on a clock that never jumps (for st_worker_time). */
static inline double hpolab_monotonic_seconds(void)
{
#if defined(CLOCK_MONOTONIC)
    {
        struct timespec ts;
        if (clock_gettime(CLOCK_MONOTONIC, &ts) == 0)
            return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
    }
#endif
#if defined(TIME_UTC)
    {
        struct timespec ts;
        if (timespec_get(&ts, TIME_UTC) == TIME_UTC)
            return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
    }
#endif
    return (double)time(NULL);
}

/* Unix time in seconds (for st_worker_timestamp). */
static inline double hpolab_wallclock_seconds(void)
{
#if defined(CLOCK_REALTIME)
    {
        struct timespec ts;
        if (clock_gettime(CLOCK_REALTIME, &ts) == 0)
            return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
    }
#endif
#if defined(TIME_UTC)
    {
        struct timespec ts;
        if (timespec_get(&ts, TIME_UTC) == TIME_UTC)
            return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
    }
#endif
    return (double)time(NULL);
}

/* ---- the reporter -------------------------------------------------------- */

/* One per script. Big (about 55 kB, the line is built in place and nothing
 * is allocated), so make it static or global rather than a local of a
 * thread with a small stack. Fields are private except out. */
struct hpolab_reporter {
    FILE *out;         /* where lines go; stdout after init */
    long long iter;    /* st_worker_iter of the next line */
    double start;      /* hpolab_monotonic_seconds() at init */
    int open;          /* between begin and end */
    int status;        /* first error of the open report */
    size_t len;        /* bytes in line */
    size_t nkeys;      /* keys in the open report */
    size_t key_at[HPOLAB_REPORT_MAX_KEYS]; /* offset of each key's quote */
    size_t key_len[HPOLAB_REPORT_MAX_KEYS]; /* length of each quoted key */
    char line[HPOLAB_REPORT_LINE_MAX];
};

/* Starts the clock of st_worker_time and the counter st_worker_iter. */
static inline void hpolab_reporter_init(struct hpolab_reporter *r)
{
    r->out = stdout;
    r->iter = 0;
    r->start = hpolab_monotonic_seconds();
    r->open = 0;
    r->status = HPOLAB_REPORT_OK;
    r->len = 0;
    r->nkeys = 0;
    r->line[0] = '\0';
}

static inline void hpolab_report_put_(struct hpolab_reporter *r,
                                      const char *s, size_t n)
{
    if (r->status != HPOLAB_REPORT_OK)
        return;
    /* room for the text, the newline and the '\0' */
    if (r->len + n + 2 > HPOLAB_REPORT_LINE_MAX) {
        r->status = HPOLAB_REPORT_ETOOLONG;
        return;
    }
    memcpy(r->line + r->len, s, n);
    r->len += n;
    r->line[r->len] = '\0';
}

static inline void hpolab_report_puts_(struct hpolab_reporter *r,
                                       const char *s)
{
    hpolab_report_put_(r, s, strlen(s));
}

/* The code point of the UTF-8 sequence at s (advancing *len bytes), or -1
 * for a byte sequence that is not UTF-8 (overlong, surrogate, > U+10FFFF,
 * truncated). */
static inline long hpolab_utf8_decode_(const unsigned char *s, size_t *len)
{
    long cp;
    size_t n, i;
    if (s[0] < 0x80) {
        *len = 1;
        return s[0];
    }
    if (s[0] >= 0xC2 && s[0] <= 0xDF) {
        n = 2;
        cp = s[0] & 0x1F;
    } else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        n = 3;
        cp = s[0] & 0x0F;
    } else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        n = 4;
        cp = s[0] & 0x07;
    } else {
        return -1;
    }
    for (i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return -1;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return -1;
    *len = n;
    return cp;
}

/* "\\u" and 4 lowercase hex digits of v, as Python writes them. */
static inline void hpolab_hex4_(char out[7], long v)
{
    static const char hex[] = "0123456789abcdef";
    out[0] = '\\';
    out[1] = 'u';
    out[2] = hex[(v >> 12) & 15];
    out[3] = hex[(v >> 8) & 15];
    out[4] = hex[(v >> 4) & 15];
    out[5] = hex[v & 15];
    out[6] = '\0';
}

/* s as a JSON string the way Python's json.dumps (ensure_ascii) writes it.
 * Returns 0, or -1 if s is not UTF-8 (nothing is appended then). */
static inline int hpolab_report_json_string_(struct hpolab_reporter *r,
                                             const char *s)
{
    const unsigned char *p;
    size_t n = 1;
    char esc[16];
    for (p = (const unsigned char *)s; *p; p += n)
        if (hpolab_utf8_decode_(p, &n) < 0)
            return -1;
    hpolab_report_put_(r, "\"", 1);
    for (p = (const unsigned char *)s; *p; p += n) {
        long cp = hpolab_utf8_decode_(p, &n);
        if (cp >= 0x20 && cp < 0x7F && cp != '"' && cp != '\\') {
            hpolab_report_put_(r, (const char *)p, 1);
            continue;
        }
        switch (cp) {
        case '"': strcpy(esc, "\\\""); break;
        case '\\': strcpy(esc, "\\\\"); break;
        case '\n': strcpy(esc, "\\n"); break;
        case '\r': strcpy(esc, "\\r"); break;
        case '\t': strcpy(esc, "\\t"); break;
        case '\b': strcpy(esc, "\\b"); break;
        case '\f': strcpy(esc, "\\f"); break;
        default:
            if (cp >= 0x10000) { /* a UTF-16 surrogate pair */
                long v = cp - 0x10000;
                hpolab_hex4_(esc, 0xD800 + (v >> 10));
                hpolab_hex4_(esc + 6, 0xDC00 + (v & 0x3FF));
            } else {
                hpolab_hex4_(esc, cp);
            }
        }
        hpolab_report_puts_(r, esc);
    }
    hpolab_report_put_(r, "\"", 1);
    return 0;
}

/* Starts a report, discarding one that was begun and not ended. */
static inline void hpolab_report_begin(struct hpolab_reporter *r)
{
    r->open = 1;
    r->status = HPOLAB_REPORT_OK;
    r->len = 0;
    r->nkeys = 0;
    hpolab_report_puts_(r, HPOLAB_REPORT_TAG "{");
}

/* Checks key and appends '"key": ' (after ", " unless it is the first).
 * Returns the report's status. */
static inline int hpolab_report_key_(struct hpolab_reporter *r,
                                     const char *key)
{
    size_t at, i;
    if (!r->open)
        return HPOLAB_REPORT_ESTATE;
    if (r->status != HPOLAB_REPORT_OK)
        return r->status;
    if (!key || !*key) {
        r->status = HPOLAB_REPORT_EKEY;
        return r->status;
    }
    if (strncmp(key, "st_", 3) == 0) {
        r->status = HPOLAB_REPORT_ERESERVED;
        return r->status;
    }
    if (r->nkeys == HPOLAB_REPORT_MAX_KEYS) {
        r->status = HPOLAB_REPORT_ETOOLONG;
        return r->status;
    }
    if (r->nkeys > 0)
        hpolab_report_put_(r, ", ", 2);
    at = r->len;
    if (hpolab_report_json_string_(r, key) != 0) {
        if (r->status == HPOLAB_REPORT_OK)
            r->status = HPOLAB_REPORT_EKEY;
        return r->status;
    }
    if (r->status != HPOLAB_REPORT_OK)
        return r->status;
    /* Equal keys have equal escaped forms: compare those. */
    for (i = 0; i < r->nkeys; i++)
        if (r->key_len[i] == r->len - at &&
            memcmp(r->line + r->key_at[i], r->line + at, r->len - at) == 0) {
            r->status = HPOLAB_REPORT_EDUPLICATE;
            return r->status;
        }
    r->key_at[r->nkeys] = at;
    r->key_len[r->nkeys] = r->len - at;
    r->nkeys++;
    hpolab_report_put_(r, ": ", 2);
    return r->status;
}

/* Add one "key": value to the open report. Each returns the report's status
 * so far; errors stick, and hpolab_report_end returns the first one. */
static inline int hpolab_report_int(struct hpolab_reporter *r,
                                    const char *key, long long value)
{
    char num[32];
    if (hpolab_report_key_(r, key) != HPOLAB_REPORT_OK)
        return r->open ? r->status : HPOLAB_REPORT_ESTATE;
    snprintf(num, sizeof num, "%lld", value);
    hpolab_report_puts_(r, num);
    return r->status;
}

static inline int hpolab_report_double(struct hpolab_reporter *r,
                                       const char *key, double value)
{
    char num[HPOLAB_DOUBLE_BUFSIZE];
    if (hpolab_report_key_(r, key) != HPOLAB_REPORT_OK)
        return r->open ? r->status : HPOLAB_REPORT_ESTATE;
    hpolab_report_puts_(r, hpolab_format_double(value, num));
    return r->status;
}

static inline int hpolab_report_bool(struct hpolab_reporter *r,
                                     const char *key, int value)
{
    if (hpolab_report_key_(r, key) != HPOLAB_REPORT_OK)
        return r->open ? r->status : HPOLAB_REPORT_ESTATE;
    hpolab_report_puts_(r, value ? "true" : "false");
    return r->status;
}

/* value: UTF-8 text; NULL is refused like Syne Tune refuses None. */
static inline int hpolab_report_string(struct hpolab_reporter *r,
                                       const char *key, const char *value)
{
    if (hpolab_report_key_(r, key) != HPOLAB_REPORT_OK)
        return r->open ? r->status : HPOLAB_REPORT_ESTATE;
    if (!value || hpolab_report_json_string_(r, value) != 0) {
        if (r->status == HPOLAB_REPORT_OK)
            r->status = HPOLAB_REPORT_EVALUE;
    }
    return r->status;
}

/* Adds the st_worker_* fields, writes the line and flushes it, advances
 * st_worker_iter. On an error nothing is written and the counter stays. The
 * report is closed either way. */
static inline int hpolab_report_end(struct hpolab_reporter *r)
{
    char num[HPOLAB_DOUBLE_BUFSIZE];
    char iter[32];
    double wall, mono;
    int status;
    if (!r->open)
        return HPOLAB_REPORT_ESTATE;
    r->open = 0;
    if (r->status != HPOLAB_REPORT_OK)
        return r->status;
    wall = hpolab_wallclock_seconds();
    mono = hpolab_monotonic_seconds() - r->start;
    if (r->nkeys > 0)
        hpolab_report_put_(r, ", ", 2);
    hpolab_report_puts_(r, "\"st_worker_timestamp\": ");
    hpolab_report_puts_(r, hpolab_format_double(wall, num));
    hpolab_report_puts_(r, ", \"st_worker_time\": ");
    hpolab_report_puts_(r, hpolab_format_double(mono, num));
    snprintf(iter, sizeof iter, ", \"st_worker_iter\": %lld}\n", r->iter);
    hpolab_report_puts_(r, iter);
    status = r->status;
    if (status != HPOLAB_REPORT_OK)
        return status;
    if (fwrite(r->line, 1, r->len, r->out) != r->len || fflush(r->out) != 0)
        return HPOLAB_REPORT_EIO;
    r->iter++;
    return HPOLAB_REPORT_OK;
}

/* ---- one call per report ------------------------------------------------- */

#define HPOLAB_REPORT_TYPE_END 0
#define HPOLAB_REPORT_TYPE_INT 1
#define HPOLAB_REPORT_TYPE_DOUBLE 2
#define HPOLAB_REPORT_TYPE_STRING 3
#define HPOLAB_REPORT_TYPE_BOOL 4

/* One "key": value of a report; make them with hpolab_kv_*. */
struct hpolab_report_item {
    const char *key;
    int type;
    long long i;
    double d;
    const char *s;
};

static inline struct hpolab_report_item hpolab_kv_(const char *key, int type)
{
    struct hpolab_report_item it;
    it.key = key;
    it.type = type;
    it.i = 0;
    it.d = 0.0;
    it.s = NULL;
    return it;
}

static inline struct hpolab_report_item hpolab_kv_int(const char *key,
                                                      long long value)
{
    struct hpolab_report_item it = hpolab_kv_(key, HPOLAB_REPORT_TYPE_INT);
    it.i = value;
    return it;
}

static inline struct hpolab_report_item hpolab_kv_double(const char *key,
                                                         double value)
{
    struct hpolab_report_item it =
        hpolab_kv_(key, HPOLAB_REPORT_TYPE_DOUBLE);
    it.d = value;
    return it;
}

static inline struct hpolab_report_item hpolab_kv_string(const char *key,
                                                         const char *value)
{
    struct hpolab_report_item it =
        hpolab_kv_(key, HPOLAB_REPORT_TYPE_STRING);
    it.s = value;
    return it;
}

static inline struct hpolab_report_item hpolab_kv_bool(const char *key,
                                                       int value)
{
    struct hpolab_report_item it = hpolab_kv_(key, HPOLAB_REPORT_TYPE_BOOL);
    it.i = value != 0;
    return it;
}

static inline struct hpolab_report_item hpolab_kv_end(void)
{
    return hpolab_kv_(NULL, HPOLAB_REPORT_TYPE_END);
}

/* Reports items[0..] up to the hpolab_kv_end() item: begin, add, end. */
static inline int hpolab_report_items(struct hpolab_reporter *r,
                                      const struct hpolab_report_item *items)
{
    const struct hpolab_report_item *it;
    hpolab_report_begin(r);
    for (it = items; it->type != HPOLAB_REPORT_TYPE_END; it++) {
        switch (it->type) {
        case HPOLAB_REPORT_TYPE_INT: hpolab_report_int(r, it->key, it->i); break;
        case HPOLAB_REPORT_TYPE_DOUBLE:
            hpolab_report_double(r, it->key, it->d);
            break;
        case HPOLAB_REPORT_TYPE_STRING:
            hpolab_report_string(r, it->key, it->s);
            break;
        case HPOLAB_REPORT_TYPE_BOOL:
            hpolab_report_bool(r, it->key, (int)it->i);
            break;
        default:
            if (r->status == HPOLAB_REPORT_OK)
                r->status = HPOLAB_REPORT_EVALUE;
        }
    }
    return hpolab_report_end(r);
}

/* HPOLAB_REPORT(&r, hpolab_kv_int("epoch", e), hpolab_kv_double("loss", x))
 * writes one line and returns its status. Every argument after the reporter
 * must be an hpolab_kv_* item: anything else does not compile. */
#ifdef __cplusplus
#define HPOLAB_REPORT(r, ...)                                                \
    hpolab_report_items((r), std::initializer_list<hpolab_report_item>{     \
                                 __VA_ARGS__, hpolab_kv_end()}               \
                                 .begin())
#else
#define HPOLAB_REPORT(r, ...)                                                \
    hpolab_report_items((r), (const struct hpolab_report_item[]){           \
                                 __VA_ARGS__, hpolab_kv_end()})
#endif

/* ---- "--name value" arguments -------------------------------------------- */

/* The text after the last "--name" (the next argument) or "--name=" in
 * argv[1..argc-1], as argparse takes the last occurrence; arguments after
 * "--" are not options. Returns HPOLAB_REPORT_OK and sets *text (pointing
 * into argv), HPOLAB_REPORT_ENOENT when the option is absent, or
 * HPOLAB_REPORT_EVALUE when "--name" is the last argument (no value). */
static inline int hpolab_arg_get_string(int argc, char *const argv[],
                                        const char *name, const char **text)
{
    size_t n = strlen(name);
    int i, status = HPOLAB_REPORT_ENOENT;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0)
            break;
        if (a[0] != '-' || a[1] != '-' || strncmp(a + 2, name, n) != 0)
            continue;
        if (a[2 + n] == '=') {
            *text = a + 3 + n;
            status = HPOLAB_REPORT_OK;
        } else if (a[2 + n] == '\0') {
            if (i + 1 >= argc)
                return HPOLAB_REPORT_EVALUE;
            *text = argv[++i];
            status = HPOLAB_REPORT_OK;
        }
    }
    return status;
}

/* A number as Python's float() reads it (decimal, "inf", "nan"; not hex).
 * Status as above. */
static inline int hpolab_arg_get_double(int argc, char *const argv[],
                                        const char *name, double *value)
{
    const char *text = NULL;
    char *end;
    double v;
    int status = hpolab_arg_get_string(argc, argv, name, &text);
    if (status != HPOLAB_REPORT_OK)
        return status;
    errno = 0;
    v = strtod(text, &end);
    if (end == text || *end != '\0' || *text == ' ' || *text == '\t' ||
        strpbrk(text, "xX") != NULL || /* hex: Python's float() refuses it */
        (errno == ERANGE && (v > 1.0 || v < -1.0)))
        return HPOLAB_REPORT_EVALUE;
    *value = v;
    return HPOLAB_REPORT_OK;
}

/* Decimal integer with an optional sign, like Python's int(): "3", "-2";
 * not "3.0", "0x10" or "1e3". */
static inline int hpolab_arg_get_int(int argc, char *const argv[],
                                     const char *name, long *value)
{
    const char *text = NULL, *p;
    char *end;
    long v;
    int status = hpolab_arg_get_string(argc, argv, name, &text);
    if (status != HPOLAB_REPORT_OK)
        return status;
    p = text + (*text == '-' || *text == '+');
    if (*p < '0' || *p > '9')
        return HPOLAB_REPORT_EVALUE;
    errno = 0;
    v = strtol(text, &end, 10);
    if (*end != '\0' || errno == ERANGE)
        return HPOLAB_REPORT_EVALUE;
    *value = v;
    return HPOLAB_REPORT_OK;
}

/* Syne Tune passes booleans as "True"/"False"; also accepted (any case):
 * true/false, t/f, yes/no, y/n, 1/0. */
static inline int hpolab_arg_get_bool(int argc, char *const argv[],
                                      const char *name, int *value)
{
    static const char *const yes[] = {"true", "t", "yes", "y", "1"};
    static const char *const no[] = {"false", "f", "no", "n", "0"};
    const char *text = NULL;
    char low[8];
    size_t i;
    int status = hpolab_arg_get_string(argc, argv, name, &text);
    if (status != HPOLAB_REPORT_OK)
        return status;
    for (i = 0; text[i] && i + 1 < sizeof low; i++)
        low[i] = (char)(text[i] >= 'A' && text[i] <= 'Z' ? text[i] + 32
                                                         : text[i]);
    if (text[i])
        return HPOLAB_REPORT_EVALUE;
    low[i] = '\0';
    for (i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        if (strcmp(low, yes[i]) == 0) {
            *value = 1;
            return HPOLAB_REPORT_OK;
        }
        if (strcmp(low, no[i]) == 0) {
            *value = 0;
            return HPOLAB_REPORT_OK;
        }
    }
    return HPOLAB_REPORT_EVALUE;
}

static inline void hpolab_arg_fail_(int argc, char *const argv[],
                                    const char *name, const char *expected)
{
    const char *text = "";
    if (hpolab_arg_get_string(argc, argv, name, &text) != HPOLAB_REPORT_OK)
        text = "";
    fprintf(stderr, "%s: --%s: expected %s, got '%s'\n",
            argc > 0 && argv[0] ? argv[0] : "script", name, expected, text);
    exit(2);
}

/* The value of --name, or dflt when it is absent. A malformed value (or a
 * missing one after "--name") prints a message and exits with status 2. */
static inline double hpolab_arg_double(int argc, char *const argv[],
                                       const char *name, double dflt)
{
    double v = dflt;
    if (hpolab_arg_get_double(argc, argv, name, &v) == HPOLAB_REPORT_EVALUE)
        hpolab_arg_fail_(argc, argv, name, "a number");
    return v;
}

static inline long hpolab_arg_int(int argc, char *const argv[],
                                  const char *name, long dflt)
{
    long v = dflt;
    if (hpolab_arg_get_int(argc, argv, name, &v) == HPOLAB_REPORT_EVALUE)
        hpolab_arg_fail_(argc, argv, name, "an integer");
    return v;
}

static inline int hpolab_arg_bool(int argc, char *const argv[],
                                  const char *name, int dflt)
{
    int v = dflt;
    if (hpolab_arg_get_bool(argc, argv, name, &v) == HPOLAB_REPORT_EVALUE)
        hpolab_arg_fail_(argc, argv, name, "a boolean (True or False)");
    return v;
}

/* The text of --name (pointing into argv), or dflt when it is absent or
 * has no value. */
static inline const char *hpolab_arg_string(int argc, char *const argv[],
                                            const char *name,
                                            const char *dflt)
{
    const char *v = dflt;
    if (hpolab_arg_get_string(argc, argv, name, &v) != HPOLAB_REPORT_OK)
        return dflt;
    return v;
}

/* The checkpoint folder the tuner passes (--st_checkpoint_dir), or NULL. */
static inline const char *hpolab_arg_checkpoint_dir(int argc,
                                                    char *const argv[])
{
    return hpolab_arg_string(argc, argv, "st_checkpoint_dir", NULL);
}

/* ---- checkpoints ----------------------------------------------------------
 * dir/checkpoint.json holds {"epoch": E, "state": STATE}, the format the
 * Python helper (tools/python/hpolab_reporter.py) writes and reads too. A
 * script saves after every epoch (the tuner may kill it at any moment) and,
 * when it starts, resumes at epoch E + 1 if a checkpoint loads. */

/* dir + "/" + name in a new malloc'd string (the caller frees it). */
static inline char *hpolab_path_join_(const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    char *p = (char *)malloc(a + b + 2);
    if (!p)
        return NULL;
    memcpy(p, dir, a);
    p[a] = '/';
    memcpy(p + a + 1, name, b + 1);
    return p;
}

/* mkdir -p dir. */
static inline int hpolab_mkdirs_(const char *dir)
{
    size_t n = strlen(dir), i;
    char *p = (char *)malloc(n + 1);
    int ok = 1;
    if (!p)
        return -1;
    memcpy(p, dir, n + 1);
    for (i = 1; i <= n && ok; i++) {
        if (p[i] == '/' || p[i] == '\0') {
            char c = p[i];
            p[i] = '\0';
            if (mkdir(p, 0777) != 0 && errno != EEXIST)
                ok = 0;
            p[i] = c;
        }
    }
    free(p);
    return ok ? 0 : -1;
}

/* Writes dir/checkpoint.json atomically: into checkpoint.json.tmp, then
 * renamed over the old one, so a kill never leaves half a checkpoint. dir
 * is created if needed. state_json is JSON text written as it is (NULL:
 * null). Returns HPOLAB_REPORT_OK or HPOLAB_REPORT_EIO (errno tells why). */
static inline int hpolab_checkpoint_save(const char *dir, long long epoch,
                                         const char *state_json)
{
    char *path, *tmp;
    FILE *f;
    int ok;
    if (hpolab_mkdirs_(dir) != 0)
        return HPOLAB_REPORT_EIO;
    path = hpolab_path_join_(dir, HPOLAB_CHECKPOINT_FILE);
    tmp = hpolab_path_join_(dir, HPOLAB_CHECKPOINT_FILE ".tmp");
    if (!path || !tmp) {
        free(path);
        free(tmp);
        return HPOLAB_REPORT_EIO;
    }
    f = fopen(tmp, "w");
    ok = f != NULL;
    if (ok) {
        ok = fprintf(f, "{\"epoch\": %lld, \"state\": %s}\n", epoch,
                     state_json ? state_json : "null") > 0;
        ok = (fclose(f) == 0) && ok;
    }
    ok = ok && rename(tmp, path) == 0;
    if (!ok)
        remove(tmp);
    free(path);
    free(tmp);
    return ok ? HPOLAB_REPORT_OK : HPOLAB_REPORT_EIO;
}

static inline const char *hpolab_skip_ws_(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    return p;
}

/* The end of the JSON value at p, or NULL. Checks the structure (strings,
 * nesting of brackets), not every detail of the grammar: enough to tell a
 * whole checkpoint from a truncated or foreign one. */
static inline const char *hpolab_json_skip_(const char *p)
{
    char closer[64];
    size_t depth = 0;
    do {
        p = hpolab_skip_ws_(p);
        if (*p == '"') {
            for (p++; *p != '"'; p++) {
                if (*p == '\0' || (unsigned char)*p < 0x20)
                    return NULL;
                if (*p == '\\' && *++p == '\0')
                    return NULL;
            }
            p++;
        } else if (*p == '{' || *p == '[') {
            if (depth == sizeof closer)
                return NULL;
            closer[depth++] = *p == '{' ? '}' : ']';
            p = hpolab_skip_ws_(p + 1);
            if (*p == closer[depth - 1]) {
                depth--;
                p++;
            } else {
                continue; /* the first element */
            }
        } else if ((*p >= '0' && *p <= '9') || *p == '-' ||
                   (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')) {
            while ((*p >= '0' && *p <= '9') || *p == '-' || *p == '+' ||
                   *p == '.' || (*p >= 'a' && *p <= 'z') ||
                   (*p >= 'A' && *p <= 'Z'))
                p++;
        } else {
            return NULL;
        }
        /* after a value: the next one, or closing brackets */
        while (depth > 0) {
            p = hpolab_skip_ws_(p);
            if (*p == closer[depth - 1]) {
                depth--;
                p++;
            } else if (*p == ',' || (*p == ':' && closer[depth - 1] == '}')) {
                p++;
                break;
            } else {
                return NULL;
            }
        }
    } while (depth > 0);
    return p;
}

/* Reads dir/checkpoint.json. Returns HPOLAB_REPORT_OK and sets *epoch (and
 * copies the state's JSON text into state, if state is not NULL);
 * HPOLAB_REPORT_ENOENT when there is no checkpoint; HPOLAB_REPORT_EPARSE
 * when the file is not {"epoch": <int>, "state": <json>}; HPOLAB_REPORT_EIO
 * when it cannot be read; HPOLAB_REPORT_ETOOLONG when the state does not fit
 * into state_size bytes. Like Syne Tune, treat every error as "start from
 * epoch 1". */
static inline int hpolab_checkpoint_load(const char *dir, long long *epoch,
                                         char *state, size_t state_size)
{
    char *path = hpolab_path_join_(dir, HPOLAB_CHECKPOINT_FILE);
    char *text = NULL, *end;
    const char *p, *st, *stend;
    size_t len = 0, cap = 0;
    long long e;
    FILE *f;
    int status = HPOLAB_REPORT_OK;
    if (!path)
        return HPOLAB_REPORT_EIO;
    f = fopen(path, "r");
    free(path);
    if (!f)
        return errno == ENOENT ? HPOLAB_REPORT_ENOENT : HPOLAB_REPORT_EIO;
    for (;;) {
        size_t got;
        if (len + 4096 + 1 > cap) {
            char *bigger = (char *)realloc(text, cap = 2 * cap + 4096 + 1);
            if (!bigger) {
                status = HPOLAB_REPORT_EIO;
                break;
            }
            text = bigger;
        }
        got = fread(text + len, 1, 4096, f);
        len += got;
        if (got < 4096)
            break;
    }
    if (status == HPOLAB_REPORT_OK && ferror(f))
        status = HPOLAB_REPORT_EIO;
    fclose(f);
    if (status != HPOLAB_REPORT_OK) {
        free(text);
        return status;
    }
    text[len] = '\0';
    /* {"epoch": E} or {"epoch": E, "state": S}, S any JSON up to the last } */
    status = HPOLAB_REPORT_EPARSE;
    p = hpolab_skip_ws_(text);
    if (*p++ != '{')
        goto done;
    p = hpolab_skip_ws_(p);
    if (strncmp(p, "\"epoch\"", 7) != 0)
        goto done;
    p = hpolab_skip_ws_(p + 7);
    if (*p++ != ':')
        goto done;
    p = hpolab_skip_ws_(p);
    if ((*p < '0' || *p > '9') && *p != '-')
        goto done;
    errno = 0;
    e = strtoll(p, &end, 10);
    if (end == p || errno == ERANGE)
        goto done;
    p = hpolab_skip_ws_(end);
    if (*p == '}') {
        st = "null";
        stend = st + 4;
    } else {
        if (*p++ != ',')
            goto done;
        p = hpolab_skip_ws_(p);
        if (strncmp(p, "\"state\"", 7) != 0)
            goto done;
        p = hpolab_skip_ws_(p + 7);
        if (*p++ != ':')
            goto done;
        st = hpolab_skip_ws_(p);
        stend = hpolab_json_skip_(st);
        if (!stend)
            goto done;
        p = hpolab_skip_ws_(stend);
    }
    if (*p++ != '}' || *hpolab_skip_ws_(p) != '\0')
        goto done;
    if (state) {
        if ((size_t)(stend - st) + 1 > state_size) {
            status = HPOLAB_REPORT_ETOOLONG;
            goto done;
        }
        memcpy(state, st, (size_t)(stend - st));
        state[stend - st] = '\0';
    }
    *epoch = e;
    status = HPOLAB_REPORT_OK;
done:
    free(text);
    return status;
}

#endif /* HPOLAB_REPORTER_H */
