/* registry.h: the plugins loaded into this process and the component
 * classes they registered. The loader (plugin_loader.c) opens files and
 * validates descriptors; the registry only keeps what was accepted. */
#ifndef HPOLAB_CORE_REGISTRY_H
#define HPOLAB_CORE_REGISTRY_H

#include <hpolab/plugin.h>
#include <stddef.h>

#include "ctx.h"
#include "diag.h"
#include "error.h"

#define HPOLAB_KIND_SCHEDULER 0
#define HPOLAB_KIND_SEARCHER 1
#define HPOLAB_KIND_BACKEND 2
#define HPOLAB_KIND_PLOTTER 3
#define HPOLAB_KIND_COUNT 4

/* "scheduler", "searcher", "backend", "plotter"; NULL for an unknown kind. */
const char *hpolab_kind_name(int32_t kind);
/* Kind from its name (also accepts the plural); -1 if unknown. */
int32_t hpolab_kind_from_name(const char *name);

struct hpolab_plugin {
    char *path;                             /* owned; absolute file path */
    void *handle;                           /* dlopen handle */
    const struct hpolab_plugin_info *info;  /* [borrowed] from the plugin */
    char *name;                             /* owned copies of info fields */
    char *version;
    char *description;
    uint16_t abi_major, abi_minor;
};

struct hpolab_component {
    int32_t kind;                      /* HPOLAB_KIND_* */
    struct hpolab_plugin *plugin;      /* the plugin that registered it */
    union {                            /* copied; zero-filled up to the
                                          host's size */
        struct hpolab_scheduler_class scheduler;
        struct hpolab_searcher_class searcher;
        struct hpolab_backend_class backend;
        struct hpolab_plotter_class plotter;
    } cls;
    const char *id;                    /* == cls.<kind>.id */
    const char *description;
};

struct hpolab_registry;

int32_t hpolab_registry_create(struct hpolab_registry **out,
                               struct hpolab_error *err);
/* Calls every plugin's fini, then dlcloses. */
void hpolab_registry_destroy(struct hpolab_registry *reg);

/* The host table entries register_* call this. Checks the init window
 * (HPOLAB_ERR_STATE outside it), the class size (smaller: zero-fill; larger:
 * accepted only if the unknown tail is zero), required callbacks, and
 * duplicate (kind, id). Refusals are logged as one line. */
int32_t hpolab_registry_register(struct hpolab_ctx *ctx, int32_t kind,
                                 const void *cls, uint64_t size);

/* NULL if absent. */
const struct hpolab_component *
hpolab_registry_find(const struct hpolab_registry *reg, int32_t kind,
                     const char *id);
/* Like find, but a missing component is an error naming the kind and listing
 * the ids available for it: "no searcher plugin named 'rand'; available:
 * bayesopt, random". */
int32_t hpolab_registry_require(const struct hpolab_registry *reg,
                                int32_t kind, const char *id,
                                const struct hpolab_component **out,
                                struct hpolab_error *err);
size_t hpolab_registry_component_count(const struct hpolab_registry *reg);
const struct hpolab_component *
hpolab_registry_component_at(const struct hpolab_registry *reg, size_t index);
/* Plugins accepted, and plugins rejected with their one-line reason. */
size_t hpolab_registry_plugin_count(const struct hpolab_registry *reg);
const struct hpolab_plugin *
hpolab_registry_plugin_at(const struct hpolab_registry *reg, size_t index);

#endif
