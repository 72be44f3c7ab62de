/* test_plugins_cmd.c: `hpolab plugins`, run in-process with its output
 * captured: the table, --kind, --json, --verbose, usage errors. The plugin
 * path holds the loader's scan fixtures; the build tree's real plugins are
 * listed too, so checks look for the fixture rows and at the order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <hpolab/abi.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

struct run {
    int rc;
    char *out; /* owned */
    char *err; /* owned */
};

static char *slurp(FILE *f)
{
    fflush(f);
    long n = ftell(f);
    char *s = malloc((size_t)n + 1);
    assert_non_null(s);
    rewind(f);
    size_t got = fread(s, 1, (size_t)n, f);
    s[got] = '\0';
    fclose(f);
    return s;
}

/* Runs hpolab_cmd_plugins with argv (NULL-terminated, argv[0] "plugins"),
 * capturing file descriptors 1 and 2. */
static struct run run_cmd(const char *const *args)
{
    char *argv[16];
    int argc = 0;
    for (; args[argc]; argc++)
        argv[argc] = (char *)args[argc];
    argv[argc] = NULL;

    FILE *out = tmpfile(), *err = tmpfile();
    assert_non_null(out);
    assert_non_null(err);
    fflush(stdout);
    fflush(stderr);
    int saved_out = dup(1), saved_err = dup(2);
    dup2(fileno(out), 1);
    dup2(fileno(err), 2);
    struct run r;
    r.rc = hpolab_cmd_plugins(argc, argv);
    fflush(stdout);
    fflush(stderr);
    dup2(saved_out, 1);
    dup2(saved_err, 2);
    close(saved_out);
    close(saved_err);
    fseek(out, 0, SEEK_END);
    fseek(err, 0, SEEK_END);
    r.out = slurp(out);
    r.err = slurp(err);
    return r;
}

static void run_free(struct run *r)
{
    free(r->out);
    free(r->err);
}

static char scan[PATH_MAX];

static int setup(void **state)
{
    (void)state;
    if (!realpath(HPOLAB_TEST_FIXTURE_DIR "/scan", scan))
        return -1;
    setenv("HPOLAB_PLUGIN_PATH", scan, 1);
    /* no user folder: only the fixtures and the build tree */
    setenv("XDG_DATA_HOME", "/nonexistent-hpolab-test", 1);
    return 0;
}

/* One table row split on runs of spaces: kind, name, version, abi, file. */
struct row {
    char kind[32], name[80], version[32], abi[16], file[PATH_MAX];
};

static size_t parse_rows(const char *text, struct row *rows, size_t max)
{
    size_t n = 0;
    const char *line = text;
    int header = 1;
    while (*line && *line != '\n' && n < max) {
        const char *end = strchr(line, '\n');
        if (!end)
            end = line + strlen(line);
        if (header) {
            assert_memory_equal(line, "KIND", 4);
            header = 0;
        } else {
            char buf[PATH_MAX + 256];
            snprintf(buf, sizeof buf, "%.*s", (int)(end - line), line);
            struct row *r = &rows[n++];
            assert_int_equal(sscanf(buf, "%31s %79s %31s %15s %4095s",
                                    r->kind, r->name, r->version, r->abi,
                                    r->file),
                             5);
        }
        line = *end ? end + 1 : end;
    }
    return n;
}

static long find_row(const struct row *rows, size_t n, const char *kind,
                     const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(rows[i].kind, kind) == 0 && strcmp(rows[i].name, name) == 0)
            return (long)i;
    return -1;
}

static void assert_sorted(const struct row *rows, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        int c = strcmp(rows[i - 1].kind, rows[i].kind);
        if (c == 0)
            c = strcmp(rows[i - 1].name, rows[i].name);
        if (c >= 0)
            fail_msg("rows %zu and %zu out of order: %s %s, %s %s", i - 1, i,
                     rows[i - 1].kind, rows[i - 1].name, rows[i].kind,
                     rows[i].name);
    }
}

static void test_table(void **state)
{
    (void)state;
    const char *args[] = {"plugins", NULL};
    struct run r = run_cmd(args);
    assert_int_equal(r.rc, 0);
    static struct row rows[128];
    size_t n = parse_rows(r.out, rows, 128);
    assert_sorted(rows, n);
    char abi[16];
    snprintf(abi, sizeof abi, "%d.%d", HPOLAB_ABI_MAJOR, HPOLAB_ABI_MINOR);
    char multi[PATH_MAX + 64];
    snprintf(multi, sizeof multi, "%s/hpolab-scheduler_fx_multi.so", scan);
    static const char *const expect[][2] = {
        {"backend", "fx_multi"},    {"plotter", "fx_multi"},
        {"scheduler", "fx_multi"},  {"searcher", "fx_multi_a"},
        {"searcher", "fx_multi_b"}, {"searcher", "fx_scan"},
    };
    long last = -1;
    for (size_t i = 0; i < 6; i++) {
        long at = find_row(rows, n, expect[i][0], expect[i][1]);
        if (at < 0)
            fail_msg("no row %s %s in:\n%s", expect[i][0], expect[i][1],
                     r.out);
        assert_true(at > last);
        last = at;
        assert_string_equal(rows[at].abi, abi);
        if (strcmp(expect[i][1], "fx_scan") == 0) {
            assert_string_equal(rows[at].version, "1.2.3");
        } else {
            assert_string_equal(rows[at].version, "0.9.1");
            assert_string_equal(rows[at].file, multi);
        }
    }
    /* the refused file is a warning on stderr, not a row */
    assert_non_null(strstr(r.err, "hpolab-searcher_fx_scan_major2.so"));
    assert_non_null(strstr(r.err, "was built for hpolab ABI 2.x"));
    assert_null(strstr(r.out, "major2"));
    run_free(&r);
}

static void test_kind_filter(void **state)
{
    (void)state;
    const char *args[] = {"plugins", "--kind", "searchers", NULL};
    struct run r = run_cmd(args);
    assert_int_equal(r.rc, 0);
    static struct row rows[128];
    size_t n = parse_rows(r.out, rows, 128);
    assert_true(n >= 3);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(rows[i].kind, "searcher");
    assert_true(find_row(rows, n, "searcher", "fx_scan") >= 0);
    run_free(&r);

    const char *args2[] = {"plugins", "--kind=plotter", NULL};
    r = run_cmd(args2);
    assert_int_equal(r.rc, 0);
    n = parse_rows(r.out, rows, 128);
    assert_true(find_row(rows, n, "plotter", "fx_multi") >= 0);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(rows[i].kind, "plotter");
    run_free(&r);
}

static void test_unknown_kind(void **state)
{
    (void)state;
    const char *args[] = {"plugins", "--kind", "foo", NULL};
    struct run r = run_cmd(args);
    assert_int_equal(r.rc, 2);
    assert_string_equal(r.out, "");
    assert_string_equal(r.err, "hpolab plugins: unknown kind 'foo'; kinds: "
                               "scheduler, searcher, backend, plotter, "
                               "preset\n");
    run_free(&r);
}

static void test_usage(void **state)
{
    (void)state;
    const char *help[] = {"plugins", "--help", NULL};
    struct run r = run_cmd(help);
    assert_int_equal(r.rc, 0);
    const char *u = "usage: hpolab plugins [--kind K] [--json] [--verbose]\n";
    assert_memory_equal(r.out, u, strlen(u));
    assert_string_equal(r.err, "");
    run_free(&r);

    const char *bad[] = {"plugins", "--jsn", NULL};
    r = run_cmd(bad);
    assert_int_equal(r.rc, 2);
    assert_string_equal(r.err, "hpolab plugins: unknown argument '--jsn' (see "
                               "'hpolab plugins --help')\n");
    run_free(&r);

    const char *missing[] = {"plugins", "--kind", NULL};
    r = run_cmd(missing);
    assert_int_equal(r.rc, 2);
    assert_non_null(strstr(r.err, "--kind needs a value"));
    run_free(&r);
}

static void test_json(void **state)
{
    (void)state;
    const char *args[] = {"plugins", "--json", NULL};
    struct run r = run_cmd(args);
    assert_int_equal(r.rc, 0);
    json_error_t jerr;
    json_t *arr = json_loads(r.out, 0, &jerr);
    if (!arr)
        fail_msg("not JSON (%s): %s", jerr.text, r.out);
    assert_true(json_is_array(arr));
    size_t i;
    json_t *o;
    const char *prev_kind = "", *prev_name = "";
    int seen = 0;
    json_array_foreach(arr, i, o)
    {
        static const char *const keys[] = {"kind", "name", "version", "abi",
                                           "file"};
        static const char *const preset_keys[] = {"kind", "name", "scheduler",
                                                  "searcher", "file"};
        int preset = strcmp(json_string_value(json_object_get(o, "kind")),
                            "preset") == 0;
        for (size_t k = 0; k < 5; k++)
            assert_true(json_is_string(
                json_object_get(o, preset ? preset_keys[k] : keys[k])));
        assert_null(json_object_get(o, "state"));
        const char *kind = json_string_value(json_object_get(o, "kind"));
        const char *name = json_string_value(json_object_get(o, "name"));
        int c = strcmp(prev_kind, kind);
        assert_true(c < 0 || (c == 0 && strcmp(prev_name, name) < 0));
        prev_kind = kind;
        prev_name = name;
        if (strcmp(kind, "searcher") == 0 && strcmp(name, "fx_scan") == 0) {
            char abi[16], file[PATH_MAX + 64];
            snprintf(abi, sizeof abi, "%d.%d", HPOLAB_ABI_MAJOR,
                     HPOLAB_ABI_MINOR);
            snprintf(file, sizeof file, "%s/hpolab-searcher_fx_scan.so", scan);
            assert_string_equal(
                json_string_value(json_object_get(o, "version")), "1.2.3");
            assert_string_equal(json_string_value(json_object_get(o, "abi")),
                                abi);
            assert_string_equal(json_string_value(json_object_get(o, "file")),
                                file);
            assert_string_equal(
                json_string_value(json_object_get(o, "plugin")),
                "searcher_fx_scan");
            seen++;
        }
    }
    assert_int_equal(seen, 1);
    json_decref(arr);
    run_free(&r);
}

static void test_verbose(void **state)
{
    (void)state;
    char major2[PATH_MAX + 64];
    snprintf(major2, sizeof major2, "%s/hpolab-searcher_fx_scan_major2.so",
             scan);
    const char *args[] = {"plugins", "--verbose", NULL};
    struct run r = run_cmd(args);
    assert_int_equal(r.rc, 0);
    const char *section = strstr(r.out, "\nrefused files:\n");
    assert_non_null(section);
    char line[PATH_MAX + 256];
    snprintf(line, sizeof line,
             "  plugin '%s' was built for hpolab ABI 2.x; this hpolab "
             "provides ABI %d.%d: rebuild it against hpolab %d.x\n",
             major2, HPOLAB_ABI_MAJOR, HPOLAB_ABI_MINOR, HPOLAB_ABI_MAJOR);
    assert_non_null(strstr(section, line));
    /* listed, so not warned about a second time; other warnings stay */
    assert_null(strstr(r.err, major2));
    assert_non_null(strstr(r.err, "hpolab: warning: plugin "
                                  "'searcher_fx_scan_renamed' ("));
    run_free(&r);

    const char *jargs[] = {"plugins", "--json", "--verbose", NULL};
    r = run_cmd(jargs);
    assert_int_equal(r.rc, 0);
    json_t *arr = json_loads(r.out, 0, NULL);
    assert_non_null(arr);
    size_t i;
    json_t *o;
    int rejected = 0, loaded = 0;
    json_array_foreach(arr, i, o)
    {
        const char *st = json_string_value(json_object_get(o, "state"));
        assert_non_null(st);
        if (strcmp(st, "loaded") == 0) {
            loaded++;
            continue;
        }
        assert_string_equal(st, "rejected");
        assert_true(json_is_null(json_object_get(o, "kind")));
        if (strcmp(json_string_value(json_object_get(o, "file")), major2) == 0) {
            assert_non_null(strstr(
                json_string_value(json_object_get(o, "reason")),
                "was built for hpolab ABI 2.x"));
            rejected++;
        }
    }
    assert_int_equal(rejected, 1);
    assert_true(loaded >= 6);
    json_decref(arr);
    run_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),       cmocka_unit_test(test_kind_filter),
        cmocka_unit_test(test_unknown_kind), cmocka_unit_test(test_usage),
        cmocka_unit_test(test_json),        cmocka_unit_test(test_verbose),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
