/* study_test_util.h: helpers of the study tests — a scratch folder per test
 * (the current directory while it runs, so messages read "s.json: ..."),
 * study text written with ' for " and exact comparison of diagnostics. */
#ifndef HPOLAB_TEST_STUDY_TEST_UTIL_H
#define HPOLAB_TEST_STUDY_TEST_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "study.h"

struct scratch {
    char dir[64];
    char old_cwd[PATH_MAX];
};

static inline int scratch_setup(void **state)
{
    struct scratch *s = calloc(1, sizeof *s);
    if (!s)
        return -1;
    snprintf(s->dir, sizeof s->dir, "/tmp/hpolab-study-test-XXXXXX");
    if (!mkdtemp(s->dir) || !getcwd(s->old_cwd, sizeof s->old_cwd) ||
        chdir(s->dir) != 0) {
        free(s);
        return -1;
    }
    *state = s;
    return 0;
}

static inline int rm_one(const char *path, const struct stat *st, int flag,
                  struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static inline int scratch_teardown(void **state)
{
    struct scratch *s = *state;
    int rc = chdir(s->old_cwd);
    nftw(s->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    free(s);
    return rc;
}

/* Write text to name (in the current folder), ' replaced by ". */
static inline void write_text(const char *name, const char *text, mode_t mode)
{
    char *copy = strdup(text);
    assert_non_null(copy);
    for (char *p = copy; *p; p++)
        if (*p == '\'')
            *p = '"';
    FILE *f = fopen(name, "w");
    assert_non_null(f);
    fputs(copy, f);
    fclose(f);
    free(copy);
    assert_int_equal(chmod(name, mode), 0);
}

static inline void print_diag(const struct hpolab_diag *d)
{
    for (size_t i = 0; i < d->count; i++)
        printf("  got: %s\n", d->lines[i] ? d->lines[i] : "(null)");
}

/* The diagnostics are exactly lines[0..n), in order. */
static inline void expect_lines(const struct hpolab_diag *d, const char *const *lines,
                         size_t n)
{
    if (d->count != n) {
        print_diag(d);
        fail_msg("expected %zu diagnostic lines, got %zu", n, d->count);
    }
    for (size_t i = 0; i < n; i++) {
        if (!d->lines[i] || strcmp(d->lines[i], lines[i]) != 0) {
            print_diag(d);
            fail_msg("line %zu: expected\n  %s", i, lines[i]);
        }
    }
}

#define EXPECT_LINES(d, ...)                                                 \
    do {                                                                     \
        const char *const expect_[] = {__VA_ARGS__};                         \
        expect_lines((d), expect_, sizeof expect_ / sizeof expect_[0]);      \
    } while (0)

/* Both phases on text written to s.json; cli: "name", "value", ..., NULL. */
static inline int32_t load_text(const char *text, struct hpolab_study **out,
                         struct hpolab_diag *d, ...)
{
    write_text("s.json", text, 0644);
    json_t *cli = json_object();
    va_list ap;
    va_start(ap, d);
    for (const char *k = va_arg(ap, const char *); k;
         k = va_arg(ap, const char *))
        json_object_set_new(cli, k, json_string(va_arg(ap, const char *)));
    va_end(ap);
    int32_t rc = hpolab_study_load("s.json", cli, out, d);
    json_decref(cli);
    return rc;
}

/* A benchmark that is fine, to be completed by the test: "'b': {" BENCH_OK
 * ", ...}". Needs t.sh (made by make_script). */
#define BENCH_OK                                                             \
    "'entry_point': ['sh', 't.sh'], 'config_space': {'x': {'domain': "       \
    "'uniform', 'lower': 0, 'upper': 1}}, 'metric': 'loss'"
#define METHODS_OK "'methods': {'RS': {}}"

static inline void make_script(void)
{
    write_text("t.sh", "#!/bin/sh\necho ok\n", 0755);
}

#endif
