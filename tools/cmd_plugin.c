/* cmd_plugin.c: `hpolab plugin pack|install|remove|check` (and `new`, in
 * cmd_plugin_new.c): the life of a third-party plugin package. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "conformance.h"
#include "log.h"
#include "plugin_loader.h"
#include "plugin_pack.h"
#include "registry.h"
#include "search_path.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: hpolab plugin <command> [options]\n"
            "\n"
            "commands:\n"
            "  new KIND NAME [DIR]   write a plugin project (CMake, source, "
            "test, README)\n"
            "                        building hpolab-KIND_NAME.so against the "
            "installed SDK\n"
            "  pack DIR [--name N] [--version V] [-o FILE]\n"
            "                        the plugins (hpolab-*.so) and presets "
            "(hpolab-presets-*.json)\n"
            "                        in DIR into a package FILE (default "
            "NAME-VERSION.tar.gz)\n"
            "  install FILE [--dir D]\n"
            "                        verify a package (checksums, ABI of each "
            "plugin, no clash\n"
            "                        with a built-in) and install it into the "
            "user plugin folder\n"
            "  remove NAME [--dir D] remove an installed package\n"
            "  check FILE [--searcher ID] [--seed N] [--options JSON]\n"
            "        [--searcher-options JSON]\n"
            "                        load a plugin and run the conformance "
            "checks of its kind\n"
            "                        (options: a JSON object handed to the "
            "component)\n"
            "\n"
            "The user plugin folder is $XDG_DATA_HOME/hpolab-%d/plugins "
            "(default\n"
            "~/.local/share/hpolab-%d/plugins); --dir installs elsewhere.\n",
            HPOLAB_ABI_MAJOR, HPOLAB_ABI_MAJOR);
}

/* The value of option name at argv[*i] ("--x V" or "--x=V"), or NULL. */
static const char *opt_value(int argc, char **argv, int *i, const char *name,
                             int *bad)
{
    size_t n = strlen(name);
    const char *arg = argv[*i];
    if (strcmp(arg, name) == 0) {
        if (*i + 1 >= argc) {
            fprintf(stderr, "hpolab plugin: %s needs a value\n", name);
            *bad = 1;
            return NULL;
        }
        return argv[++*i];
    }
    if (strncmp(arg, name, n) == 0 && arg[n] == '=')
        return arg + n + 1;
    return NULL;
}

static int cmd_pack(int argc, char **argv)
{
    struct hpolab_pack_options o = {0};
    const char *dir = NULL;
    int bad = 0;
    for (int i = 1; i < argc && !bad; i++) {
        const char *v;
        if ((v = opt_value(argc, argv, &i, "--name", &bad)))
            o.name = v;
        else if ((v = opt_value(argc, argv, &i, "--version", &bad)))
            o.version = v;
        else if ((v = opt_value(argc, argv, &i, "-o", &bad)) ||
                 (v = opt_value(argc, argv, &i, "--output", &bad)))
            o.output = v;
        else if (!bad && argv[i][0] != '-' && !dir)
            dir = argv[i];
        else if (!bad) {
            fprintf(stderr, "hpolab plugin pack: unexpected '%s'\n", argv[i]);
            bad = 1;
        }
    }
    if (bad || !dir) {
        if (!bad)
            fprintf(stderr, "usage: hpolab plugin pack DIR [--name N] "
                            "[--version V] [-o FILE]\n");
        return 2;
    }
    char *out = NULL;
    struct hpolab_error err;
    if (hpolab_plugin_pack(dir, &o, &out, &err) != HPOLAB_OK) {
        fprintf(stderr, "hpolab plugin pack: %s\n", err.message);
        return 1;
    }
    printf("%s\n", out);
    free(out);
    return 0;
}

/* --dir D, else the user plugin folder; [owned: free]. */
static char *target_dir(const char *given)
{
    if (given)
        return strdup(given);
    char *d = hpolab_search_path_user_dir();
    if (!d)
        fprintf(stderr, "hpolab plugin: neither XDG_DATA_HOME nor HOME is "
                        "set; give the folder with --dir\n");
    return d;
}

static int cmd_install(int argc, char **argv)
{
    const char *file = NULL, *dir = NULL;
    int bad = 0;
    for (int i = 1; i < argc && !bad; i++) {
        const char *v = opt_value(argc, argv, &i, "--dir", &bad);
        if (v)
            dir = v;
        else if (!bad && argv[i][0] != '-' && !file)
            file = argv[i];
        else if (!bad) {
            fprintf(stderr, "hpolab plugin install: unexpected '%s'\n",
                    argv[i]);
            bad = 1;
        }
    }
    if (bad || !file) {
        if (!bad)
            fprintf(stderr, "usage: hpolab plugin install FILE [--dir D]\n");
        return 2;
    }
    char *dest = target_dir(dir);
    if (!dest)
        return 1;
    struct hpolab_search_path builtin;
    struct hpolab_error err;
    struct hpolab_pack_manifest m;
    int32_t st = hpolab_pack_builtin_path(&builtin, &err);
    struct hpolab_install_options o = {.dest_dir = dest, .builtin = &builtin};
    if (st == HPOLAB_OK)
        st = hpolab_plugin_install(file, &o, &m, &err);
    if (st == HPOLAB_OK) {
        printf("installed %s %s (ABI %u.%u) into %s:", m.name, m.version,
               m.abi_major, m.abi_minor, dest);
        for (size_t i = 0; i < m.n_files; i++)
            printf(" %s", m.files[i].name);
        printf("\n");
        hpolab_pack_manifest_free(&m);
    } else {
        fprintf(stderr, "hpolab plugin install: %s\n", err.message);
    }
    hpolab_search_path_free(&builtin);
    free(dest);
    return st == HPOLAB_OK ? 0 : 1;
}

static int cmd_remove(int argc, char **argv)
{
    const char *name = NULL, *dir = NULL;
    int bad = 0;
    for (int i = 1; i < argc && !bad; i++) {
        const char *v = opt_value(argc, argv, &i, "--dir", &bad);
        if (v)
            dir = v;
        else if (!bad && argv[i][0] != '-' && !name)
            name = argv[i];
        else if (!bad) {
            fprintf(stderr, "hpolab plugin remove: unexpected '%s'\n",
                    argv[i]);
            bad = 1;
        }
    }
    if (bad || !name) {
        if (!bad)
            fprintf(stderr, "usage: hpolab plugin remove NAME [--dir D]\n");
        return 2;
    }
    char *dest = target_dir(dir);
    if (!dest)
        return 1;
    struct hpolab_error err;
    int32_t st = hpolab_plugin_remove(dest, name, &err);
    if (st == HPOLAB_OK)
        printf("removed %s from %s\n", name, dest);
    else
        fprintf(stderr, "hpolab plugin remove: %s\n", err.message);
    free(dest);
    return st == HPOLAB_OK ? 0 : 1;
}

static void print_report(const struct hpolab_check_report *r)
{
    const char *last = "";
    static const char *words[] = {"pass", "FAIL", "skip"};
    for (size_t i = 0; i < r->n; i++) {
        const struct hpolab_check *c = &r->items[i];
        if (strcmp(c->component, last) != 0)
            printf("%s\n", c->component);
        last = c->component;
        printf("  %s  %s%s%s\n", words[c->verdict], c->name,
               c->detail[0] ? ": " : "", c->detail);
    }
}

/* 0: *out is the JSON object text (replacing an earlier one); 1: bad. */
static int parse_object(const char *opt, const char *text, json_t **out)
{
    json_error_t jerr;
    json_t *j = json_loads(text, 0, &jerr);
    if (!json_is_object(j)) {
        fprintf(stderr, "hpolab plugin check: %s: expected a JSON object, "
                        "e.g. '{\"population_size\": 5}'%s%s\n",
                opt, j ? "" : ": ", j ? "" : jerr.text);
        json_decref(j);
        return 1;
    }
    json_decref(*out);
    *out = j;
    return 0;
}

static int cmd_check(int argc, char **argv)
{
    const char *file = NULL;
    json_t *options = NULL, *soptions = NULL;
    struct hpolab_conformance_options o = {0};
    int bad = 0;
    for (int i = 1; i < argc && !bad; i++) {
        const char *v;
        if ((v = opt_value(argc, argv, &i, "--searcher", &bad)))
            o.searcher = v;
        else if ((v = opt_value(argc, argv, &i, "--seed", &bad)))
            o.seed = (uint32_t)strtoul(v, NULL, 10);
        else if ((v = opt_value(argc, argv, &i, "--options", &bad)))
            bad = parse_object("--options", v, &options);
        else if ((v = opt_value(argc, argv, &i, "--searcher-options", &bad)))
            bad = parse_object("--searcher-options", v, &soptions);
        else if (!bad && argv[i][0] != '-' && !file)
            file = argv[i];
        else if (!bad) {
            fprintf(stderr, "hpolab plugin check: unexpected '%s'\n", argv[i]);
            bad = 1;
        }
    }
    if (bad || !file) {
        if (!bad)
            fprintf(stderr, "usage: hpolab plugin check FILE [--searcher ID] "
                            "[--seed N] [--options JSON] "
                            "[--searcher-options JSON]\n");
        json_decref(options);
        json_decref(soptions);
        return 2;
    }
    o.options = options;
    o.searcher_options = soptions;
    struct hpolab_registry *reg = NULL;
    struct hpolab_error err;
    struct hpolab_check_report report;
    hpolab_check_report_init(&report);
    int32_t st = hpolab_registry_create(&reg, &err);
    if (st == HPOLAB_OK && hpolab_loader_load_file(reg, file, &err) !=
                               HPOLAB_OK) {
        printf("FAIL  loads: %s\nverdict: FAIL\n", err.message);
        hpolab_registry_destroy(reg);
        json_decref(options);
        json_decref(soptions);
        return 1;
    }
    const struct hpolab_plugin *p = NULL;
    if (st == HPOLAB_OK) {
        p = hpolab_registry_plugin_at(reg, 0);
        printf("plugin %s %s (ABI %u.%u), %s\n", p->name, p->version,
               p->abi_major, p->abi_minor, p->path);
        /* Other plugins (a scheduler's searcher); their refusals, such as
         * this very file found again on the path, are not this check's. */
        int32_t level = hpolab_log_level();
        hpolab_log_set_level(HPOLAB_LOG_ERROR);
        struct hpolab_error ignored;
        hpolab_loader_load_all(reg, &ignored);
        hpolab_log_set_level(level);
        st = hpolab_conformance_run(reg, p, &o, &report, &err);
    }
    int failed = 1;
    if (st == HPOLAB_OK) {
        print_report(&report);
        size_t n_fail = hpolab_check_count(&report, HPOLAB_CHECK_FAIL);
        failed = n_fail > 0;
        printf("verdict: %s (%zu passed, %zu skipped, %zu failed)\n",
               failed ? "FAIL" : "pass",
               hpolab_check_count(&report, HPOLAB_CHECK_PASS),
               hpolab_check_count(&report, HPOLAB_CHECK_SKIP), n_fail);
    } else {
        fprintf(stderr, "hpolab plugin check: %s\n", err.message);
    }
    hpolab_check_report_free(&report);
    hpolab_registry_destroy(reg);
    json_decref(options);
    json_decref(soptions);
    return failed ? 1 : 0;
}

int hpolab_cmd_plugin(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *sub = argv[1];
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 ||
        strcmp(sub, "help") == 0) {
        usage(stdout);
        return 0;
    }
    for (int i = 2; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        }
    if (strcmp(sub, "new") == 0)
        return hpolab_cmd_plugin_new(argc - 1, argv + 1);
    if (strcmp(sub, "pack") == 0)
        return cmd_pack(argc - 1, argv + 1);
    if (strcmp(sub, "install") == 0)
        return cmd_install(argc - 1, argv + 1);
    if (strcmp(sub, "remove") == 0)
        return cmd_remove(argc - 1, argv + 1);
    if (strcmp(sub, "check") == 0)
        return cmd_check(argc - 1, argv + 1);
    fprintf(stderr, "hpolab plugin: unknown command '%s' (new, pack, install, "
                    "remove, check; see 'hpolab plugin --help')\n",
            sub);
    return 2;
}
