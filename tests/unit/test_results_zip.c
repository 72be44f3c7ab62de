/* results.csv.zip: one deflated member "results.csv", written atomically,
 * read back whatever its member is called; Syne Tune's own files (fixture in
 * tests/data/syne-tune, made by Python's zipfile) read correctly. */
#include <dirent.h>
#include <ftw.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "fsutil.h"
#include "results_csv.h"
#include "results_table.h"
#include "results_zip.h"

#define FIXTURE                                                               \
    HPOLAB_TEST_SOURCE_DIR "/tests/data/syne-tune/"                           \
                           "odsc-1-transformer-wikitext2-0-2023-06-01-12-30-" \
                           "45-123"

static int rm_entry(const char *path, const struct stat *sb, int flag,
                    struct FTW *ftw)
{
    chmod(path, 0755);
    return remove(path);
}

static int setup_tmp(void **state)
{
    char *dir = strdup("/tmp/hpolab-test-zip-XXXXXX");
    if (!dir || !mkdtemp(dir))
        return -1;
    *state = dir;
    return 0;
}

static int teardown_tmp(void **state)
{
    chmod(*state, 0755);
    nftw(*state, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(*state);
    return 0;
}

static char *join(const char *a, const char *b)
{
    char *p = hpolab_path_join(a, b);
    assert_non_null(p);
    return p;
}

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

static struct hpolab_results *table_of(size_t rows, uint32_t salt)
{
    struct hpolab_results *r;
    struct hpolab_error err;
    assert_int_equal(hpolab_results_create(&r, &err), HPOLAB_OK);
    struct hpolab_record row;
    hpolab_record_init(&row);
    uint32_t x = 2463534242u ^ salt;
    for (size_t i = 0; i < rows; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        hpolab_record_set_int(&row, "epoch", (int64_t)(i % 50) + 1);
        hpolab_record_set_double(&row, "val_loss", (double)x / 4294967296.0);
        hpolab_record_set_double(&row, "st_worker_timestamp",
                                 1700000000.0 + (double)i * 0.731);
        hpolab_record_set_double(&row, "st_worker_time", (double)i * 0.5);
        hpolab_record_set_int(&row, "st_worker_iter", (int64_t)(i % 50));
        hpolab_record_set_string(&row, "st_decision",
                                 x % 7 ? "CONTINUE" : "STOP");
        hpolab_record_set_string(&row, "st_status", "InProgress");
        hpolab_record_set_int(&row, "trial_id", (int64_t)(i / 50));
        hpolab_record_set_double(&row, "config_lr", 1e-05 * (double)(x % 997));
        hpolab_record_set_int(&row, "config_batch_size", 1 << (x % 8));
        hpolab_record_set_string(&row, "config_optimizer",
                                 x % 2 ? "adam" : "sgd, momentum");
        hpolab_record_set_bool(&row, "config_flag", (int32_t)(x % 2));
        hpolab_record_set_double(&row, "st_tuner_time", (double)i * 0.61);
        if (i == rows / 2)
            hpolab_record_set_double(&row, "late_metric", 0.5);
        assert_int_equal(hpolab_results_append(r, &row, &err), HPOLAB_OK);
        hpolab_record_free(&row);
    }
    return r;
}

static char *csv_of(const struct hpolab_results *r)
{
    char *text;
    size_t len;
    struct hpolab_error err;
    assert_int_equal(hpolab_results_to_csv(r, &text, &len, &err), HPOLAB_OK);
    return text;
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static uint16_t le16(const unsigned char *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

/* Read the zip's central directory by hand (APPNOTE 4.3.12/4.3.16): an
 * independent check of what libzip wrote. */
static void assert_single_deflated_member(const char *path, const char *name)
{
    char *data;
    size_t len;
    struct hpolab_error err;
    assert_int_equal(hpolab_read_file(path, &data, &len, &err), HPOLAB_OK);
    const unsigned char *z = (const unsigned char *)data;
    assert_true(len > 22);
    const unsigned char *eocd = z + len - 22; /* no archive comment */
    assert_int_equal(le32(eocd), 0x06054b50);
    assert_int_equal(le16(eocd + 10), 1); /* entries in total */
    uint32_t cd = le32(eocd + 16);
    assert_true(cd + 46 <= len);
    assert_int_equal(le32(z + cd), 0x02014b50);
    assert_int_equal(le16(z + cd + 10), 8); /* deflate */
    uint16_t name_len = le16(z + cd + 28);
    assert_int_equal(name_len, strlen(name));
    assert_memory_equal(z + cd + 46, name, name_len);
    assert_int_equal(le32(z), 0x04034b50); /* a local header first */
    free(data);
}

static void test_write_then_read(void **state)
{
    const char *dir = *state;
    struct hpolab_error err;
    struct hpolab_results *w = table_of(120, 1);
    assert_int_equal(hpolab_results_write(w, dir, &err), HPOLAB_OK);
    char *path = join(dir, "results.csv.zip");
    assert_single_deflated_member(path, "results.csv");
    assert_int_equal(count_entries(dir), 1);

    struct hpolab_results *r;
    assert_int_equal(hpolab_results_read(dir, &r, &err), HPOLAB_OK);
    char *a = csv_of(w), *b = csv_of(r);
    assert_string_equal(a, b);
    free(b);
    hpolab_results_free(r);
    /* the file path works too */
    assert_int_equal(hpolab_results_read(path, &r, &err), HPOLAB_OK);
    assert_int_equal(hpolab_results_row_count(r), 120);
    hpolab_results_free(r);

    /* rewriting replaces the file */
    struct hpolab_results *w2 = table_of(3, 2);
    assert_int_equal(hpolab_results_write(w2, dir, &err), HPOLAB_OK);
    assert_int_equal(hpolab_results_read(dir, &r, &err), HPOLAB_OK);
    assert_int_equal(hpolab_results_row_count(r), 3);
    assert_int_equal(count_entries(dir), 1);
    hpolab_results_free(r);
    hpolab_results_free(w2);
    free(a);
    free(path);
    hpolab_results_free(w);
}

static void test_read_syne_tune_fixture(void **state)
{
    struct hpolab_results *r;
    struct hpolab_error err;
    int32_t st = hpolab_results_read(FIXTURE, &r, &err);
    if (st != HPOLAB_OK)
        fail_msg("%s", err.message);
    assert_int_equal(hpolab_results_row_count(r), 4);
    assert_int_equal(hpolab_results_column_count(r), 14);
    assert_string_equal(hpolab_results_column(r, 0), "epoch");
    assert_string_equal(hpolab_results_column(r, 13), "extra_note");
    const struct hpolab_record *r0 = hpolab_results_row(r, 0);
    const struct hpolab_record *r1 = hpolab_results_row(r, 1);
    const struct hpolab_record *r2 = hpolab_results_row(r, 2);
    const struct hpolab_record *r3 = hpolab_results_row(r, 3);
    const struct hpolab_value *v = hpolab_record_get(r0, "trial_id");
    assert_int_equal(v->type, HPOLAB_VALUE_INT);
    assert_int_equal(v->u.i, 0);
    v = hpolab_record_get(r0, "st_worker_timestamp");
    assert_int_equal(v->type, HPOLAB_VALUE_DOUBLE);
    assert_true(v->u.d == 1685622650.123);
    assert_null(hpolab_record_get(r0, "config_warmup"));
    /* pandas wrote the int 5 of a column with gaps as 5.0 */
    v = hpolab_record_get(r1, "config_warmup");
    assert_int_equal(v->type, HPOLAB_VALUE_DOUBLE);
    assert_true(v->u.d == 5.0);
    v = hpolab_record_get(r1, "config_lr");
    assert_true(v->u.d == 1e-05);
    v = hpolab_record_get(r1, "st_decision");
    assert_string_equal(v->u.s, "STOP");
    v = hpolab_record_get(r2, "extra_note");
    assert_int_equal(v->type, HPOLAB_VALUE_STRING);
    assert_string_equal(v->u.s, "restarted, from \"ckpt\"");
    assert_null(hpolab_record_get(r3, "val_loss"));
    v = hpolab_record_get(r3, "st_status");
    assert_string_equal(v->u.s, "Completed");
    hpolab_results_free(r);
}

static void write_bytes(const char *path, const void *data, size_t len)
{
    struct hpolab_error err;
    assert_int_equal(hpolab_write_file_atomic(path, data, len, &err),
                     HPOLAB_OK);
}

static void test_any_member_name_and_csv_fallback(void **state)
{
    const char *dir = *state;
    struct hpolab_error err;
    const char *csv = "a,b\n1,x\n";
    void *zip;
    size_t zip_len;
    assert_int_equal(hpolab_zip_single_member("old/results.csv.zip", csv,
                                              strlen(csv), &zip, &zip_len,
                                              &err),
                     HPOLAB_OK);
    char *zpath = join(dir, "results.csv.zip");
    write_bytes(zpath, zip, zip_len);
    free(zip);
    struct hpolab_results *r;
    assert_int_equal(hpolab_results_read(dir, &r, &err), HPOLAB_OK);
    assert_int_equal(hpolab_results_row_count(r), 1);
    hpolab_results_free(r);

    /* without the zip, results.csv is read */
    unlink(zpath);
    char *cpath = join(dir, "results.csv");
    write_bytes(cpath, "a\n7\n", 4);
    assert_int_equal(hpolab_results_read(dir, &r, &err), HPOLAB_OK);
    assert_int_equal(hpolab_record_get(hpolab_results_row(r, 0), "a")->u.i, 7);
    hpolab_results_free(r);
    assert_int_equal(hpolab_results_read(cpath, &r, &err), HPOLAB_OK);
    hpolab_results_free(r);

    /* neither */
    unlink(cpath);
    r = (struct hpolab_results *)1;
    assert_int_equal(hpolab_results_read(dir, &r, &err), HPOLAB_ERR_NOT_FOUND);
    assert_null(r);
    assert_non_null(strstr(err.message, dir));
    assert_non_null(strstr(err.message, "results.csv.zip"));
    free(zpath);
    free(cpath);
}

/* A stored (uncompressed) zip of empty members, built by hand. */
static size_t stored_zip(unsigned char *out, const char *const *names,
                         size_t n)
{
    size_t pos = 0, offsets[8];
    for (size_t i = 0; i < n; i++) {
        offsets[i] = pos;
        size_t nl = strlen(names[i]);
        unsigned char h[30] = {'P', 'K', 3, 4, 20};
        h[26] = (unsigned char)nl;
        memcpy(out + pos, h, 30);
        memcpy(out + pos + 30, names[i], nl);
        pos += 30 + nl;
    }
    size_t cd = pos;
    for (size_t i = 0; i < n; i++) {
        size_t nl = strlen(names[i]);
        unsigned char h[46] = {'P', 'K', 1, 2, 20, 0, 20};
        h[28] = (unsigned char)nl;
        h[42] = (unsigned char)offsets[i];
        memcpy(out + pos, h, 46);
        memcpy(out + pos + 46, names[i], nl);
        pos += 46 + nl;
    }
    unsigned char e[22] = {'P', 'K', 5, 6};
    e[8] = e[10] = (unsigned char)n;
    e[12] = (unsigned char)(pos - cd);
    e[16] = (unsigned char)cd;
    memcpy(out + pos, e, 22);
    return pos + 22;
}

static void expect_read_error(const char *path, const char *needle)
{
    struct hpolab_results *r = (struct hpolab_results *)1;
    struct hpolab_error err;
    assert_int_equal(hpolab_results_read(path, &r, &err), HPOLAB_ERR_PARSE);
    assert_null(r);
    if (!strstr(err.message, needle) || !strstr(err.message, path))
        fail_msg("message \"%s\" lacks \"%s\" or the path", err.message,
                 needle);
}

static void test_bad_archives(void **state)
{
    const char *dir = *state;
    char *path = join(dir, "results.csv.zip");
    unsigned char buf[512];
    static const char *const two[] = {"a.csv", "b.csv"};
    write_bytes(path, buf, stored_zip(buf, two, 2));
    expect_read_error(path, "exactly one member (the results CSV), found 2");
    write_bytes(path, buf, stored_zip(buf, two, 0));
    expect_read_error(path, "found 0");
    /* macOS resource entries do not count, as in pandas */
    static const char *const mac[] = {"results.csv", "__MACOSX/._results.csv"};
    write_bytes(path, buf, stored_zip(buf, mac, 2));
    struct hpolab_results *r;
    struct hpolab_error err;
    assert_int_equal(hpolab_results_read(path, &r, &err), HPOLAB_OK);
    assert_int_equal(hpolab_results_column_count(r), 0);
    hpolab_results_free(r);

    /* a truncated archive (a copy cut short mid-write) */
    struct hpolab_results *w = table_of(50, 3);
    assert_int_equal(hpolab_results_write(w, dir, &err), HPOLAB_OK);
    hpolab_results_free(w);
    char *data;
    size_t len;
    assert_int_equal(hpolab_read_file(path, &data, &len, &err), HPOLAB_OK);
    write_bytes(path, data, len / 2);
    free(data);
    expect_read_error(path, "not a readable zip archive");
    free(path);
}

/* The write fails after the old file exists: it must stay readable and no
 * temp file may remain. Simulates a full disk with a file size limit, which
 * root cannot bypass. */
static void test_failed_write_keeps_old_file(void **state)
{
    const char *dir = *state;
    struct hpolab_error err;
    struct hpolab_results *old = table_of(10, 4);
    assert_int_equal(hpolab_results_write(old, dir, &err), HPOLAB_OK);
    struct hpolab_results *big = table_of(5000, 5);

    struct rlimit lim;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &lim), 0);
    void (*handler)(int) = signal(SIGXFSZ, SIG_IGN);
    struct rlimit small = {.rlim_cur = 8192, .rlim_max = lim.rlim_max};
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    int32_t st = hpolab_results_write(big, dir, &err);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    signal(SIGXFSZ, handler);
    assert_int_equal(st, HPOLAB_ERR_IO);
    assert_non_null(strstr(err.message, "results.csv.zip"));
    assert_int_equal(count_entries(dir), 1);

    struct hpolab_results *r;
    assert_int_equal(hpolab_results_read(dir, &r, &err), HPOLAB_OK);
    char *a = csv_of(old), *b = csv_of(r);
    assert_string_equal(a, b);
    free(a);
    free(b);
    hpolab_results_free(r);

    /* a read-only folder, where permissions apply (not for root) */
    chmod(dir, 0555);
    char *probe = join(dir, "probe");
    FILE *f = fopen(probe, "w");
    if (f) {
        fclose(f);
        unlink(probe);
        print_message("running as root: chmod 0555 does not stop writes, "
                      "read-only folder case not checked\n");
    } else {
        assert_int_equal(hpolab_results_write(big, dir, &err), HPOLAB_ERR_IO);
        assert_int_equal(hpolab_results_read(dir, &r, &err), HPOLAB_OK);
        assert_int_equal(hpolab_results_row_count(r), 10);
        hpolab_results_free(r);
        assert_int_equal(count_entries(dir), 1);
    }
    chmod(dir, 0755);
    free(probe);
    hpolab_results_free(big);
    hpolab_results_free(old);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* 10 000 rows: appends and periodic rewrites stay cheap (times printed, not
 * asserted). */
static void test_10k_rows(void **state)
{
    const char *dir = *state;
    struct hpolab_error err;
    double t0 = now();
    struct hpolab_results *r = table_of(10000, 6);
    double t1 = now();
    char *csv = csv_of(r);
    double t2 = now();
    assert_int_equal(hpolab_results_write(r, dir, &err), HPOLAB_OK);
    double t3 = now();
    struct hpolab_results *back;
    assert_int_equal(hpolab_results_read(dir, &back, &err), HPOLAB_OK);
    double t4 = now();
    assert_int_equal(hpolab_results_row_count(back), 10000);
    assert_int_equal(hpolab_results_column_count(back), 14);
    char *again = csv_of(back);
    assert_string_equal(csv, again);
    printf("10000 rows, %zu bytes of CSV: append %.1f ms, to_csv %.1f ms, "
           "write zip %.1f ms, read %.1f ms\n",
           strlen(csv), (t1 - t0) * 1e3, (t2 - t1) * 1e3, (t3 - t2) * 1e3,
           (t4 - t3) * 1e3);
    free(again);
    free(csv);
    hpolab_results_free(back);
    hpolab_results_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_write_then_read, setup_tmp,
                                        teardown_tmp),
        cmocka_unit_test(test_read_syne_tune_fixture),
        cmocka_unit_test_setup_teardown(test_any_member_name_and_csv_fallback,
                                        setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(test_bad_archives, setup_tmp,
                                        teardown_tmp),
        cmocka_unit_test_setup_teardown(test_failed_write_keeps_old_file,
                                        setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(test_10k_rows, setup_tmp,
                                        teardown_tmp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
