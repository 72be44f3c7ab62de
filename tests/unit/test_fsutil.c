/* File utilities: mkdir -p, atomic writes that never damage the old file,
 * whole-file reads, path joins, writable-folder checks, "~" expansion. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
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

static int rm_entry(const char *path, const struct stat *sb, int flag,
                    struct FTW *ftw)
{
    chmod(path, 0755); /* undo read-only test folders */
    return remove(path);
}

static void rm_rf(const char *path)
{
    chmod(path, 0755);
    nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int setup_tmp(void **state)
{
    char *dir = strdup("/tmp/hpolab-test-fsutil-XXXXXX");
    if (!dir || !mkdtemp(dir))
        return -1;
    *state = dir;
    return 0;
}

static int teardown_tmp(void **state)
{
    rm_rf(*state);
    free(*state);
    return 0;
}

static char *join(const char *a, const char *b)
{
    char *p = hpolab_path_join(a, b);
    assert_non_null(p);
    return p;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static char *slurp(const char *path)
{
    char *text;
    size_t len;
    struct hpolab_error err;
    assert_int_equal(hpolab_read_file(path, &text, &len, &err), HPOLAB_OK);
    assert_int_equal(strlen(text), len);
    return text;
}

/* Number of entries in dir besides . and .. */
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

/* Does chmod 0555 really stop writes here? Not for root (CI containers). */
static int readonly_dirs_work(const char *dir)
{
    char *probe = join(dir, "probe");
    int fd = open(probe, O_WRONLY | O_CREAT, 0644);
    if (fd >= 0) {
        close(fd);
        unlink(probe);
    }
    free(probe);
    return fd < 0;
}

static void test_path_join(void **state)
{
    static const char *const cases[][3] = {
        {"a", "b", "a/b"},   {"a/", "b", "a/b"}, {"/", "x", "/x"},
        {"", "b", "b"},      {"a", "/abs", "/abs"}, {"a/b", "c/d", "a/b/c/d"},
        {"a", "", "a/"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *p = hpolab_path_join(cases[i][0], cases[i][1]);
        assert_string_equal(p, cases[i][2]);
        free(p);
    }
}

static void test_mkdir_p(void **state)
{
    const char *tmp = *state;
    struct hpolab_error err;
    char *deep = join(tmp, "a/b//c/d/");
    assert_int_equal(hpolab_mkdir_p(deep, &err), HPOLAB_OK);
    assert_true(hpolab_is_dir(deep));
    assert_int_equal(hpolab_mkdir_p(deep, &err), HPOLAB_OK); /* exists: ok */
    free(deep);

    char *file = join(tmp, "a/file");
    write_text(file, "x");
    char *below = join(tmp, "a/file/sub");
    assert_int_equal(hpolab_mkdir_p(below, &err), HPOLAB_ERR_EXISTS);
    assert_non_null(strstr(err.message, "is not a folder"));
    assert_non_null(strstr(err.message, file));
    assert_int_equal(hpolab_mkdir_p(file, &err), HPOLAB_ERR_EXISTS);
    assert_int_equal(hpolab_mkdir_p("", &err), HPOLAB_ERR_INVALID);
    free(below);
    free(file);
}

static void test_write_and_read(void **state)
{
    const char *tmp = *state;
    struct hpolab_error err;
    char *path = join(tmp, "f.txt");
    assert_int_equal(hpolab_write_file_atomic(path, "hello", 5, &err),
                     HPOLAB_OK);
    char *text = slurp(path);
    assert_string_equal(text, "hello");
    free(text);
    /* replace with something shorter, and with binary data */
    const char bin[] = {'a', '\0', 'b'};
    assert_int_equal(hpolab_write_file_atomic(path, bin, 3, &err), HPOLAB_OK);
    size_t len;
    assert_int_equal(hpolab_read_file(path, &text, &len, &err), HPOLAB_OK);
    assert_int_equal(len, 3);
    assert_memory_equal(text, bin, 3);
    assert_int_equal(text[3], '\0');
    free(text);
    assert_int_equal(hpolab_write_file_atomic(path, "", 0, &err), HPOLAB_OK);
    text = slurp(path);
    assert_string_equal(text, "");
    free(text);
    /* new files get 0666 & ~umask, not mkstemp's 0600 */
    mode_t mask = umask(022);
    umask(mask);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0666 & ~mask);
    assert_int_equal(count_entries(tmp), 1); /* no temp file left */
    free(path);

    /* relative path: the temp file goes to the current folder */
    char cwd[4096];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(tmp), 0);
    assert_int_equal(hpolab_write_file_atomic("rel.txt", "r", 1, &err),
                     HPOLAB_OK);
    assert_int_equal(chdir(cwd), 0);
    char *rel = join(tmp, "rel.txt");
    text = slurp(rel);
    assert_string_equal(text, "r");
    free(text);
    free(rel);
}

static void test_read_missing(void **state)
{
    const char *tmp = *state;
    struct hpolab_error err;
    char *path = join(tmp, "nope.txt");
    char *text = (char *)1;
    assert_int_equal(hpolab_read_file(path, &text, NULL, &err),
                     HPOLAB_ERR_NOT_FOUND);
    assert_null(text);
    assert_non_null(strstr(err.message, path));
    assert_non_null(strstr(err.message, strerror(ENOENT)));
    free(path);
}

/* rename() cannot replace a non-empty folder: the write fails at the last
 * step, after the temp file was written. Works for root too. */
static void test_atomic_write_rename_fails(void **state)
{
    const char *tmp = *state;
    struct hpolab_error err;
    char *target = join(tmp, "target");
    assert_int_equal(mkdir(target, 0755), 0);
    char *inner = join(target, "keep.txt");
    write_text(inner, "old");
    assert_int_not_equal(hpolab_write_file_atomic(target, "new", 3, &err),
                         HPOLAB_OK);
    assert_int_equal(err.status, HPOLAB_ERR_IO);
    assert_non_null(strstr(err.message, target));
    assert_non_null(strstr(err.message, "renaming"));
    char *text = slurp(inner);
    assert_string_equal(text, "old");
    free(text);
    assert_int_equal(count_entries(tmp), 1); /* the temp file is gone */
    free(inner);
    free(target);
}

/* A full disk, simulated with a file size limit (EFBIG from write), which
 * even root cannot bypass. */
static void test_atomic_write_disk_full(void **state)
{
    const char *tmp = *state;
    struct hpolab_error err;
    char *path = join(tmp, "big.txt");
    write_text(path, "old content");
    size_t n = 1 << 20;
    char *data = malloc(n);
    assert_non_null(data);
    memset(data, 'x', n);
    struct rlimit old;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
    struct rlimit small = {.rlim_cur = 4096, .rlim_max = old.rlim_max};
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    int32_t st = hpolab_write_file_atomic(path, data, n, &err);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, old_handler);
    free(data);
    assert_int_equal(st, HPOLAB_ERR_IO);
    assert_non_null(strstr(err.message, path));
    assert_non_null(strstr(err.message, strerror(EFBIG)));
    char *text = slurp(path);
    assert_string_equal(text, "old content");
    free(text);
    assert_int_equal(count_entries(tmp), 1);
    free(path);
}

static void test_atomic_write_readonly_dir(void **state)
{
    const char *tmp = *state;
    struct hpolab_error err;
    char *dir = join(tmp, "ro");
    assert_int_equal(mkdir(dir, 0755), 0);
    char *path = join(dir, "f.txt");
    write_text(path, "old");
    assert_int_equal(chmod(dir, 0555), 0);
    if (!readonly_dirs_work(dir)) {
        free(path);
        free(dir);
        print_message("running as root: chmod 0555 does not stop writes; "
                      "the rename and disk-full tests cover the failure "
                      "paths\n");
        skip();
    }
    assert_int_equal(hpolab_write_file_atomic(path, "new", 3, &err),
                     HPOLAB_ERR_IO);
    assert_non_null(strstr(err.message, path));
    assert_non_null(strstr(err.message, strerror(EACCES)));
    char *text = slurp(path);
    assert_string_equal(text, "old");
    free(text);
    assert_int_equal(count_entries(dir), 1);

    assert_int_equal(hpolab_check_writable_dir(dir, &err), HPOLAB_ERR_IO);
    assert_non_null(strstr(err.message, "is not writable"));
    assert_non_null(strstr(err.message, dir));
    chmod(dir, 0755);
    free(path);
    free(dir);
}

static void test_check_writable_dir(void **state)
{
    const char *tmp = *state;
    struct hpolab_error err;
    char *dir = join(tmp, "results/new/folder");
    assert_int_equal(hpolab_check_writable_dir(dir, &err), HPOLAB_OK);
    assert_true(hpolab_is_dir(dir));
    assert_int_equal(count_entries(dir), 0); /* probe removed */
    char *file = join(tmp, "results/plain");
    write_text(file, "x");
    assert_int_equal(hpolab_check_writable_dir(file, &err), HPOLAB_ERR_EXISTS);
    assert_non_null(strstr(err.message, file));
    free(file);
    free(dir);
}

static void test_expand_user(void **state)
{
    const char *old = getenv("HOME");
    char *saved = old ? strdup(old) : NULL;
    setenv("HOME", "/home/tester/", 1);
    static const char *const cases[][2] = {
        {"~", "/home/tester"},
        {"~/hpolab", "/home/tester/hpolab"},
        {"~/", "/home/tester/"},
        {"/abs/~", "/abs/~"},
        {"rel", "rel"},
        {"~no-such-user-hpolab/x", "~no-such-user-hpolab/x"},
        {"~root/x", "/root/x"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *p = hpolab_expand_user(cases[i][0]);
        assert_string_equal(p, cases[i][1]);
        free(p);
    }
    setenv("HOME", "/", 1);
    char *p = hpolab_expand_user("~");
    assert_string_equal(p, "/");
    free(p);
    if (saved)
        setenv("HOME", saved, 1);
    else
        unsetenv("HOME");
    free(saved);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_path_join),
        cmocka_unit_test_setup_teardown(test_mkdir_p, setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(test_write_and_read, setup_tmp,
                                        teardown_tmp),
        cmocka_unit_test_setup_teardown(test_read_missing, setup_tmp,
                                        teardown_tmp),
        cmocka_unit_test_setup_teardown(test_atomic_write_rename_fails,
                                        setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(test_atomic_write_disk_full, setup_tmp,
                                        teardown_tmp),
        cmocka_unit_test_setup_teardown(test_atomic_write_readonly_dir,
                                        setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(test_check_writable_dir, setup_tmp,
                                        teardown_tmp),
        cmocka_unit_test(test_expand_user),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
