/* cmd_plugins.c: `hpolab plugins`: what the loader finds, as a table or as
 * JSON, and with --verbose the files it refused and why. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "log.h"
#include "plugin_loader.h"
#include "registry.h"

#define KIND_PRESET -2 /* --kind preset: the presets only */

struct plugins_args {
    int32_t kind; /* -1: every kind */
    int json;
    int verbose;
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: hpolab plugins [--kind K] [--json] [--verbose]\n"
            "\n"
            "Lists every component the plugins provide: kind, name, plugin "
            "version,\n"
            "the plugin ABI it needs (major.minor) and its file, sorted by "
            "kind and name;\n"
            "then the presets (named baselines a study can use as methods, "
            "e.g. RS, BO,\n"
            "ASHA, MOBSTER) from the hpolab-presets-*.json files beside the "
            "plugins.\n"
            "\n"
            "options:\n"
            "  --kind K     only this kind (%s, preset)\n"
            "  --json       a JSON array of objects with the keys kind, name, "
            "version,\n"
            "               abi, file, plugin and description (presets: "
            "kind, name,\n"
            "               scheduler, searcher, scheduler_options, "
            "searcher_options,\n"
            "               description, file, available)\n"
            "  --verbose    also list the files that were refused and why\n"
            "  --help       this text\n"
            "\n"
            "Plugins (hpolab-<kind>_<name>.so) are looked for in: each "
            "folder of\n"
            "HPOLAB_PLUGIN_PATH (':'-separated), "
            "$XDG_DATA_HOME/hpolab-%d/plugins\n"
            "(default ~/.local/share/hpolab-%d/plugins), the install folder, "
            "then the\n"
            "build tree.\n",
            hpolab_kind_list(), HPOLAB_ABI_MAJOR, HPOLAB_ABI_MAJOR);
}

/* 0: parsed; 1: --help shown; 2: bad usage (message printed). */
static int parse_args(int argc, char **argv, struct plugins_args *a)
{
    a->kind = -1;
    a->json = 0;
    a->verbose = 0;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *kind = NULL;
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            usage(stdout);
            return 1;
        } else if (strcmp(arg, "--json") == 0) {
            a->json = 1;
        } else if (strcmp(arg, "--verbose") == 0 || strcmp(arg, "-v") == 0) {
            a->verbose = 1;
        } else if (strcmp(arg, "--kind") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "hpolab plugins: --kind needs a value (%s)\n",
                        hpolab_kind_list());
                return 2;
            }
            kind = argv[++i];
        } else if (strncmp(arg, "--kind=", 7) == 0) {
            kind = arg + 7;
        } else {
            fprintf(stderr,
                    "hpolab plugins: unknown argument '%s' (see 'hpolab "
                    "plugins --help')\n",
                    arg);
            return 2;
        }
        if (kind && strcmp(kind, "preset") == 0) {
            a->kind = KIND_PRESET;
        } else if (kind) {
            a->kind = hpolab_kind_from_name(kind);
            if (a->kind < 0) {
                fprintf(stderr,
                        "hpolab plugins: unknown kind '%s'; kinds: %s, "
                        "preset\n", kind,
                        hpolab_kind_list());
                return 2;
            }
        }
    }
    return 0;
}

struct held_lines {
    struct held_line {
        int32_t level;
        char *text;
    } *lines; /* owned */
    size_t count;
};

static void hold_line(int32_t level, const char *line, void *user)
{
    struct held_lines *h = user;
    struct held_line *p = realloc(h->lines, (h->count + 1) * sizeof *p);
    if (!p)
        return;
    h->lines = p;
    p[h->count].level = level;
    p[h->count].text = strdup(line);
    if (p[h->count].text)
        h->count++;
}

/* Logs the held lines that are not the reason of a refused file; frees
 * them. */
static void release_lines(struct held_lines *h,
                          const struct hpolab_registry *reg)
{
    for (size_t i = 0; i < h->count; i++) {
        int listed = 0;
        for (size_t j = 0; !listed && j < hpolab_registry_rejected_count(reg);
             j++)
            listed = strcmp(hpolab_registry_rejected_at(reg, j)->reason,
                            h->lines[i].text) == 0;
        if (!listed)
            hpolab_logf(h->lines[i].level, "%s", h->lines[i].text);
        free(h->lines[i].text);
    }
    free(h->lines);
    h->lines = NULL;
    h->count = 0;
}

static int cmp_component(const void *pa, const void *pb)
{
    const struct hpolab_component *a =
        *(const struct hpolab_component *const *)pa;
    const struct hpolab_component *b =
        *(const struct hpolab_component *const *)pb;
    int c = strcmp(hpolab_kind_name(a->kind), hpolab_kind_name(b->kind));
    return c ? c : strcmp(a->id, b->id);
}

static int print_table(const struct hpolab_component *const *rows, size_t n)
{
    int wk = 4, wn = 4, wv = 7;
    for (size_t i = 0; i < n; i++) {
        int l = (int)strlen(hpolab_kind_name(rows[i]->kind));
        wk = l > wk ? l : wk;
        l = (int)strlen(rows[i]->id);
        wn = l > wn ? l : wn;
        l = (int)strlen(rows[i]->plugin->version);
        wv = l > wv ? l : wv;
    }
    printf("%-*s  %-*s  %-*s  %-5s  %s\n", wk, "KIND", wn, "NAME", wv,
           "VERSION", "ABI", "FILE");
    for (size_t i = 0; i < n; i++) {
        const struct hpolab_plugin *p = rows[i]->plugin;
        char abi[16];
        snprintf(abi, sizeof abi, "%u.%u", p->abi_major, p->abi_minor);
        printf("%-*s  %-*s  %-*s  %-5s  %s\n", wk,
               hpolab_kind_name(rows[i]->kind), wn, rows[i]->id, wv,
               p->version, abi, p->path);
    }
    return 0;
}

static json_t *component_json(const struct hpolab_component *c, int verbose)
{
    const struct hpolab_plugin *p = c->plugin;
    char abi[16];
    snprintf(abi, sizeof abi, "%u.%u", p->abi_major, p->abi_minor);
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "kind",
                          hpolab_kind_name(c->kind), "name", c->id, "version",
                          p->version, "abi", abi, "file", p->path, "plugin",
                          p->name, "description", c->description);
    if (o && verbose)
        json_object_set_new(o, "state", json_string("loaded"));
    return o;
}

/* Are the plugins a preset needs loaded? Else what is missing, in why. */
static int preset_available(const struct hpolab_registry *reg,
                            const struct hpolab_preset *p, char *why,
                            size_t size)
{
    int sched = hpolab_registry_find(reg, HPOLAB_KIND_SCHEDULER,
                                     p->scheduler) != NULL;
    int search = hpolab_registry_find(reg, HPOLAB_KIND_SEARCHER,
                                      p->searcher) != NULL;
    snprintf(why, size, "needs %s%s%s%s%s%s%s", sched ? "" : "scheduler '",
             sched ? "" : p->scheduler, sched ? "" : "'",
             !sched && !search ? " and " : "", search ? "" : "searcher '",
             search ? "" : p->searcher, search ? "" : "'");
    return sched && search;
}

/* "{...scheduler options} + {...searcher options}", the empty ones left
 * out; [owned: free], NULL out of memory. */
static char *options_text(const struct hpolab_preset *p)
{
    size_t ns = json_object_size(p->scheduler_options);
    size_t nr = json_object_size(p->searcher_options);
    char *sched = json_dumps(p->scheduler_options, JSON_COMPACT);
    char *search = json_dumps(p->searcher_options, JSON_COMPACT);
    char *text = NULL;
    if (!sched || !search ||
        asprintf(&text, "%s%s%s", ns ? sched : "", ns && nr ? " + " : "",
                 nr ? search : "") < 0)
        text = NULL;
    free(sched);
    free(search);
    return text;
}

static void print_presets(const struct hpolab_registry *reg)
{
    const struct hpolab_presets *ps = hpolab_registry_presets(reg);
    int wn = 6, ws = 9, wr = 8;
    for (size_t i = 0; i < ps->n; i++) {
        int l = (int)strlen(ps->items[i].name);
        wn = l > wn ? l : wn;
        l = (int)strlen(ps->items[i].scheduler);
        ws = l > ws ? l : ws;
        l = (int)strlen(ps->items[i].searcher);
        wr = l > wr ? l : wr;
    }
    printf("%-*s  %-*s  %-*s  %s\n", wn, "PRESET", ws, "SCHEDULER", wr,
           "SEARCHER", "OPTIONS");
    for (size_t i = 0; i < ps->n; i++) {
        const struct hpolab_preset *p = &ps->items[i];
        char why[256];
        char *opts = options_text(p);
        int ok = preset_available(reg, p, why, sizeof why);
        printf("%-*s  %-*s  %-*s  %s%s%s%s%s\n", wn, p->name, ws,
               p->scheduler, wr, p->searcher, opts && *opts ? opts : "-",
               ok ? "" : "  ", ok ? "" : "(unavailable: ",
               ok ? "" : why, ok ? "" : ")");
        free(opts);
    }
}

static int cmp_preset(const void *pa, const void *pb)
{
    return strcmp((*(const struct hpolab_preset *const *)pa)->name,
                  (*(const struct hpolab_preset *const *)pb)->name);
}

static json_t *preset_json(const struct hpolab_registry *reg,
                           const struct hpolab_preset *p, int verbose)
{
    char why[256];
    int ok = preset_available(reg, p, why, sizeof why);
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:O, s:O, s:s, s:s, s:b}", "kind",
                     "preset", "name", p->name, "scheduler", p->scheduler,
                     "searcher", p->searcher, "scheduler_options",
                     p->scheduler_options, "searcher_options",
                     p->searcher_options, "description", p->description,
                     "file", p->file, "available", ok);
    if (o && verbose)
        json_object_set_new(o, "state", json_string("loaded"));
    return o;
}

static json_t *rejected_json(const struct hpolab_rejected *r)
{
    return json_pack("{s:n, s:n, s:n, s:n, s:s, s:n, s:n, s:s, s:s}", "kind",
                     "name", "version", "abi", "file", r->path, "plugin",
                     "description", "state", "rejected", "reason", r->reason);
}

static int print_json(const struct hpolab_registry *reg,
                      const struct hpolab_component *const *rows, size_t n,
                      int presets, int verbose)
{
    json_t *arr = json_array();
    int ok = arr != NULL;
    /* sorted by kind, then name: the presets go between "plotter" and
     * "scheduler" */
    const struct hpolab_presets *ps = hpolab_registry_presets(reg);
    const struct hpolab_preset **sorted =
        malloc((ps->n ? ps->n : 1) * sizeof *sorted);
    ok = ok && sorted;
    for (size_t i = 0; ok && i < ps->n; i++)
        sorted[i] = &ps->items[i];
    if (ok)
        qsort(sorted, ps->n, sizeof *sorted, cmp_preset);
    size_t next = 0;
    for (; ok && next < n &&
           strcmp(hpolab_kind_name(rows[next]->kind), "preset") < 0;
         next++)
        ok = json_array_append_new(arr, component_json(rows[next], verbose)) ==
             0;
    for (size_t k = 0; ok && presets && k < ps->n; k++)
        ok = json_array_append_new(arr,
                                   preset_json(reg, sorted[k], verbose)) == 0;
    for (; ok && next < n; next++)
        ok = json_array_append_new(arr, component_json(rows[next], verbose)) ==
             0;
    free(sorted);
    for (size_t i = 0; ok && verbose && i < hpolab_registry_rejected_count(reg);
         i++)
        ok = json_array_append_new(
                 arr, rejected_json(hpolab_registry_rejected_at(reg, i))) == 0;
    char *text = ok ? json_dumps(arr, JSON_INDENT(2)) : NULL;
    json_decref(arr);
    if (!text) {
        fprintf(stderr, "hpolab plugins: out of memory\n");
        return 1;
    }
    printf("%s\n", text);
    free(text);
    return 0;
}

int hpolab_cmd_plugins(int argc, char **argv)
{
    struct plugins_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc)
        return rc == 1 ? 0 : 2;

    struct hpolab_registry *reg = NULL;
    struct hpolab_error err;
    hpolab_error_clear(&err);
    /* --verbose lists the refused files itself: hold the scan's log lines
     * back and pass on only those that are not a listed refusal. */
    struct held_lines held = {0};
    if (a.verbose)
        hpolab_log_set_sink(hold_line, &held);
    int32_t st = hpolab_registry_create(&reg, &err);
    if (st == HPOLAB_OK)
        st = hpolab_loader_load_all(reg, &err);
    if (a.verbose) {
        hpolab_log_set_sink(NULL, NULL);
        release_lines(&held, reg);
    }
    if (st != HPOLAB_OK) {
        fprintf(stderr, "hpolab plugins: %s\n", err.message);
        hpolab_registry_destroy(reg);
        return 1;
    }

    size_t total = hpolab_registry_component_count(reg), n = 0;
    const struct hpolab_component **rows =
        malloc((total ? total : 1) * sizeof *rows);
    if (!rows) {
        fprintf(stderr, "hpolab plugins: out of memory\n");
        hpolab_registry_destroy(reg);
        return 1;
    }
    for (size_t i = 0; i < total; i++) {
        const struct hpolab_component *c = hpolab_registry_component_at(reg, i);
        if (a.kind == -1 || c->kind == a.kind)
            rows[n++] = c;
    }
    int presets = (a.kind == -1 || a.kind == KIND_PRESET) &&
                  hpolab_registry_presets(reg)->n > 0;
    qsort(rows, n, sizeof *rows, cmp_component);

    if (a.json) {
        rc = print_json(reg, rows, n, presets, a.verbose);
    } else {
        if (n)
            rc = print_table(rows, n);
        if (presets) {
            if (n)
                printf("\n");
            print_presets(reg);
        }
        if (!n && !presets)
            fprintf(stderr,
                    "hpolab plugins: no %s%s found (see 'hpolab plugins "
                    "--help' for where they are looked for)\n",
                    a.kind >= 0 ? hpolab_kind_name(a.kind) : "",
                    a.kind == KIND_PRESET ? "preset"
                    : a.kind >= 0         ? " plugin"
                                          : "plugin");
        size_t nr = hpolab_registry_rejected_count(reg);
        if (a.verbose && nr) {
            printf("\nrefused files:\n");
            for (size_t i = 0; i < nr; i++)
                printf("  %s\n", hpolab_registry_rejected_at(reg, i)->reason);
        }
    }
    fflush(stdout);
    free(rows);
    hpolab_registry_destroy(reg);
    return rc;
}
