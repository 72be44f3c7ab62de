/* test_loader.c: every way the loader accepts or refuses a plugin file, the
 * registration checks of the registry, and the registry's lookups. Each
 * refusal asserts the status and the one line the user sees. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "plugin_loader.h"
#include "registry.h"

/* ---- helpers ------------------------------------------------------------ */

#define MAX_LINES 64
static char lines[MAX_LINES][HPOLAB_ERROR_MAX + 64];
static int n_lines;

static void capture(int32_t level, const char *line, void *user)
{
    (void)level;
    (void)user;
    if (n_lines < MAX_LINES)
        snprintf(lines[n_lines++], sizeof lines[0], "%s", line);
}

/* Absolute, canonical path of a fixture (what the loader reports). */
static const char *fixture(const char *group, const char *file)
{
    static char bufs[4][PATH_MAX];
    static int next;
    char raw[PATH_MAX];
    snprintf(raw, sizeof raw, "%s/%s/%s", HPOLAB_TEST_FIXTURE_DIR, group,
             file);
    char *buf = bufs[next++ % 4];
    if (!realpath(raw, buf))
        fail_msg("fixture %s is missing (build the loader_fixtures target)",
                 raw);
    return buf;
}

static int setup(void **state)
{
    struct hpolab_registry *reg;
    struct hpolab_error err;
    assert_int_equal(hpolab_registry_create(&reg, &err), HPOLAB_OK);
    n_lines = 0;
    hpolab_log_set_sink(capture, NULL);
    *state = reg;
    return 0;
}

static int teardown(void **state)
{
    hpolab_registry_destroy(*state);
    hpolab_log_set_sink(NULL, NULL);
    return 0;
}

/* Loads file and expects a refusal with status and exactly the line. */
static void expect_refusal(struct hpolab_registry *reg, const char *path,
                           int32_t status, const char *line)
{
    struct hpolab_error err;
    hpolab_error_clear(&err);
    size_t before = hpolab_registry_component_count(reg);
    size_t plugins = hpolab_registry_plugin_count(reg);
    assert_int_equal(hpolab_loader_load_file(reg, path, &err), status);
    assert_int_equal(err.status, status);
    assert_string_equal(err.message, line);
    assert_null(strchr(err.message, '\n'));
    assert_int_equal(hpolab_registry_component_count(reg), before);
    assert_int_equal(hpolab_registry_plugin_count(reg), plugins);
}

static void load_ok(struct hpolab_registry *reg, const char *path)
{
    struct hpolab_error err;
    hpolab_error_clear(&err);
    int32_t st = hpolab_loader_load_file(reg, path, &err);
    if (st != HPOLAB_OK)
        fail_msg("%s: %s", path, err.message);
}

static char *fmt(const char *f, ...) HPOLAB_PRINTF(1, 2);
static char *fmt(const char *f, ...)
{
    static char buf[HPOLAB_ERROR_MAX];
    va_list ap;
    va_start(ap, f);
    vsnprintf(buf, sizeof buf, f, ap);
    va_end(ap);
    return buf;
}

static int is_loaded(const char *path)
{
    void *h = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
    if (h)
        dlclose(h);
    return h != NULL;
}

/* ---- accepted ------------------------------------------------------------ */

static void test_good_plugin(void **state)
{
    struct hpolab_registry *reg = *state;
    const char *path = fixture("single", "hpolab-searcher_fx_good.so");
    load_ok(reg, path);
    assert_int_equal(n_lines, 0);
    assert_int_equal(hpolab_registry_plugin_count(reg), 1);
    const struct hpolab_plugin *p = hpolab_registry_plugin_at(reg, 0);
    assert_string_equal(p->name, "searcher_fx_good");
    assert_string_equal(p->version, "1.2.3");
    assert_string_equal(p->description, "loader fixture");
    assert_string_equal(p->path, path);
    assert_int_equal(p->abi_major, HPOLAB_ABI_MAJOR);
    assert_int_equal(p->abi_minor, HPOLAB_ABI_MINOR);
    assert_ptr_equal(hpolab_registry_find_plugin(reg, "searcher_fx_good"), p);

    const struct hpolab_component *c =
        hpolab_registry_find(reg, HPOLAB_KIND_SEARCHER, "fx_good");
    assert_non_null(c);
    assert_ptr_equal(c->plugin, p);
    assert_string_equal(c->id, "fx_good");
    assert_string_equal(c->description, "fixture searcher");
    assert_int_equal(c->class_size, sizeof(struct hpolab_searcher_class));
    assert_non_null(c->cls.searcher.suggest);
    assert_null(c->cls.searcher.save);
    assert_null(hpolab_registry_find(reg, HPOLAB_KIND_SCHEDULER, "fx_good"));
    assert_int_equal(hpolab_registry_rejected_count(reg), 0);
}

static void test_relative_path_is_made_absolute(void **state)
{
    struct hpolab_registry *reg = *state;
    const char *path = fixture("single", "hpolab-searcher_fx_good.so");
    char cwd[PATH_MAX];
    assert_non_null(getcwd(cwd, sizeof cwd));
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    *strrchr(dir, '/') = '\0';
    assert_int_equal(chdir(dir), 0);
    load_ok(reg, "./hpolab-searcher_fx_good.so");
    assert_int_equal(chdir(cwd), 0);
    assert_string_equal(hpolab_registry_plugin_at(reg, 0)->path, path);
}

static void test_other_file_name_warns(void **state)
{
    struct hpolab_registry *reg = *state;
    const char *path = fixture("single", "hpolab-renamed.so");
    load_ok(reg, path);
    assert_non_null(hpolab_registry_find(reg, HPOLAB_KIND_SEARCHER,
                                         "fx_renamed"));
    assert_int_equal(n_lines, 1);
    assert_string_equal(lines[0],
                        fmt("plugin 'searcher_fx_renamed' (%s): the file "
                            "should be named hpolab-searcher_fx_renamed.so; "
                            "loading it anyway",
                            path));
}

static void test_multi_kind_plugin(void **state)
{
    struct hpolab_registry *reg = *state;
    load_ok(reg, fixture("single", "hpolab-scheduler_fx_cls_multi.so"));
    assert_int_equal(hpolab_registry_component_count(reg), 5);
    for (int32_t k = 0; k < HPOLAB_KIND_COUNT; k++) {
        const char *id = k == HPOLAB_KIND_SEARCHER ? "fx_multi_a" : "fx_multi";
        const struct hpolab_component *c = hpolab_registry_find(reg, k, id);
        assert_non_null(c);
        assert_int_equal(c->kind, k);
    }
    const struct hpolab_component *b =
        hpolab_registry_find(reg, HPOLAB_KIND_BACKEND, "fx_multi");
    assert_non_null(b->cls.backend.wait_events);
    assert_null(b->cls.backend.stop_all);
    assert_string_equal(b->description, "fixture backend");
}

/* ---- refused: the file and its descriptor -------------------------------- */

static void test_not_a_shared_object(void **state)
{
    struct hpolab_registry *reg = *state;
    char dir[] = "/tmp/hpolab-loader-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/hpolab-searcher_text.so", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("this is not a shared object\n", f);
    fclose(f);
    char real[PATH_MAX];
    assert_non_null(realpath(path, real));

    struct hpolab_error err;
    assert_int_equal(hpolab_loader_load_file(reg, path, &err),
                     HPOLAB_ERR_PLUGIN);
    const char *head = fmt("plugin file '%s': cannot load: ", real);
    assert_memory_equal(err.message, head, strlen(head));
    const char *tail = "; is it a plugin built for this system? Missing "
                       "dependencies? Check with ldd(1)";
    size_t n = strlen(err.message);
    assert_true(n > strlen(tail));
    assert_string_equal(err.message + n - strlen(tail), tail);
    assert_null(strchr(err.message, '\n'));
    unlink(path);
    rmdir(dir);
}

static void test_missing_file(void **state)
{
    expect_refusal(*state, "/nonexistent/hpolab-searcher_x.so",
                   HPOLAB_ERR_PLUGIN,
                   "plugin file '/nonexistent/hpolab-searcher_x.so': cannot "
                   "load: No such file or directory");
}

static void test_no_entry_symbol(void **state)
{
    const char *path = fixture("single", "hpolab-searcher_fx_noentry.so");
    expect_refusal(*state, path, HPOLAB_ERR_PLUGIN,
                   fmt("'%s' is not a hpolab plugin (no hpolab_plugin_entry "
                       "symbol); build it with HPOLAB_PLUGIN_DEFINE, or move "
                       "it out of the plugin folder",
                       path));
}

static void test_entry_returns_null(void **state)
{
    const char *path = fixture("single", "hpolab-searcher_fx_entrynull.so");
    expect_refusal(*state, path, HPOLAB_ERR_PLUGIN,
                   fmt("plugin '%s': hpolab_plugin_entry() returned NULL; "
                       "build it with HPOLAB_PLUGIN_DEFINE",
                       path));
}

static void test_other_major(void **state)
{
    const char *path = fixture("single", "hpolab-searcher_fx_major2.so");
    const char *keep = getenv("HPOLAB_NO_DLCLOSE");
    char *saved = keep ? strdup(keep) : NULL;
    unsetenv("HPOLAB_NO_DLCLOSE");
    expect_refusal(*state, path, HPOLAB_ERR_ABI,
                   fmt("plugin '%s' was built for hpolab ABI 2.x; this hpolab "
                       "provides ABI %d.%d: rebuild it against hpolab %d.x",
                       path, HPOLAB_ABI_MAJOR, HPOLAB_ABI_MINOR,
                       HPOLAB_ABI_MAJOR));
    /* A refused file does not stay mapped. */
    assert_false(is_loaded(path));
    if (saved)
        setenv("HPOLAB_NO_DLCLOSE", saved, 1);
    free(saved);
}

static void test_newer_minor(void **state)
{
    const char *path = fixture("single", "hpolab-searcher_fx_minor.so");
    expect_refusal(*state, path, HPOLAB_ERR_ABI,
                   fmt("plugin 'searcher_fx_minor' (%s) needs hpolab ABI "
                       "%d.%d; this hpolab provides ABI %d.%d: upgrade hpolab "
                       "or rebuild the plugin against hpolab %d.%d",
                       path, HPOLAB_ABI_MAJOR, HPOLAB_ABI_MINOR + 1,
                       HPOLAB_ABI_MAJOR, HPOLAB_ABI_MINOR, HPOLAB_ABI_MAJOR,
                       HPOLAB_ABI_MINOR));
}

static void test_descriptor_too_small(void **state)
{
    const char *path = fixture("single", "hpolab-searcher_fx_small.so");
    expect_refusal(*state, path, HPOLAB_ERR_ABI,
                   fmt("plugin '%s': descriptor size 24 is smaller than the "
                       "%zu bytes of ABI 1.0: rebuild it against hpolab %d.x "
                       "(use HPOLAB_PLUGIN_DEFINE)",
                       path, sizeof(struct hpolab_plugin_info),
                       HPOLAB_ABI_MAJOR));
    path = fixture("single", "hpolab-searcher_fx_tiny.so");
    expect_refusal(*state, path, HPOLAB_ERR_ABI,
                   fmt("plugin '%s': descriptor size 4 is smaller than the "
                       "%zu bytes of ABI 1.0: rebuild it against hpolab %d.x",
                       path, sizeof(struct hpolab_plugin_info),
                       HPOLAB_ABI_MAJOR));
}

static void test_required_descriptor_fields(void **state)
{
    const char *path = fixture("single", "hpolab-searcher_fx_noname.so");
    expect_refusal(*state, path, HPOLAB_ERR_PLUGIN,
                   fmt("plugin '%s': descriptor field 'name' is missing; set "
                       "it in HPOLAB_PLUGIN_DEFINE",
                       path));
    static const char *const fields[][2] = {
        {"hpolab-searcher_fx_noversion.so", "version"},
        {"hpolab-searcher_fx_nodesc.so", "description"},
        {"hpolab-searcher_fx_noinit.so", "init"},
    };
    for (size_t i = 0; i < 3; i++) {
        path = fixture("single", fields[i][0]);
        char name[64];
        snprintf(name, sizeof name, "%s", fields[i][0] + strlen("hpolab-"));
        name[strlen(name) - 3] = '\0';
        expect_refusal(*state, path, HPOLAB_ERR_PLUGIN,
                       fmt("plugin '%s' (%s): descriptor field '%s' is "
                           "missing; set it in HPOLAB_PLUGIN_DEFINE",
                           name, path, fields[i][1]));
    }
}

static void test_invalid_name(void **state)
{
    const char *path = fixture("single", "hpolab-searcher_fx_badname.so");
    expect_refusal(*state, path, HPOLAB_ERR_PLUGIN,
                   fmt("plugin '%s': name 'Searcher-Bad' is not valid: use 1 "
                       "to 64 lowercase letters, digits or '_' ([a-z0-9_]+), "
                       "e.g. searcher_mine",
                       path));
}

static void test_name_without_kind(void **state)
{
    const char *path = fixture("single", "hpolab-widget_fx.so");
    expect_refusal(*state, path, HPOLAB_ERR_PLUGIN,
                   fmt("plugin 'widget_fx' (%s): the name must start with "
                       "the kind it provides and '_' (scheduler_, searcher_, "
                       "backend_, plotter_), e.g. searcher_widget_fx; rename "
                       "it",
                       path));
}

/* ---- refused: init and registration --------------------------------------- */

static void test_init_registers_nothing(void **state)
{
    const char *path = fixture("single", "hpolab-searcher_fx_noregister.so");
    expect_refusal(*state, path, HPOLAB_ERR_PLUGIN,
                   fmt("plugin 'searcher_fx_noregister' (%s): init registered "
                       "no component; call hpolab_register_<kind>() in init",
                       path));
}

static void test_init_fails_and_rolls_back(void **state)
{
    struct hpolab_registry *reg = *state;
    const char *path = fixture("single", "hpolab-searcher_fx_initfail.so");
    expect_refusal(reg, path, HPOLAB_ERR_PLUGIN,
                   fmt("plugin 'searcher_fx_initfail' (%s): init failed: "
                       "invalid argument: fixture init refuses: no licence "
                       "key",
                       path));
    /* init registered fx_initfail before failing: it must be gone. */
    assert_null(hpolab_registry_find(reg, HPOLAB_KIND_SEARCHER, "fx_initfail"));
    assert_null(hpolab_registry_find_plugin(reg, "searcher_fx_initfail"));
    /* The id is free again for a good plugin. */
    load_ok(reg, fixture("single", "hpolab-searcher_fx_good.so"));
}

static void test_register_outside_init(void **state)
{
    struct hpolab_registry *reg = *state;
    load_ok(reg, fixture("single", "hpolab-searcher_fx_outside.so"));
    const struct hpolab_component *c =
        hpolab_registry_find(reg, HPOLAB_KIND_SEARCHER, "fx_outside");
    assert_non_null(c);
    struct hpolab_ctx ctx;
    hpolab_ctx_init(&ctx, "searcher", c->id, reg);
    void *instance = NULL;
    /* The fixture's create calls register_searcher. */
    assert_int_equal(c->cls.searcher.create(&ctx, NULL, &instance),
                     HPOLAB_ERR_STATE);
    const char *msg = "register_searcher called outside the plugin's init: "
                      "components can only be registered while the plugin "
                      "loads; ignored";
    assert_string_equal(ctx.err.message, msg);
    assert_int_equal(n_lines, 1);
    assert_string_equal(lines[0], fmt("[searcher:fx_outside] %s", msg));
    assert_int_equal(hpolab_registry_component_count(reg), 1);
}

static void test_same_plugin_name_twice(void **state)
{
    struct hpolab_registry *reg = *state;
    const char *first = fixture("single", "hpolab-searcher_fx_good.so");
    const char *second = fixture("dup", "hpolab-searcher_fx_good.so");
    load_ok(reg, first);
    expect_refusal(reg, second, HPOLAB_ERR_EXISTS,
                   fmt("plugin 'searcher_fx_good' from '%s' ignored: already "
                       "loaded from '%s'; remove one of the two files",
                       second, first));
    assert_null(hpolab_registry_find(reg, HPOLAB_KIND_SEARCHER,
                                     "fx_good_copy"));
}

static void test_same_component_id_twice(void **state)
{
    struct hpolab_registry *reg = *state;
    const char *first = fixture("single", "hpolab-searcher_fx_good.so");
    const char *second = fixture("single", "hpolab-searcher_fx_dupid.so");
    load_ok(reg, first);
    expect_refusal(reg, second, HPOLAB_ERR_EXISTS,
                   fmt("plugin 'searcher_fx_dupid' (%s): searcher 'fx_good' is "
                       "already provided by plugin 'searcher_fx_good' (%s); "
                       "remove one of the two files",
                       second, first));
    const struct hpolab_component *c =
        hpolab_registry_find(reg, HPOLAB_KIND_SEARCHER, "fx_good");
    assert_string_equal(c->plugin->path, first);
}

static const char *cls_fixture(const char *kind, const char *name)
{
    char file[128];
    snprintf(file, sizeof file, "hpolab-%s_fx_cls_%s.so", kind, name);
    return fixture("single", file);
}

static void test_class_smaller_than_1_0(void **state)
{
    const char *path = cls_fixture("searcher", "small");
    expect_refusal(*state, path, HPOLAB_ERR_ABI,
                   fmt("plugin 'searcher_fx_cls_small' (%s): searcher "
                       "'fx_small': class size %zu is smaller than the %zu "
                       "bytes of ABI 1.0; rebuild the plugin against hpolab "
                       "%d.x",
                       path,
                       offsetof(struct hpolab_searcher_class, on_trial_result),
                       sizeof(struct hpolab_searcher_class),
                       HPOLAB_ABI_MAJOR));
}

static void test_class_larger_zero_tail_accepted(void **state)
{
    struct hpolab_registry *reg = *state;
    load_ok(reg, cls_fixture("searcher", "big_zero"));
    const struct hpolab_component *c =
        hpolab_registry_find(reg, HPOLAB_KIND_SEARCHER, "fx_big");
    assert_non_null(c);
    /* the fixture's class is ours plus a function pointer and a uint64_t */
    assert_int_equal(c->class_size,
                     sizeof(struct hpolab_searcher_class) + 16);
    assert_int_equal(c->cls.searcher.struct_size,
                     sizeof(struct hpolab_searcher_class));
    assert_int_equal(n_lines, 0);
}

static void test_class_larger_with_tail_refused(void **state)
{
    const char *path = cls_fixture("searcher", "big_tail");
    expect_refusal(*state, path, HPOLAB_ERR_ABI,
                   fmt("plugin 'searcher_fx_cls_big_tail' (%s): searcher "
                       "'fx_big': class size %zu > %zu known to this hpolab "
                       "(ABI %d.%d) and it uses the newer fields; upgrade "
                       "hpolab",
                       path, sizeof(struct hpolab_searcher_class) + 16,
                       sizeof(struct hpolab_searcher_class), HPOLAB_ABI_MAJOR,
                       HPOLAB_ABI_MINOR));
}

static void test_struct_size_field_disagrees(void **state)
{
    const char *path = cls_fixture("searcher", "sizefield");
    expect_refusal(*state, path, HPOLAB_ERR_ABI,
                   fmt("plugin 'searcher_fx_cls_sizefield' (%s): searcher "
                       "'fx_sizefield': struct_size says 8 bytes but %zu were "
                       "registered; set .struct_size = sizeof the class",
                       path, sizeof(struct hpolab_searcher_class)));
}

static void test_required_callbacks(void **state)
{
    static const char *const cases[][4] = {
        {"searcher", "no_suggest", "fx_nosuggest", "suggest"},
        {"scheduler", "noresult", "fx_noresult", "on_trial_result"},
        {"backend", "nowait", "fx_nowait", "wait_events"},
        {"plotter", "norender", "fx_norender", "render"},
    };
    for (size_t i = 0; i < 4; i++) {
        const char *path = cls_fixture(cases[i][0], cases[i][1]);
        expect_refusal(*state, path, HPOLAB_ERR_PLUGIN,
                       fmt("plugin '%s_fx_cls_%s' (%s): %s '%s': required "
                           "callback '%s' is missing",
                           cases[i][0], cases[i][1], path, cases[i][0],
                           cases[i][2], cases[i][3]));
    }
}

static void test_component_ids(void **state)
{
    const char *path = cls_fixture("searcher", "badid");
    expect_refusal(*state, path, HPOLAB_ERR_PLUGIN,
                   fmt("plugin 'searcher_fx_cls_badid' (%s): searcher id "
                       "'Bad Id' is not valid: use 1 to 64 lowercase letters, "
                       "digits or '_' ([a-z0-9_]+)",
                       path));
    path = cls_fixture("searcher", "nullid");
    expect_refusal(*state, path, HPOLAB_ERR_PLUGIN,
                   fmt("plugin 'searcher_fx_cls_nullid' (%s): searcher class "
                       "has no id; set .id",
                       path));
}

static void test_refusal_ignored_by_init_still_refuses(void **state)
{
    struct hpolab_registry *reg = *state;
    const char *path = cls_fixture("searcher", "twice");
    expect_refusal(reg, path, HPOLAB_ERR_EXISTS,
                   fmt("plugin 'searcher_fx_cls_twice' (%s): searcher "
                       "'fx_twice' is registered twice",
                       path));
    assert_null(hpolab_registry_find(reg, HPOLAB_KIND_SEARCHER, "fx_twice"));
    /* a good scheduler, then a bad searcher: the scheduler goes too */
    path = cls_fixture("scheduler", "partial");
    expect_refusal(reg, path, HPOLAB_ERR_PLUGIN,
                   fmt("plugin 'scheduler_fx_cls_partial' (%s): searcher id "
                       "'BAD' is not valid: use 1 to 64 lowercase letters, "
                       "digits or '_' ([a-z0-9_]+)",
                       path));
    assert_null(hpolab_registry_find(reg, HPOLAB_KIND_SCHEDULER, "fx_multi"));
}

static void test_unknown_kind_at_registration(void **state)
{
    struct hpolab_registry *reg = *state;
    char path[] = "/fake/hpolab-searcher_fake.so";
    char name[] = "searcher_fake";
    struct hpolab_plugin fake = {.path = path, .name = name};
    struct hpolab_ctx ctx;
    hpolab_ctx_init(&ctx, "plugin", name, reg);
    ctx.plugin = &fake;
    ctx.init_window = 1;
    struct hpolab_plotter_class cls = {0};
    cls.struct_size = sizeof cls;
    cls.id = "fake";
    const char *msg = fmt("component kind 7 is not known to this hpolab (ABI "
                          "%d.%d knows scheduler, searcher, backend, "
                          "plotter); upgrade hpolab",
                          HPOLAB_ABI_MAJOR, HPOLAB_ABI_MINOR);
    char expected[HPOLAB_ERROR_MAX];
    snprintf(expected, sizeof expected, "%s", msg);
    assert_int_equal(hpolab_registry_register(&ctx, 7, &cls, sizeof cls),
                     HPOLAB_ERR_UNSUPPORTED);
    assert_string_equal(ctx.err.message, expected);
    struct hpolab_error err;
    assert_int_equal(hpolab_registry_take_refusal(reg, &err),
                     HPOLAB_ERR_UNSUPPORTED);
    assert_string_equal(err.message, expected);
    assert_int_equal(hpolab_registry_take_refusal(reg, &err), HPOLAB_OK);
    assert_int_equal(hpolab_registry_register(&ctx, -1, &cls, sizeof cls),
                     HPOLAB_ERR_UNSUPPORTED);
    hpolab_registry_take_refusal(reg, NULL);
    assert_int_equal(hpolab_registry_component_count(reg), 0);
    assert_int_equal(hpolab_registry_register(&ctx, HPOLAB_KIND_PLOTTER, NULL,
                                              sizeof cls),
                     HPOLAB_ERR_INVALID);
    hpolab_registry_take_refusal(reg, NULL);
    assert_int_equal(n_lines, 0);
}

/* ---- names, kinds and lookups --------------------------------------------- */

static void test_kinds_and_names(void **state)
{
    (void)state;
    assert_int_equal(hpolab_kind_from_name("scheduler"), HPOLAB_KIND_SCHEDULER);
    assert_int_equal(hpolab_kind_from_name("searchers"), HPOLAB_KIND_SEARCHER);
    assert_int_equal(hpolab_kind_from_name("backend"), HPOLAB_KIND_BACKEND);
    assert_int_equal(hpolab_kind_from_name("plotters"), HPOLAB_KIND_PLOTTER);
    assert_int_equal(hpolab_kind_from_name("foo"), -1);
    assert_int_equal(hpolab_kind_from_name("Searcher"), -1);
    assert_int_equal(hpolab_kind_from_name(""), -1);
    assert_int_equal(hpolab_kind_from_name(NULL), -1);
    assert_string_equal(hpolab_kind_name(HPOLAB_KIND_PLOTTER), "plotter");
    assert_null(hpolab_kind_name(HPOLAB_KIND_COUNT));
    assert_null(hpolab_kind_name(-1));

    assert_true(hpolab_name_is_valid("a"));
    assert_true(hpolab_name_is_valid("searcher_random2"));
    assert_false(hpolab_name_is_valid(""));
    assert_false(hpolab_name_is_valid(NULL));
    assert_false(hpolab_name_is_valid("A"));
    assert_false(hpolab_name_is_valid("a-b"));
    assert_false(hpolab_name_is_valid("a b"));
    char longest[HPOLAB_NAME_MAX + 2];
    memset(longest, 'a', sizeof longest);
    longest[HPOLAB_NAME_MAX] = '\0';
    assert_true(hpolab_name_is_valid(longest));
    longest[HPOLAB_NAME_MAX] = 'a';
    longest[HPOLAB_NAME_MAX + 1] = '\0';
    assert_false(hpolab_name_is_valid(longest));
}

static void test_require_lists_available_ids(void **state)
{
    struct hpolab_registry *reg = *state;
    const struct hpolab_component *c;
    struct hpolab_error err;
    assert_int_equal(
        hpolab_registry_require(reg, HPOLAB_KIND_PLOTTER, "svg", &c, &err),
        HPOLAB_ERR_NOT_FOUND);
    assert_null(c);
    assert_string_equal(err.message,
                        "no plotter plugin named 'svg'; no plotter plugin is "
                        "installed (see 'hpolab plugins --verbose' and "
                        "HPOLAB_PLUGIN_PATH)");

    load_ok(reg, fixture("single", "hpolab-scheduler_fx_cls_multi.so"));
    load_ok(reg, fixture("single", "hpolab-searcher_fx_good.so"));
    assert_int_equal(
        hpolab_registry_require(reg, HPOLAB_KIND_SEARCHER, "rand", &c, &err),
        HPOLAB_ERR_NOT_FOUND);
    /* registered as fx_multi_b, fx_multi_a, fx_good: listed sorted */
    assert_string_equal(err.message,
                        "no searcher plugin named 'rand'; available: "
                        "fx_good, fx_multi_a, fx_multi_b");
    assert_int_equal(
        hpolab_registry_require(reg, HPOLAB_KIND_SEARCHER, "fx_good", &c,
                                &err),
        HPOLAB_OK);
    assert_string_equal(c->id, "fx_good");
    assert_int_equal(hpolab_registry_require(reg, 9, "x", &c, &err),
                     HPOLAB_ERR_INVALID);
}

/* ---- unloading ------------------------------------------------------------- */

static void test_destroy_runs_fini_then_dlclose(void **state)
{
    (void)state;
    const char *path = fixture("single", "hpolab-searcher_fx_fini.so");
    const char *keep_path = fixture("single", "hpolab-searcher_fx_keep.so");
    const char *keep = getenv("HPOLAB_NO_DLCLOSE");
    char *saved = keep ? strdup(keep) : NULL;
    struct hpolab_registry *reg;
    struct hpolab_error err;

    unsetenv("HPOLAB_NO_DLCLOSE");
    unsetenv("HPOLAB_FX_FINI");
    assert_int_equal(hpolab_registry_create(&reg, &err), HPOLAB_OK);
    load_ok(reg, path);
    assert_true(is_loaded(path));
    assert_null(getenv("HPOLAB_FX_FINI"));
    hpolab_registry_destroy(reg);
    assert_non_null(getenv("HPOLAB_FX_FINI"));
    assert_string_equal(getenv("HPOLAB_FX_FINI"), "1");
    assert_false(is_loaded(path));

    /* HPOLAB_NO_DLCLOSE keeps the file mapped (for sanitizer reports). */
    setenv("HPOLAB_NO_DLCLOSE", "1", 1);
    assert_int_equal(hpolab_registry_create(&reg, &err), HPOLAB_OK);
    load_ok(reg, keep_path);
    hpolab_registry_destroy(reg);
    assert_true(is_loaded(keep_path));

    if (saved)
        setenv("HPOLAB_NO_DLCLOSE", saved, 1);
    else
        unsetenv("HPOLAB_NO_DLCLOSE");
    free(saved);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(test_good_plugin),
        T(test_relative_path_is_made_absolute),
        T(test_other_file_name_warns),
        T(test_multi_kind_plugin),
        T(test_not_a_shared_object),
        T(test_missing_file),
        T(test_no_entry_symbol),
        T(test_entry_returns_null),
        T(test_other_major),
        T(test_newer_minor),
        T(test_descriptor_too_small),
        T(test_required_descriptor_fields),
        T(test_invalid_name),
        T(test_name_without_kind),
        T(test_init_registers_nothing),
        T(test_init_fails_and_rolls_back),
        T(test_register_outside_init),
        T(test_same_plugin_name_twice),
        T(test_same_component_id_twice),
        T(test_class_smaller_than_1_0),
        T(test_class_larger_zero_tail_accepted),
        T(test_class_larger_with_tail_refused),
        T(test_struct_size_field_disagrees),
        T(test_required_callbacks),
        T(test_component_ids),
        T(test_refusal_ignored_by_init_still_refuses),
        T(test_unknown_kind_at_registration),
        T(test_kinds_and_names),
        T(test_require_lists_available_ids),
        cmocka_unit_test(test_destroy_runs_fini_then_dlclose),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
