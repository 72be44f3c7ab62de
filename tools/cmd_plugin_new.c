/* cmd_plugin_new.c: `hpolab plugin new KIND NAME [DIR]`: writes a plugin
 * project that builds against the installed SDK (find_package(hpolab 1)),
 * loads, and passes its own test (`hpolab plugin check` on the built file)
 * out of the box. Templates exist for searchers and schedulers. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "error.h"
#include "fsutil.h"
#include "registry.h"

/* @K@ = kind, @N@ = name, @P@ = plugin name (kind_name). */
static const char cmake_tpl[] =
    "cmake_minimum_required(VERSION 3.16)\n"
    "project(@P@ C)\n"
    "\n"
    "# The installed hpolab SDK (ABI major 1). Point CMAKE_PREFIX_PATH at\n"
    "# hpolab's install prefix if it is not a system one.\n"
    "find_package(hpolab 1 REQUIRED)\n"
    "\n"
    "# Builds hpolab-@P@.so: hidden symbols, only hpolab_plugin_entry\n"
    "# exported, no undefined symbols; `cmake --install` puts it into\n"
    "# HPOLAB_PLUGIN_INSTALL_DIR.\n"
    "hpolab_add_plugin(@P@ SOURCES src/@N@.c)\n"
    "\n"
    "# The test: hpolab's conformance battery for a @K@ on the built file.\n"
    "enable_testing()\n"
    "find_program(HPOLAB_COMMAND hpolab HINTS \"${HPOLAB_INCLUDE_DIR}/../bin\")\n"
    "if(HPOLAB_COMMAND)\n"
    "  add_test(NAME @P@_check\n"
    "           COMMAND \"${HPOLAB_COMMAND}\" plugin check $<TARGET_FILE:@P@>)\n"
    "else()\n"
    "  message(WARNING \"the hpolab command was not found: no test\")\n"
    "endif()\n";

static const char readme_tpl[] =
    "# @P@: a hpolab @K@ plugin\n"
    "\n"
    "Written by `hpolab plugin new @K@ @N@`. It registers the @K@ `@N@`.\n"
    "\n"
    "```sh\n"
    "cmake -S . -B build -DCMAKE_PREFIX_PATH=<hpolab prefix>\n"
    "cmake --build build\n"
    "ctest --test-dir build --output-on-failure   # hpolab plugin check\n"
    "HPOLAB_PLUGIN_PATH=$PWD/build hpolab plugins --kind @K@\n"
    "```\n"
    "\n"
    "Share it: copy `build/hpolab-@P@.so` (and a presets file\n"
    "`hpolab-presets-@N@.json`, if you write one) into a folder, then\n"
    "`hpolab plugin pack FOLDER` and `hpolab plugin install @N@-<version>.tar.gz`.\n"
    "The rules a plugin follows are in the SDK's README (sdk/README.md).\n";

static const char searcher_tpl[] =
    "/* @N@.c: the searcher '@N@' (random search as a starting point).\n"
    " * Replace suggest with your method; keep create/destroy/save/restore\n"
    " * consistent: `hpolab plugin check` tests determinism for a seed and\n"
    " * that save -> restore gives the same next suggestion. */\n"
    "#include <hpolab/hpolab.h>\n"
    "#include <stdlib.h>\n"
    "#include <string.h>\n"
    "\n"
    "struct @N@ {\n"
    "    const struct hpolab_space *space; /* borrowed from the args */\n"
    "    uint32_t seed;\n"
    "    struct hpolab_rng *rng;\n"
    "    uint64_t n_suggested; /* the whole state: draws replay from the seed */\n"
    "};\n"
    "\n"
    "static void HPOLAB_ABI @N@_destroy(void *state)\n"
    "{\n"
    "    struct @N@ *s = state;\n"
    "    if (!s)\n"
    "        return;\n"
    "    if (s->rng)\n"
    "        hpolab_host->rng_destroy(s->rng);\n"
    "    free(s);\n"
    "}\n"
    "\n"
    "static int32_t HPOLAB_ABI @N@_create(struct hpolab_ctx *ctx,\n"
    "                                     const struct hpolab_searcher_args *args,\n"
    "                                     void **out_state)\n"
    "{\n"
    "    *out_state = NULL;\n"
    "    struct @N@ *s = calloc(1, sizeof *s);\n"
    "    if (!s)\n"
    "        return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, \"out of memory\");\n"
    "    s->space = args->space;\n"
    "    s->seed = args->random_seed;\n"
    "    int32_t st = hpolab_host->rng_create(ctx, s->seed, &s->rng);\n"
    "    if (st != HPOLAB_OK) {\n"
    "        @N@_destroy(s);\n"
    "        return st;\n"
    "    }\n"
    "    *out_state = s;\n"
    "    return HPOLAB_OK;\n"
    "}\n"
    "\n"
    "static int32_t HPOLAB_ABI @N@_suggest(void *state, struct hpolab_ctx *ctx,\n"
    "                                      int64_t trial_id,\n"
    "                                      struct hpolab_config **out_config)\n"
    "{\n"
    "    struct @N@ *s = state;\n"
    "    (void)trial_id;\n"
    "    int32_t st = hpolab_host->space_sample(ctx, s->space, s->rng, out_config);\n"
    "    if (st == HPOLAB_OK)\n"
    "        s->n_suggested++;\n"
    "    return st;\n"
    "}\n"
    "\n"
    "static int32_t HPOLAB_ABI @N@_save(void *state, struct hpolab_ctx *ctx,\n"
    "                                   struct hpolab_buffer *out)\n"
    "{\n"
    "    struct @N@ *s = state;\n"
    "    (void)ctx;\n"
    "    uint64_t v[2] = {s->seed, s->n_suggested};\n"
    "    return hpolab_host->buffer_append(out, v, sizeof v);\n"
    "}\n"
    "\n"
    "static int32_t HPOLAB_ABI @N@_restore(void *state, struct hpolab_ctx *ctx,\n"
    "                                      const void *data, uint64_t size)\n"
    "{\n"
    "    struct @N@ *s = state;\n"
    "    uint64_t v[2];\n"
    "    if (!data || size != sizeof v)\n"
    "        return hpolab_set_error(ctx, HPOLAB_ERR_INVALID,\n"
    "                                \"saved state has %llu bytes, expected %zu\",\n"
    "                                (unsigned long long)size, sizeof v);\n"
    "    memcpy(v, data, sizeof v);\n"
    "    struct hpolab_rng *rng = NULL;\n"
    "    int32_t st = hpolab_host->rng_create(ctx, (uint32_t)v[0], &rng);\n"
    "    for (uint64_t i = 0; st == HPOLAB_OK && i < v[1]; i++) {\n"
    "        struct hpolab_config *c = NULL;\n"
    "        st = hpolab_host->space_sample(ctx, s->space, rng, &c);\n"
    "        hpolab_host->config_free(c);\n"
    "    }\n"
    "    if (st != HPOLAB_OK) {\n"
    "        if (rng)\n"
    "            hpolab_host->rng_destroy(rng);\n"
    "        return st;\n"
    "    }\n"
    "    hpolab_host->rng_destroy(s->rng);\n"
    "    s->rng = rng;\n"
    "    s->seed = (uint32_t)v[0];\n"
    "    s->n_suggested = v[1];\n"
    "    return HPOLAB_OK;\n"
    "}\n"
    "\n"
    "static const struct hpolab_searcher_class @N@_class = {\n"
    "    .struct_size = sizeof(struct hpolab_searcher_class),\n"
    "    .id = \"@N@\",\n"
    "    .description = \"@N@ searcher\",\n"
    "    .create = @N@_create,\n"
    "    .destroy = @N@_destroy,\n"
    "    .suggest = @N@_suggest,\n"
    "    .save = @N@_save,\n"
    "    .restore = @N@_restore,\n"
    "};\n"
    "\n"
    "static int32_t @N@_init(struct hpolab_ctx *ctx)\n"
    "{\n"
    "    return hpolab_register_searcher(ctx, &@N@_class);\n"
    "}\n"
    "\n"
    "HPOLAB_PLUGIN_DEFINE(@P@, \"0.1.0\", \"@N@ searcher\", \"MIT\", @N@_init, NULL)\n";

static const char scheduler_tpl[] =
    "/* @N@.c: the scheduler '@N@' (every trial runs to its end, as FIFO, as\n"
    " * a starting point). Its configurations come from the searcher the\n"
    " * method names, created through the host. Decide in on_trial_result. */\n"
    "#define _POSIX_C_SOURCE 200809L /* strdup */\n"
    "#include <hpolab/hpolab.h>\n"
    "#include <stdlib.h>\n"
    "#include <string.h>\n"
    "\n"
    "struct @N@ {\n"
    "    struct hpolab_searcher *searcher;\n"
    "    char *metric;\n"
    "};\n"
    "\n"
    "static void HPOLAB_ABI @N@_destroy(void *state)\n"
    "{\n"
    "    struct @N@ *s = state;\n"
    "    if (!s)\n"
    "        return;\n"
    "    if (s->searcher)\n"
    "        hpolab_host->searcher_destroy(s->searcher);\n"
    "    free(s->metric);\n"
    "    free(s);\n"
    "}\n"
    "\n"
    "static int32_t HPOLAB_ABI @N@_create(struct hpolab_ctx *ctx,\n"
    "                                     const struct hpolab_scheduler_args *args,\n"
    "                                     void **out_state)\n"
    "{\n"
    "    *out_state = NULL;\n"
    "    if (!args->metric || !args->metric[0])\n"
    "        return hpolab_set_error(ctx, HPOLAB_ERR_INVALID,\n"
    "                                \"a metric name is required\");\n"
    "    struct @N@ *s = calloc(1, sizeof *s);\n"
    "    if (!s || !(s->metric = strdup(args->metric))) {\n"
    "        @N@_destroy(s);\n"
    "        return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, \"out of memory\");\n"
    "    }\n"
    "    struct hpolab_searcher_args sa = {\n"
    "        .struct_size = sizeof sa,\n"
    "        .space = args->space,\n"
    "        .metric = args->metric,\n"
    "        .mode = args->mode,\n"
    "        .random_seed = args->random_seed,\n"
    "        .resource_attr = args->resource_attr,\n"
    "        .max_resource_attr = args->max_resource_attr,\n"
    "        .n_workers = args->n_workers,\n"
    "        .options = args->searcher_options,\n"
    "        .points_given = args->points_given,\n"
    "        .num_points = args->num_points,\n"
    "        .points = args->points,\n"
    "    };\n"
    "    int32_t st = hpolab_host->searcher_create(\n"
    "        ctx, args->searcher ? args->searcher : \"random\", &sa, &s->searcher);\n"
    "    if (st != HPOLAB_OK) {\n"
    "        @N@_destroy(s);\n"
    "        return st;\n"
    "    }\n"
    "    *out_state = s;\n"
    "    return HPOLAB_OK;\n"
    "}\n"
    "\n"
    "static int32_t HPOLAB_ABI @N@_suggest(void *state, struct hpolab_ctx *ctx,\n"
    "                                      int64_t next_trial_id,\n"
    "                                      struct hpolab_suggestion *out)\n"
    "{\n"
    "    struct @N@ *s = state;\n"
    "    struct hpolab_config *config = NULL;\n"
    "    int32_t st = hpolab_host->searcher_suggest(ctx, s->searcher,\n"
    "                                               next_trial_id, &config);\n"
    "    if (st != HPOLAB_OK)\n"
    "        return st;\n"
    "    out->action = config ? HPOLAB_SUGGEST_NEW : HPOLAB_SUGGEST_EXHAUSTED;\n"
    "    out->trial_id = next_trial_id;\n"
    "    out->checkpoint_trial_id = -1;\n"
    "    out->config = config;\n"
    "    return HPOLAB_OK;\n"
    "}\n"
    "\n"
    "static int32_t HPOLAB_ABI @N@_on_trial_result(\n"
    "    void *state, struct hpolab_ctx *ctx, int64_t trial_id,\n"
    "    const struct hpolab_config *config, const struct hpolab_result *result,\n"
    "    int32_t *out_decision)\n"
    "{\n"
    "    struct @N@ *s = state;\n"
    "    double value;\n"
    "    *out_decision = HPOLAB_DECISION_CONTINUE;\n"
    "    if (hpolab_host->result_get_double(result, s->metric, &value) != HPOLAB_OK)\n"
    "        return hpolab_set_error(ctx, HPOLAB_ERR_INVALID,\n"
    "                                \"trial %lld reported no number for '%s'\",\n"
    "                                (long long)trial_id, s->metric);\n"
    "    return hpolab_host->searcher_on_trial_result(ctx, s->searcher, trial_id,\n"
    "                                                 config, result);\n"
    "}\n"
    "\n"
    "static int32_t HPOLAB_ABI @N@_on_trial_complete(\n"
    "    void *state, struct hpolab_ctx *ctx, int64_t trial_id,\n"
    "    const struct hpolab_config *config, const struct hpolab_result *result)\n"
    "{\n"
    "    struct @N@ *s = state;\n"
    "    return hpolab_host->searcher_on_trial_complete(ctx, s->searcher, trial_id,\n"
    "                                                   config, result);\n"
    "}\n"
    "\n"
    "static int32_t HPOLAB_ABI @N@_save(void *state, struct hpolab_ctx *ctx,\n"
    "                                   struct hpolab_buffer *out)\n"
    "{\n"
    "    struct @N@ *s = state;\n"
    "    return hpolab_host->searcher_save(ctx, s->searcher, out);\n"
    "}\n"
    "\n"
    "static int32_t HPOLAB_ABI @N@_restore(void *state, struct hpolab_ctx *ctx,\n"
    "                                      const void *data, uint64_t size)\n"
    "{\n"
    "    struct @N@ *s = state;\n"
    "    return hpolab_host->searcher_restore(ctx, s->searcher, data, size);\n"
    "}\n"
    "\n"
    "static const struct hpolab_scheduler_class @N@_class = {\n"
    "    .struct_size = sizeof(struct hpolab_scheduler_class),\n"
    "    .id = \"@N@\",\n"
    "    .description = \"@N@ scheduler\",\n"
    "    .create = @N@_create,\n"
    "    .destroy = @N@_destroy,\n"
    "    .suggest = @N@_suggest,\n"
    "    .on_trial_result = @N@_on_trial_result,\n"
    "    .on_trial_complete = @N@_on_trial_complete,\n"
    "    .save = @N@_save,\n"
    "    .restore = @N@_restore,\n"
    "};\n"
    "\n"
    "static int32_t @N@_init(struct hpolab_ctx *ctx)\n"
    "{\n"
    "    return hpolab_register_scheduler(ctx, &@N@_class);\n"
    "}\n"
    "\n"
    "HPOLAB_PLUGIN_DEFINE(@P@, \"0.1.0\", \"@N@ scheduler\", \"MIT\", @N@_init, NULL)\n";

/* tpl with @K@, @N@, @P@ replaced; [owned: free]. */
static char *expand(const char *tpl, const char *kind, const char *name,
                    const char *plugin)
{
    size_t cap = strlen(tpl) * 2 + 4096, len = 0;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    for (const char *p = tpl; *p;) {
        const char *v = NULL;
        if (strncmp(p, "@K@", 3) == 0)
            v = kind;
        else if (strncmp(p, "@N@", 3) == 0)
            v = name;
        else if (strncmp(p, "@P@", 3) == 0)
            v = plugin;
        size_t n = v ? strlen(v) : 1;
        if (len + n + 1 > cap) {
            cap = 2 * (len + n + 1);
            char *grown = realloc(out, cap);
            if (!grown) {
                free(out);
                return NULL;
            }
            out = grown;
        }
        memcpy(out + len, v ? v : p, n);
        len += n;
        p += v ? 3 : 1;
    }
    out[len] = '\0';
    return out;
}

static int write_one(const char *dir, const char *rel, const char *tpl,
                     const char *kind, const char *name, const char *plugin)
{
    char *path = hpolab_path_join(dir, rel);
    char *text = expand(tpl, kind, name, plugin);
    struct hpolab_error err;
    int32_t st = path && text
                     ? hpolab_write_file_atomic(path, text, strlen(text), &err)
                     : hpolab_error_set(&err, HPOLAB_ERR_NOMEM,
                                        "out of memory");
    if (st != HPOLAB_OK)
        fprintf(stderr, "hpolab plugin new: %s\n", err.message);
    free(path);
    free(text);
    return st == HPOLAB_OK ? 0 : 1;
}

int hpolab_cmd_plugin_new(int argc, char **argv)
{
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: hpolab plugin new KIND NAME [DIR]   "
                        "(KIND: searcher or scheduler)\n");
        return 2;
    }
    const char *kind = argv[1], *name = argv[2];
    const char *tpl = strcmp(kind, "searcher") == 0    ? searcher_tpl
                      : strcmp(kind, "scheduler") == 0 ? scheduler_tpl
                                                       : NULL;
    if (!tpl) {
        fprintf(stderr,
                "hpolab plugin new: no template for kind '%s': templates "
                "exist for searcher and scheduler (for a backend or plotter, "
                "start from hpolab's plugins/backends/local)\n",
                kind);
        return 2;
    }
    char plugin[160];
    snprintf(plugin, sizeof plugin, "%s_%s", kind, name);
    if (!hpolab_name_is_valid(name) || !hpolab_name_is_valid(plugin)) {
        fprintf(stderr, "hpolab plugin new: name '%s' is not valid: use 1 to "
                        "%d lowercase letters, digits or '_' ([a-z0-9_]+)\n",
                name, HPOLAB_NAME_MAX - (int)strlen(kind) - 1);
        return 2;
    }
    const char *dir = argc == 4 ? argv[3] : plugin;
    struct stat sb;
    if (stat(dir, &sb) == 0) {
        fprintf(stderr, "hpolab plugin new: %s exists already; give a new "
                        "folder\n",
                dir);
        return 2;
    }
    char *src = hpolab_path_join(dir, "src");
    struct hpolab_error err;
    int32_t st = src ? hpolab_mkdir_p(src, &err)
                     : hpolab_error_set(&err, HPOLAB_ERR_NOMEM,
                                        "out of memory");
    free(src);
    if (st != HPOLAB_OK) {
        fprintf(stderr, "hpolab plugin new: %s\n", err.message);
        return 1;
    }
    char source[200];
    snprintf(source, sizeof source, "src/%s.c", name);
    if (write_one(dir, "CMakeLists.txt", cmake_tpl, kind, name, plugin) ||
        write_one(dir, "README.md", readme_tpl, kind, name, plugin) ||
        write_one(dir, source, tpl, kind, name, plugin))
        return 1;
    printf("wrote %s: CMakeLists.txt, README.md, %s\n"
           "build and test: cmake -S %s -B %s/build && cmake --build %s/build "
           "&& ctest --test-dir %s/build\n",
           dir, source, dir, dir, dir, dir);
    return 0;
}
