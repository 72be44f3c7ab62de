/* The tuner's writer table keeps rows in a spool file, and results.csv.zip
 * is streamed from it: the bytes must equal what the in-memory path (whole
 * CSV in one buffer, zipped into a memory archive) gives, memory must not
 * grow with the rows' text, and a failing spool is a clear error. */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <malloc.h>
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
#include <unistd.h>
#include <cmocka.h>

#include "fsutil.h"
#include "results_csv.h"
#include "results_table.h"
#include "results_zip.h"

static int rm_entry(const char *path, const struct stat *sb, int flag,
                    struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int setup_tmp(void **state)
{
    char *dir = strdup("/tmp/hpolab-test-spool-XXXXXX");
    if (!dir || !mkdtemp(dir))
        return -1;
    *state = dir;
    return 0;
}

static int teardown_tmp(void **state)
{
    nftw(*state, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(*state);
    return 0;
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

static int count_fds(void)
{
    return count_entries("/proc/self/fd");
}

static char *subdir(const char *dir, const char *name)
{
    char *p = hpolab_path_join(dir, name);
    assert_non_null(p);
    assert_int_equal(mkdir(p, 0755), 0);
    return p;
}

/* Row i of the awkward table: columns appear mid-way, NaN and infinities,
 * strings with commas, quotes and line ends, an empty string, a leading
 * byte-order mark, every 997th row far longer than the read window. */
static void awkward_row(struct hpolab_record *row, size_t i, char *big)
{
    hpolab_record_free(row);
    hpolab_record_init(row);
    hpolab_record_set_int(row, "trial_id", (int64_t)(i / 3));
    double v = (double)i * 0.1;
    if (i % 11 == 3)
        v = NAN;
    else if (i % 11 == 5)
        v = INFINITY;
    else if (i % 11 == 7)
        v = -INFINITY;
    hpolab_record_set_double(row, "loss", v);
    static const char *const texts[] = {"plain", "a, b", "say \"hi\"",
                                        "two\nlines", "", "\xef\xbb\xbf" "bom",
                                        "cr\r"};
    hpolab_record_set_string(row, "config_name", texts[i % 7]);
    hpolab_record_set_bool(row, "flag", (int32_t)(i % 2));
    if (i >= 40)
        hpolab_record_set_double(row, "late", 1e-05 * (double)i);
    if (i >= 1500 && i % 2 == 0)
        hpolab_record_set_string(row, "later, quoted", "x\"y");
    if (i % 997 == 500)
        hpolab_record_set_string(row, "config_name", big);
}

/* The same rows in an in-memory table and in a writer table. */
static void awkward_tables(const char *spool_dir, size_t rows,
                           struct hpolab_results **mem,
                           struct hpolab_results **wr)
{
    struct hpolab_error err;
    assert_int_equal(hpolab_results_create(mem, &err), HPOLAB_OK);
    assert_int_equal(hpolab_results_create_writer(spool_dir, wr, &err),
                     HPOLAB_OK);
    size_t big_len = 3 * HPOLAB_RESULTS_WINDOW / 2;
    char *big = malloc(big_len + 1);
    assert_non_null(big);
    for (size_t i = 0; i < big_len; i++)
        big[i] = (char)('a' + i % 26);
    big[big_len] = '\0';
    struct hpolab_record row;
    hpolab_record_init(&row);
    for (size_t i = 0; i < rows; i++) {
        awkward_row(&row, i, big);
        assert_int_equal(hpolab_results_append(*mem, &row, &err), HPOLAB_OK);
        assert_int_equal(hpolab_results_append(*wr, &row, &err), HPOLAB_OK);
    }
    hpolab_record_free(&row);
    free(big);
}

static void read_all(const char *dir, char **data, size_t *len)
{
    char *path = hpolab_path_join(dir, HPOLAB_RESULTS_ZIP);
    struct hpolab_error err;
    assert_int_equal(hpolab_read_file(path, data, len, &err), HPOLAB_OK);
    free(path);
}

/* The old way: the whole CSV in memory, zipped into a memory archive. */
static void old_bytes(const struct hpolab_results *r, int64_t mtime,
                      void **zip, size_t *zip_len)
{
    struct hpolab_error err;
    char *csv;
    size_t csv_len;
    assert_int_equal(hpolab_results_to_csv(r, &csv, &csv_len, &err),
                     HPOLAB_OK);
    assert_int_equal(hpolab_zip_single_member_at(HPOLAB_RESULTS_CSV, csv,
                                                 csv_len, mtime, zip,
                                                 zip_len, &err),
                     HPOLAB_OK);
    free(csv);
}

static void test_streamed_archive_is_byte_identical(void **state)
{
    const char *dir = *state;
    char *spool = subdir(dir, "spool");
    char *a = subdir(dir, "a"), *b = subdir(dir, "b");
    struct hpolab_results *mem, *wr;
    awkward_tables(spool, 3000, &mem, &wr);
    struct hpolab_error err;
    const int64_t mtime = 1700000000;
    void *want;
    size_t want_len;
    old_bytes(mem, mtime, &want, &want_len);

    assert_int_equal(hpolab_results_write_at(wr, a, mtime, &err), HPOLAB_OK);
    assert_int_equal(hpolab_results_write_at(mem, b, mtime, &err), HPOLAB_OK);
    char *got;
    size_t got_len;
    read_all(a, &got, &got_len);
    assert_int_equal(got_len, want_len);
    assert_memory_equal(got, want, want_len);
    free(got);
    read_all(b, &got, &got_len);
    assert_int_equal(got_len, want_len);
    assert_memory_equal(got, want, want_len);
    free(got);

    /* the writer's CSV is the in-memory table's, and reads back the same */
    char *c1, *c2;
    size_t l1, l2;
    assert_int_equal(hpolab_results_to_csv(mem, &c1, &l1, &err), HPOLAB_OK);
    assert_int_equal(hpolab_results_to_csv(wr, &c2, &l2, &err), HPOLAB_OK);
    assert_int_equal(l1, l2);
    assert_memory_equal(c1, c2, l1);
    struct hpolab_results *back;
    assert_int_equal(hpolab_results_read(a, &back, &err), HPOLAB_OK);
    assert_int_equal(hpolab_results_row_count(back), 3000);
    char *c3;
    size_t l3;
    assert_int_equal(hpolab_results_to_csv(back, &c3, &l3, &err), HPOLAB_OK);
    assert_int_equal(l1, l3);
    assert_memory_equal(c1, c3, l1);
    free(c1);
    free(c2);
    free(c3);
    hpolab_results_free(back);
    free(want);
    hpolab_results_free(mem);
    hpolab_results_free(wr);
    free(spool);
    free(a);
    free(b);
}

/* Small tables too: no rows, no columns, one empty column ('""' lines). */
static void test_small_tables_byte_identical(void **state)
{
    const char *dir = *state;
    struct hpolab_error err;
    for (int kind = 0; kind < 3; kind++) {
        struct hpolab_results *mem, *wr;
        assert_int_equal(hpolab_results_create(&mem, &err), HPOLAB_OK);
        assert_int_equal(hpolab_results_create_writer(dir, &wr, &err),
                         HPOLAB_OK);
        struct hpolab_record row;
        hpolab_record_init(&row);
        if (kind >= 1)
            hpolab_record_set_string(&row, "", "");
        for (int i = 0; kind >= 1 && i < (kind == 1 ? 1 : 4); i++) {
            assert_int_equal(hpolab_results_append(mem, &row, &err),
                             HPOLAB_OK);
            assert_int_equal(hpolab_results_append(wr, &row, &err),
                             HPOLAB_OK);
        }
        hpolab_record_free(&row);
        void *want;
        size_t want_len;
        old_bytes(mem, 1600000000, &want, &want_len);
        assert_int_equal(hpolab_results_write_at(wr, dir, 1600000000, &err),
                         HPOLAB_OK);
        char *got;
        size_t got_len;
        read_all(dir, &got, &got_len);
        assert_int_equal(got_len, want_len);
        assert_memory_equal(got, want, want_len);
        free(got);
        free(want);
        hpolab_results_free(mem);
        hpolab_results_free(wr);
    }
}

/* The spool has no name in the folder, holds one descriptor, and rows can
 * be read back in any order. */
static void test_spool_is_invisible_and_random_access(void **state)
{
    const char *dir = *state;
    int fds = count_fds();
    struct hpolab_results *mem, *wr;
    awkward_tables(dir, 2000, &mem, &wr);
    assert_int_equal(count_entries(dir), 0);
    assert_int_equal(count_fds(), fds + 1);
    assert_null(hpolab_results_row(wr, 0));
    struct hpolab_error err;
    struct hpolab_results_window w = {0};
    for (size_t k = 0; k < 2000; k++) {
        size_t i = (k * 7919) % 2000; /* jumping back and forth */
        size_t l1, n1, l2, n2;
        const char *c1, *c2;
        hpolab_results_row_shape(mem, i, &l1, &n1);
        hpolab_results_row_shape(wr, i, &l2, &n2);
        assert_int_equal(l1, l2);
        assert_int_equal(n1, n2);
        assert_int_equal(hpolab_results_row_cells(mem, i, &w, &c1, &err),
                         HPOLAB_OK);
        assert_int_equal(hpolab_results_row_cells(wr, i, &w, &c2, &err),
                         HPOLAB_OK);
        assert_memory_equal(c1, c2, l1);
    }
    hpolab_results_window_free(&w);
    assert_int_equal(hpolab_results_write(wr, dir, &err), HPOLAB_OK);
    assert_int_equal(count_entries(dir), 1); /* results.csv.zip alone */
    hpolab_results_free(mem);
    hpolab_results_free(wr);
    assert_int_equal(count_fds(), fds);
}

static size_t heap_in_use(void)
{
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
}

/* 20 000 rows of ~170 bytes of CSV each: the writer's heap grows by its
 * fixed per-row record (16 bytes, 32 at worst after the array doubled),
 * not by the text (the in-memory table grows by 200+ bytes a row). Under
 * ASan mallinfo2 says nothing, so the bound holds trivially there. */
static void test_writer_memory_does_not_grow_with_text(void **state)
{
    const char *dir = *state;
    struct hpolab_error err;
    struct hpolab_results *wr;
    assert_int_equal(hpolab_results_create_writer(dir, &wr, &err), HPOLAB_OK);
    struct hpolab_record row;
    hpolab_record_init(&row);
    char text[160];
    memset(text, 'q', sizeof text - 1);
    text[sizeof text - 1] = '\0';
    hpolab_record_set_string(&row, "config_text", text);
    hpolab_record_set_int(&row, "trial_id", 1);
    assert_int_equal(hpolab_results_append(wr, &row, &err), HPOLAB_OK);
    size_t before = heap_in_use();
    const size_t n = 20000;
    for (size_t i = 1; i < n; i++) {
        hpolab_record_set_int(&row, "trial_id", (int64_t)i);
        assert_int_equal(hpolab_results_append(wr, &row, &err), HPOLAB_OK);
    }
    size_t after = heap_in_use();
    size_t growth = after > before ? after - before : 0;
    print_message("writer table: %zu bytes of heap for %zu more rows\n",
                  growth, n - 1);
    assert_true(growth <= 40 * n);
    assert_int_equal(hpolab_results_write(wr, dir, &err), HPOLAB_OK);
    struct hpolab_results *back;
    assert_int_equal(hpolab_results_read(dir, &back, &err), HPOLAB_OK);
    assert_int_equal(hpolab_results_row_count(back), n);
    const struct hpolab_value *v =
        hpolab_record_get(hpolab_results_row(back, n - 1), "trial_id");
    assert_non_null(v);
    assert_int_equal(v->u.i, (int64_t)(n - 1));
    hpolab_results_free(back);
    hpolab_record_free(&row);
    hpolab_results_free(wr);
}

/* A spool write that fails (here the file size limit, as a full disk
 * would) is an I/O error naming the folder; the table is as before, and a
 * later append overwrites the partial row. */
static void test_spool_write_failure(void **state)
{
    const char *dir = *state;
    struct hpolab_error err;
    struct hpolab_results *mem, *wr;
    assert_int_equal(hpolab_results_create(&mem, &err), HPOLAB_OK);
    assert_int_equal(hpolab_results_create_writer(dir, &wr, &err), HPOLAB_OK);
    struct hpolab_record row;
    hpolab_record_init(&row);
    char text[3000];
    memset(text, 'z', sizeof text - 1);
    text[sizeof text - 1] = '\0';
    hpolab_record_set_string(&row, "config_text", text);
    hpolab_record_set_int(&row, "i", 0);
    assert_int_equal(hpolab_results_append(wr, &row, &err), HPOLAB_OK);
    assert_int_equal(hpolab_results_append(mem, &row, &err), HPOLAB_OK);

    struct rlimit lim;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &lim), 0);
    void (*handler)(int) = signal(SIGXFSZ, SIG_IGN);
    struct rlimit small = {.rlim_cur = 4096, .rlim_max = lim.rlim_max};
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    struct hpolab_record bad;
    hpolab_record_init(&bad);
    hpolab_record_set_string(&bad, "config_text", text);
    hpolab_record_set_int(&bad, "new_column", 7);
    int32_t st = hpolab_results_append(wr, &bad, &err);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    signal(SIGXFSZ, handler);
    assert_int_equal(st, HPOLAB_ERR_IO);
    assert_non_null(strstr(err.message, dir));
    assert_non_null(strstr(err.message, "row spool"));
    assert_non_null(strstr(err.message, strerror(EFBIG)));
    assert_int_equal(hpolab_results_row_count(wr), 1);
    assert_int_equal(hpolab_results_column_count(wr), 2); /* no new_column */

    hpolab_record_set_int(&row, "i", 1);
    assert_int_equal(hpolab_results_append(wr, &row, &err), HPOLAB_OK);
    assert_int_equal(hpolab_results_append(mem, &row, &err), HPOLAB_OK);
    char *c1, *c2;
    size_t l1, l2;
    assert_int_equal(hpolab_results_to_csv(mem, &c1, &l1, &err), HPOLAB_OK);
    assert_int_equal(hpolab_results_to_csv(wr, &c2, &l2, &err), HPOLAB_OK);
    assert_int_equal(l1, l2);
    assert_memory_equal(c1, c2, l1);
    free(c1);
    free(c2);
    hpolab_record_free(&bad);
    hpolab_record_free(&row);
    hpolab_results_free(mem);
    hpolab_results_free(wr);
}

/* Without a folder (the tuner's dry check) the table takes no rows. */
static void test_writer_without_folder(void **state)
{
    (void)state;
    struct hpolab_error err;
    struct hpolab_results *wr;
    assert_int_equal(hpolab_results_create_writer(NULL, &wr, &err),
                     HPOLAB_OK);
    struct hpolab_record row;
    hpolab_record_init(&row);
    hpolab_record_set_int(&row, "i", 0);
    assert_int_equal(hpolab_results_append(wr, &row, &err),
                     HPOLAB_ERR_INVALID);
    assert_int_equal(hpolab_results_row_count(wr), 0);
    assert_int_equal(hpolab_results_column_count(wr), 0);
    hpolab_record_free(&row);
    hpolab_results_free(wr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_streamed_archive_is_byte_identical, setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(test_small_tables_byte_identical,
                                        setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(
            test_spool_is_invisible_and_random_access, setup_tmp,
            teardown_tmp),
        cmocka_unit_test_setup_teardown(
            test_writer_memory_does_not_grow_with_text, setup_tmp,
            teardown_tmp),
        cmocka_unit_test_setup_teardown(test_spool_write_failure, setup_tmp,
                                        teardown_tmp),
        cmocka_unit_test(test_writer_without_folder),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
