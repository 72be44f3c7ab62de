/* test_scan.c: the plugin search path (order, missing folders, duplicates)
 * and hpolab_loader_load_all's scan of it (which files are candidates, how
 * refusals are reported and kept). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "plugin_loader.h"
#include "registry.h"
#include "search_path.h"

#define MAX_LINES 256
static char lines[MAX_LINES][HPOLAB_ERROR_MAX + 64];
static int n_lines;

static void capture(int32_t level, const char *line, void *user)
{
    (void)level;
    (void)user;
    if (n_lines < MAX_LINES)
        snprintf(lines[n_lines++], sizeof lines[0], "%s", line);
}

static char root[PATH_MAX]; /* a fresh temporary folder per test */

static const char *at(const char *rel)
{
    static char bufs[8][PATH_MAX];
    static int next;
    char *b = bufs[next++ % 8];
    snprintf(b, PATH_MAX, "%s/%s", root, rel);
    return b;
}

static void make_dir(const char *rel) { assert_int_equal(mkdir(at(rel), 0755), 0); }

static void write_file(const char *rel, const char *text)
{
    FILE *f = fopen(at(rel), "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static char *saved_env[3];
static const char *const env_names[3] = {"HPOLAB_PLUGIN_PATH", "XDG_DATA_HOME",
                                         "HOME"};

static int remove_entry(const char *path, const struct stat *sb, int flag,
                        struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int setup(void **state)
{
    (void)state;
    snprintf(root, sizeof root, "/tmp/hpolab-scan-XXXXXX");
    if (!mkdtemp(root))
        return -1;
    char real[PATH_MAX];
    if (!realpath(root, real))
        return -1;
    snprintf(root, sizeof root, "%s", real);
    for (int i = 0; i < 3; i++) {
        const char *v = getenv(env_names[i]);
        saved_env[i] = v ? strdup(v) : NULL;
    }
    n_lines = 0;
    hpolab_log_set_sink(capture, NULL);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    hpolab_log_set_sink(NULL, NULL);
    for (int i = 0; i < 3; i++) {
        if (saved_env[i])
            setenv(env_names[i], saved_env[i], 1);
        else
            unsetenv(env_names[i]);
        free(saved_env[i]);
        saved_env[i] = NULL;
    }
    /* Only what this test made lives under root. */
    nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}

/* ---- search path ---------------------------------------------------------- */

static void test_user_dir(void **state)
{
    (void)state;
    char expected[PATH_MAX];
    setenv("XDG_DATA_HOME", "/xdg/data", 1);
    setenv("HOME", "/home/someone", 1);
    char *dir = hpolab_search_path_user_dir();
    snprintf(expected, sizeof expected, "/xdg/data/hpolab-%d/plugins",
             HPOLAB_ABI_MAJOR);
    assert_string_equal(dir, expected);
    free(dir);

    /* A relative XDG_DATA_HOME is invalid per the XDG spec: ignored. */
    setenv("XDG_DATA_HOME", "relative/data", 1);
    dir = hpolab_search_path_user_dir();
    snprintf(expected, sizeof expected,
             "/home/someone/.local/share/hpolab-%d/plugins", HPOLAB_ABI_MAJOR);
    assert_string_equal(dir, expected);
    free(dir);

    unsetenv("XDG_DATA_HOME");
    dir = hpolab_search_path_user_dir();
    assert_string_equal(dir, expected);
    free(dir);

    unsetenv("HOME");
    assert_null(hpolab_search_path_user_dir());
}

static void test_order_missing_and_duplicates(void **state)
{
    (void)state;
    make_dir("a");
    make_dir("b");
    make_dir("user");
    make_dir("install");
    assert_int_equal(symlink(at("a"), at("alias")), 0);
    write_file("file", "not a folder");
    char env[4 * PATH_MAX];
    snprintf(env, sizeof env, "%s::%s:%s:%s:%s:", at("a"), at("missing"),
             at("alias"), at("file"), at("b"));

    struct hpolab_search_path sp;
    struct hpolab_error err;
    assert_int_equal(hpolab_search_path_from(env, at("user"), at("install"),
                                             at("b"), &sp, &err),
                     HPOLAB_OK);
    const char *dirs[] = {at("a"), at("b"), at("user"), at("install")};
    assert_int_equal(sp.count, 4);
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(sp.dirs[i], dirs[i]);
    /* every candidate, as given, for messages; empty entries ignored */
    const char *looked[] = {at("a"), at("missing"), at("alias"), at("file"),
                            at("b"), at("user"), at("install"), at("b")};
    assert_int_equal(sp.n_looked, 8);
    for (size_t i = 0; i < 8; i++)
        assert_string_equal(sp.looked[i], looked[i]);
    hpolab_search_path_free(&sp);

    assert_int_equal(hpolab_search_path_from(NULL, NULL, NULL, NULL, &sp,
                                             &err),
                     HPOLAB_OK);
    assert_int_equal(sp.count, 0);
    assert_int_equal(sp.n_looked, 0);
    hpolab_search_path_free(&sp);
}

static void test_build_uses_environment(void **state)
{
    (void)state;
    make_dir("a");
    make_dir("b");
    make_dir("xdg");
    make_dir("xdg/hpolab-1");
    make_dir("xdg/hpolab-1/plugins");
    char env[2 * PATH_MAX + 2];
    snprintf(env, sizeof env, "%s:%s", at("b"), at("a"));
    setenv("HPOLAB_PLUGIN_PATH", env, 1);
    setenv("XDG_DATA_HOME", at("xdg"), 1);

    struct hpolab_search_path sp;
    struct hpolab_error err;
    assert_int_equal(hpolab_search_path_build(&sp, &err), HPOLAB_OK);
    /* then the install folder and the build tree's, where they exist */
    char fixed[2][PATH_MAX];
    const char *expected[5] = {at("b"), at("a"), at("xdg/hpolab-1/plugins")};
    size_t n = 3;
    if (realpath(HPOLAB_TEST_INSTALL_PLUGIN_DIR, fixed[0]))
        expected[n++] = fixed[0];
    if (realpath(HPOLAB_TEST_PLUGIN_DIR, fixed[1]))
        expected[n++] = fixed[1];
    assert_int_equal(sp.count, n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(sp.dirs[i], expected[i]);
    hpolab_search_path_free(&sp);
}

/* ---- scanning ---------------------------------------------------------------- */

static void test_nothing_to_scan(void **state)
{
    (void)state;
    struct hpolab_search_path sp;
    struct hpolab_error err;
    struct hpolab_registry *reg;
    assert_int_equal(hpolab_search_path_from("/nonexistent/a:/nonexistent/b",
                                             NULL, NULL, NULL, &sp, &err),
                     HPOLAB_OK);
    assert_int_equal(hpolab_registry_create(&reg, &err), HPOLAB_OK);
    assert_int_equal(hpolab_loader_load_path(reg, &sp, &err),
                     HPOLAB_ERR_NOT_FOUND);
    assert_string_equal(err.message,
                        "no plugin folder could be read (looked in: "
                        "/nonexistent/a, /nonexistent/b); set "
                        "HPOLAB_PLUGIN_PATH to the folder holding the "
                        "hpolab-*.so files");
    hpolab_search_path_free(&sp);

    /* an existing but empty folder is a successful scan of nothing */
    make_dir("empty");
    assert_int_equal(hpolab_search_path_from(at("empty"), NULL, NULL, NULL,
                                             &sp, &err),
                     HPOLAB_OK);
    assert_int_equal(hpolab_loader_load_path(reg, &sp, &err), HPOLAB_OK);
    assert_int_equal(hpolab_registry_component_count(reg), 0);
    hpolab_search_path_free(&sp);
    hpolab_registry_destroy(reg);
}

static size_t lines_mentioning(const char *s)
{
    size_t n = 0;
    for (int i = 0; i < n_lines; i++)
        n += strstr(lines[i], s) != NULL;
    return n;
}

static long plugin_index(const struct hpolab_registry *reg, const char *name)
{
    for (size_t i = 0; i < hpolab_registry_plugin_count(reg); i++)
        if (strcmp(hpolab_registry_plugin_at(reg, i)->name, name) == 0)
            return (long)i;
    return -1;
}


/* A folder or file that other users can write is refused, with one line
 * saying how to fix it, and kept in the refused list. */
static void test_untrusted_folder_and_file(void **state)
{
    (void)state;
    make_dir("open");
    assert_int_equal(chmod(at("open"), 0777), 0);
    make_dir("mine");
    write_file("mine/hpolab-searcher_fx_open.so", "anything\n");
    assert_int_equal(chmod(at("mine/hpolab-searcher_fx_open.so"), 0666), 0);
    char env[2 * PATH_MAX + 2];
    snprintf(env, sizeof env, "%s:%s", at("open"), at("mine"));
    struct hpolab_search_path sp;
    struct hpolab_error err;
    struct hpolab_registry *reg;
    assert_int_equal(hpolab_search_path_from(env, NULL, NULL, NULL, &sp, &err),
                     HPOLAB_OK);
    assert_int_equal(hpolab_registry_create(&reg, &err), HPOLAB_OK);
    assert_int_equal(hpolab_loader_load_path(reg, &sp, &err), HPOLAB_OK);
    assert_int_equal(hpolab_registry_rejected_count(reg), 2);
    char want[2][3 * PATH_MAX];
    snprintf(want[0], sizeof want[0],
             "plugin folder '%s' is writable by other users (mode 0777): "
             "refusing to load plugins from it; make it writable by its "
             "owner only (chmod go-w '%s')",
             at("open"), at("open"));
    snprintf(want[1], sizeof want[1],
             "plugin file '%s' is writable by other users (mode 0666): "
             "refusing to load plugins from it; make it writable by its "
             "owner only (chmod go-w '%s')",
             at("mine/hpolab-searcher_fx_open.so"),
             at("mine/hpolab-searcher_fx_open.so"));
    for (int i = 0; i < 2; i++) {
        const struct hpolab_rejected *r = hpolab_registry_rejected_at(reg, (size_t)i);
        assert_string_equal(r->reason, want[i]);
        assert_int_equal(lines_mentioning(want[i]), 1);
    }
    hpolab_search_path_free(&sp);
    hpolab_registry_destroy(reg);
}

static void test_load_all(void **state)
{
    (void)state;
    char scan[PATH_MAX];
    assert_non_null(realpath(HPOLAB_TEST_FIXTURE_DIR "/scan", scan));
    write_file("hpolab-searcher_fx_text.so", "not a shared object\n");
    write_file("notes.txt", "not a candidate\n");
    make_dir("hpolab-dir.so");
    char env[4 * PATH_MAX];
    /* the scan folder twice (once spelled differently): scanned once */
    snprintf(env, sizeof env, "%s::%s:%s/.", root, scan, scan);
    setenv("HPOLAB_PLUGIN_PATH", env, 1);
    setenv("XDG_DATA_HOME", at("xdg-none"), 1);

    struct hpolab_registry *reg;
    struct hpolab_error err;
    assert_int_equal(hpolab_registry_create(&reg, &err), HPOLAB_OK);
    assert_int_equal(hpolab_loader_load_all(reg, &err), HPOLAB_OK);

    const struct hpolab_component *c =
        hpolab_registry_find(reg, HPOLAB_KIND_SEARCHER, "fx_scan");
    assert_non_null(c);
    char expected[PATH_MAX + 64];
    snprintf(expected, sizeof expected, "%s/hpolab-searcher_fx_scan.so", scan);
    assert_string_equal(c->plugin->path, expected);
    assert_non_null(hpolab_registry_find(reg, HPOLAB_KIND_PLOTTER, "fx_multi"));
    /* in name order within a folder */
    long multi = plugin_index(reg, "scheduler_fx_multi");
    long single = plugin_index(reg, "searcher_fx_scan");
    assert_true(multi >= 0 && single > multi);
    /* not candidates: lib*.so, *.so.1, subfolders */
    assert_null(hpolab_registry_find(reg, HPOLAB_KIND_SEARCHER, "fx_unscanned"));
    assert_null(hpolab_registry_find(reg, HPOLAB_KIND_SEARCHER, "fx_suffix"));
    assert_null(hpolab_registry_find(reg, HPOLAB_KIND_SEARCHER, "fx_nested"));

    /* refused: the text file (first folder) and the ABI 2 plugin, each
     * kept with its reason and logged as exactly one warning line */
    const char *refused[2] = {at("hpolab-searcher_fx_text.so"), NULL};
    char major2[PATH_MAX + 64];
    snprintf(major2, sizeof major2, "%s/hpolab-searcher_fx_scan_major2.so",
             scan);
    refused[1] = major2;
    size_t found = 0;
    for (size_t i = 0; i < hpolab_registry_rejected_count(reg); i++) {
        const struct hpolab_rejected *r = hpolab_registry_rejected_at(reg, i);
        if (strncmp(r->path, root, strlen(root)) != 0 &&
            strncmp(r->path, scan, strlen(scan)) != 0)
            continue; /* a real plugin of the build tree */
        assert_true(found < 2);
        assert_string_equal(r->path, refused[found]);
        assert_non_null(strstr(r->reason, refused[found]));
        assert_int_equal(r->status,
                         found == 0 ? HPOLAB_ERR_PLUGIN : HPOLAB_ERR_ABI);
        assert_int_equal(lines_mentioning(refused[found]), 1);
        found++;
    }
    assert_int_equal(found, 2);
    snprintf(expected, sizeof expected,
             "plugin '%s' was built for hpolab ABI 2.x; this hpolab provides "
             "ABI %d.%d: rebuild it against hpolab %d.x",
             major2, HPOLAB_ABI_MAJOR, HPOLAB_ABI_MINOR, HPOLAB_ABI_MAJOR);
    assert_int_equal(lines_mentioning(expected), 1);
    /* loaded with a warning about its file name */
    assert_non_null(hpolab_registry_find(reg, HPOLAB_KIND_SEARCHER,
                                         "fx_scan_renamed"));
    assert_int_equal(lines_mentioning("the file should be named "
                                      "hpolab-searcher_fx_scan_renamed.so"),
                     1);
    /* nothing about the folder named like a plugin, nor a second pass */
    assert_int_equal(lines_mentioning("hpolab-dir.so"), 0);
    assert_int_equal(lines_mentioning("hpolab-searcher_fx_scan.so"), 0);
    hpolab_registry_destroy(reg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(test_user_dir),
        T(test_order_missing_and_duplicates),
        T(test_build_uses_environment),
        T(test_nothing_to_scan),
        T(test_load_all),
        T(test_untrusted_folder_and_file),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
