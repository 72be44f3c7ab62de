/* cmd_plugin_new.c: `hpolab plugin new KIND NAME [DIR]`: writes a plugin
 * project that builds against the installed SDK (find_package(hpolab 1)),
 * loads, and passes its own test (`hpolab plugin check` on the built file)
 * out of the box, for every kind of component. */
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

static const char backend_tpl[] =
    "/* @N@.c: the backend '@N@': a starting point that runs no process. Each\n"
    " * trial is \"trained\" in-process: its result for epoch e is a toy objective\n"
    " * of its numeric hyperparameters, sum (x - 0.5)^2 + 1/e, for `epochs`\n"
    " * epochs (option, default 3), delivered as results by wait_events. Replace\n"
    " * start_trial and wait_events with your way of running jobs (a cluster, a\n"
    " * cloud service); plugins/backends/local in hpolab's sources is a complete\n"
    " * process backend. Rule of the ABI: after stop_trial, emit nothing more for\n"
    " * that run. */\n"
    "#include <hpolab/hpolab.h>\n"
    "#include <stdio.h>\n"
    "#include <stdlib.h>\n"
    "\n"
    "struct job {\n"
    "    int64_t trial_id;\n"
    "    double base;  /* the objective's configuration part */\n"
    "    int64_t next; /* next epoch to report */\n"
    "    int live;\n"
    "};\n"
    "\n"
    "struct @N@ {\n"
    "    int64_t epochs;\n"
    "    struct job *jobs;\n"
    "    size_t n, cap;\n"
    "};\n"
    "\n"
    "static int32_t HPOLAB_ABI @N@_create(struct hpolab_ctx *ctx,\n"
    "                                     const struct hpolab_backend_args *args,\n"
    "                                     void **out_state)\n"
    "{\n"
    "    (void)args;\n"
    "    struct @N@ *b = calloc(1, sizeof *b);\n"
    "    if (!b)\n"
    "        return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, \"out of memory\");\n"
    "    int32_t st = hpolab_host->option_int(ctx, args->options, \"epochs\", 3,\n"
    "                                         &b->epochs);\n"
    "    if (st == HPOLAB_OK && b->epochs < 1)\n"
    "        st = hpolab_set_error(ctx, HPOLAB_ERR_INVALID,\n"
    "                              \"epochs must be >= 1, got %lld\",\n"
    "                              (long long)b->epochs);\n"
    "    if (st != HPOLAB_OK) {\n"
    "        free(b);\n"
    "        return st;\n"
    "    }\n"
    "    *out_state = b;\n"
    "    return HPOLAB_OK;\n"
    "}\n"
    "\n"
    "static void HPOLAB_ABI @N@_destroy(void *state)\n"
    "{\n"
    "    struct @N@ *b = state;\n"
    "    if (b)\n"
    "        free(b->jobs);\n"
    "    free(b);\n"
    "}\n"
    "\n"
    "static int32_t HPOLAB_ABI @N@_start_trial(void *state, struct hpolab_ctx *ctx,\n"
    "                                          const struct hpolab_trial_job *job)\n"
    "{\n"
    "    struct @N@ *b = state;\n"
    "    if (b->n == b->cap) {\n"
    "        size_t cap = b->cap ? 2 * b->cap : 8;\n"
    "        struct job *jobs = realloc(b->jobs, cap * sizeof *jobs);\n"
    "        if (!jobs)\n"
    "            return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, \"out of memory\");\n"
    "        b->jobs = jobs;\n"
    "        b->cap = cap;\n"
    "    }\n"
    "    double base = 0.0, x;\n"
    "    uint32_t count = hpolab_host->config_count(job->config);\n"
    "    for (uint32_t i = 0; i < count; i++)\n"
    "        if (hpolab_host->config_get_double(job->config, i, &x) == HPOLAB_OK)\n"
    "            base += (x - 0.5) * (x - 0.5);\n"
    "    b->jobs[b->n++] = (struct job){job->trial_id, base, 1, 1};\n"
    "    return HPOLAB_OK;\n"
    "}\n"
    "\n"
    "static int32_t HPOLAB_ABI @N@_stop_trial(void *state, struct hpolab_ctx *ctx,\n"
    "                                         int64_t trial_id, int32_t how)\n"
    "{\n"
    "    (void)ctx, (void)how;\n"
    "    struct @N@ *b = state;\n"
    "    for (size_t i = 0; i < b->n; i++)\n"
    "        if (b->jobs[i].trial_id == trial_id)\n"
    "            b->jobs[i].live = 0;\n"
    "    return HPOLAB_OK;\n"
    "}\n"
    "\n"
    "/* One epoch of every running trial per call; finished trials exit. */\n"
    "static int32_t HPOLAB_ABI @N@_wait_events(void *state, struct hpolab_ctx *ctx,\n"
    "                                          double timeout_s)\n"
    "{\n"
    "    (void)timeout_s;\n"
    "    struct @N@ *b = state;\n"
    "    for (size_t i = 0; i < b->n; i++) {\n"
    "        struct job *j = &b->jobs[i];\n"
    "        if (!j->live)\n"
    "            continue;\n"
    "        char json[128];\n"
    "        int len = snprintf(json, sizeof json,\n"
    "                           \"{\\\"epoch\\\": %lld, \\\"loss\\\": %.17g}\",\n"
    "                           (long long)j->next, j->base + 1.0 / (double)j->next);\n"
    "        int32_t st = hpolab_host->emit_result(ctx, j->trial_id, json,\n"
    "                                              (uint64_t)len);\n"
    "        if (st != HPOLAB_OK)\n"
    "            return st;\n"
    "        if (j->next++ >= b->epochs) {\n"
    "            j->live = 0;\n"
    "            st = hpolab_host->emit_exit(ctx, j->trial_id,\n"
    "                                        HPOLAB_TRIAL_COMPLETED, NULL);\n"
    "            if (st != HPOLAB_OK)\n"
    "                return st;\n"
    "        }\n"
    "    }\n"
    "    return HPOLAB_OK;\n"
    "}\n"
    "\n"
    "static const struct hpolab_backend_class @N@_class = {\n"
    "    .struct_size = sizeof(struct hpolab_backend_class),\n"
    "    .id = \"@N@\",\n"
    "    .description = \"@N@ backend\",\n"
    "    .create = @N@_create,\n"
    "    .destroy = @N@_destroy,\n"
    "    .start_trial = @N@_start_trial,\n"
    "    .stop_trial = @N@_stop_trial,\n"
    "    .wait_events = @N@_wait_events,\n"
    "};\n"
    "\n"
    "static int32_t @N@_init(struct hpolab_ctx *ctx)\n"
    "{\n"
    "    return hpolab_register_backend(ctx, &@N@_class);\n"
    "}\n"
    "\n"
    "HPOLAB_PLUGIN_DEFINE(@P@, \"0.1.0\", \"@N@ backend\", \"MIT\", @N@_init, NULL)\n";

static const char plotter_tpl[] =
    "/* @N@.c: the plotter '@N@': a starting point that writes the figure's\n"
    " * data as one CSV file, <stem>.csv, with the columns subplot, series, x,\n"
    " * y, lower, upper (empty when a series has no band). Replace render with\n"
    " * your drawing; plugins/plotters/gnuplot in hpolab's sources draws with\n"
    " * gnuplot. The figure is read through the host table's figure_*\n"
    " * accessors (ABI 1.1). */\n"
    "#include <hpolab/hpolab.h>\n"
    "#include <math.h>\n"
    "#include <stdio.h>\n"
    "#include <stdlib.h>\n"
    "\n"
    "static int32_t HPOLAB_ABI @N@_create(struct hpolab_ctx *ctx,\n"
    "                                     const struct hpolab_plotter_args *args,\n"
    "                                     void **out_state)\n"
    "{\n"
    "    (void)ctx, (void)args;\n"
    "    *out_state = NULL; /* no state: options would be read here */\n"
    "    return HPOLAB_OK;\n"
    "}\n"
    "\n"
    "static void HPOLAB_ABI @N@_destroy(void *state) { (void)state; }\n"
    "\n"
    "/* A CSV field: quoted, with quotes doubled. */\n"
    "static void put_text(FILE *f, const char *s)\n"
    "{\n"
    "    fputc('\"', f);\n"
    "    for (; s && *s; s++) {\n"
    "        if (*s == '\"')\n"
    "            fputc('\"', f);\n"
    "        fputc(*s, f);\n"
    "    }\n"
    "    fputc('\"', f);\n"
    "}\n"
    "\n"
    "static void put_number(FILE *f, const double *v, uint64_t i)\n"
    "{\n"
    "    if (v && !isnan(v[i]))\n"
    "        fprintf(f, \"%.17g\", v[i]);\n"
    "}\n"
    "\n"
    "static int32_t HPOLAB_ABI @N@_render(void *state, struct hpolab_ctx *ctx,\n"
    "                                     const struct hpolab_figure *fig,\n"
    "                                     const char *output_stem)\n"
    "{\n"
    "    (void)state;\n"
    "    char path[4096];\n"
    "    snprintf(path, sizeof path, \"%s.csv\", output_stem);\n"
    "    FILE *f = fopen(path, \"w\");\n"
    "    if (!f)\n"
    "        return hpolab_set_error(ctx, HPOLAB_ERR_IO, \"cannot write %s\", path);\n"
    "    fputs(\"subplot,series,x,y,lower,upper\\n\", f);\n"
    "    uint32_t subplots = hpolab_host->figure_subplot_count(fig);\n"
    "    for (uint32_t p = 0; p < subplots; p++) {\n"
    "        uint32_t series = hpolab_host->figure_series_count(fig, p);\n"
    "        for (uint32_t s = 0; s < series; s++) {\n"
    "            uint64_t n = hpolab_host->figure_series_length(fig, p, s);\n"
    "            const double *x = hpolab_host->figure_series_x(fig, p, s);\n"
    "            const double *y = hpolab_host->figure_series_y(fig, p, s);\n"
    "            const double *lo = hpolab_host->figure_series_lower(fig, p, s);\n"
    "            const double *hi = hpolab_host->figure_series_upper(fig, p, s);\n"
    "            for (uint64_t i = 0; i < n && x && y; i++) {\n"
    "                put_text(f, hpolab_host->figure_subplot_title(fig, p));\n"
    "                fputc(',', f);\n"
    "                put_text(f, hpolab_host->figure_series_name(fig, p, s));\n"
    "                fprintf(f, \",%.17g,%.17g,\", x[i], y[i]);\n"
    "                put_number(f, lo, i);\n"
    "                fputc(',', f);\n"
    "                put_number(f, hi, i);\n"
    "                fputc('\\n', f);\n"
    "            }\n"
    "        }\n"
    "    }\n"
    "    if (fclose(f) != 0)\n"
    "        return hpolab_set_error(ctx, HPOLAB_ERR_IO, \"cannot write %s\", path);\n"
    "    return HPOLAB_OK;\n"
    "}\n"
    "\n"
    "static const struct hpolab_plotter_class @N@_class = {\n"
    "    .struct_size = sizeof(struct hpolab_plotter_class),\n"
    "    .id = \"@N@\",\n"
    "    .description = \"@N@ plotter\",\n"
    "    .create = @N@_create,\n"
    "    .destroy = @N@_destroy,\n"
    "    .render = @N@_render,\n"
    "};\n"
    "\n"
    "static int32_t @N@_init(struct hpolab_ctx *ctx)\n"
    "{\n"
    "    return hpolab_register_plotter(ctx, &@N@_class);\n"
    "}\n"
    "\n"
    "HPOLAB_PLUGIN_DEFINE(@P@, \"0.1.0\", \"@N@ plotter\", \"MIT\", @N@_init, NULL)\n";

int hpolab_cmd_plugin_new(int argc, char **argv)
{
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: hpolab plugin new KIND NAME [DIR]   "
                        "(KIND: searcher, scheduler, backend or plotter)\n");
        return 2;
    }
    const char *kind = argv[1], *name = argv[2];
    const char *tpl = strcmp(kind, "searcher") == 0    ? searcher_tpl
                      : strcmp(kind, "scheduler") == 0 ? scheduler_tpl
                      : strcmp(kind, "backend") == 0   ? backend_tpl
                      : strcmp(kind, "plotter") == 0   ? plotter_tpl
                                                       : NULL;
    if (!tpl) {
        fprintf(stderr,
                "hpolab plugin new: unknown kind '%s' (searcher, scheduler, "
                "backend or plotter)\n",
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
