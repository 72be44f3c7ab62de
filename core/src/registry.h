/* registry.h: the plugins loaded into this process and the component
 * classes they registered. The loader (plugin_loader.c) opens files and
 * validates descriptors; the registry only keeps what was accepted, checks
 * each registration, and remembers the files it refused with their reason. */
#ifndef HPOLAB_CORE_REGISTRY_H
#define HPOLAB_CORE_REGISTRY_H

#include <hpolab/plugin.h>
#include <stddef.h>

#include "ctx.h"
#include "diag.h"
#include "error.h"
#include "preset.h"

#define HPOLAB_KIND_SCHEDULER 0
#define HPOLAB_KIND_SEARCHER 1
#define HPOLAB_KIND_BACKEND 2
#define HPOLAB_KIND_PLOTTER 3
#define HPOLAB_KIND_COUNT 4

/* "scheduler", "searcher", "backend", "plotter"; NULL for an unknown kind. */
const char *hpolab_kind_name(int32_t kind);
/* Kind from its name (also accepts the plural); -1 if unknown. */
int32_t hpolab_kind_from_name(const char *name);
/* [static] "scheduler, searcher, backend, plotter": for messages. */
const char *hpolab_kind_list(void);

/* 1 if s is a valid plugin name or component id: [a-z0-9_]+, at most
 * HPOLAB_NAME_MAX characters. */
#define HPOLAB_NAME_MAX 64
int hpolab_name_is_valid(const char *s);

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
    const char *description;           /* never NULL ("" when absent) */
    uint64_t class_size;               /* the size the plugin registered */
};

/* A file the loader refused. */
struct hpolab_rejected {
    char *path;     /* owned; the file */
    int32_t status; /* HPOLAB_ERR_* */
    char *reason;   /* owned; the one-line message (it names the file) */
};

struct hpolab_registry;

int32_t hpolab_registry_create(struct hpolab_registry **out,
                               struct hpolab_error *err);
/* Calls every plugin's fini (last loaded first), then dlcloses them all,
 * except when the environment variable HPOLAB_NO_DLCLOSE is set (keeps
 * plugin frames readable in valgrind/ASan reports). NULL is a no-op. */
void hpolab_registry_destroy(struct hpolab_registry *reg);

/* The host table entries register_* call this. Checks the init window
 * (HPOLAB_ERR_STATE outside it), the kind, the id ([a-z0-9_]+), the class
 * size (smaller than the ABI 1.0 class: refused; smaller than the host's:
 * zero-filled; larger: accepted only if the unknown tail is zero), required
 * callbacks, and duplicate (kind, id). A refusal sets ctx->err. Inside init
 * the first refusal is also kept for the loader, which refuses the whole
 * plugin with it (hpolab_registry_take_refusal); outside init it is logged
 * as one line. */
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
/* Components in registration order; [borrowed] for the registry's life. */
size_t hpolab_registry_component_count(const struct hpolab_registry *reg);
const struct hpolab_component *
hpolab_registry_component_at(const struct hpolab_registry *reg, size_t index);
/* Plugins accepted, in load order. */
size_t hpolab_registry_plugin_count(const struct hpolab_registry *reg);
const struct hpolab_plugin *
hpolab_registry_plugin_at(const struct hpolab_registry *reg, size_t index);
/* Files refused by hpolab_loader_load_all, with their one-line reason. */
size_t hpolab_registry_rejected_count(const struct hpolab_registry *reg);
const struct hpolab_rejected *
hpolab_registry_rejected_at(const struct hpolab_registry *reg, size_t index);

/* The presets read from hpolab-presets-*.json files beside the plugins;
 * [borrowed] for the registry's life. */
const struct hpolab_presets *
hpolab_registry_presets(const struct hpolab_registry *reg);

/* ---- for the loader -------------------------------------------------- */

struct hpolab_presets *hpolab_registry_presets_mut(struct hpolab_registry *reg);

/* The accepted plugin of that name, or NULL. */
const struct hpolab_plugin *
hpolab_registry_find_plugin(const struct hpolab_registry *reg,
                            const char *name);
/* Takes ownership of plugin (also on failure, when it is unloaded without
 * fini). Its components are already registered. */
int32_t hpolab_registry_add_plugin(struct hpolab_registry *reg,
                                   struct hpolab_plugin *plugin,
                                   struct hpolab_error *err);
/* Removes every component plugin registered (rollback of a failed init). */
void hpolab_registry_remove_components(struct hpolab_registry *reg,
                                       const struct hpolab_plugin *plugin);
/* Number of components plugin registered. */
size_t hpolab_registry_count_of(const struct hpolab_registry *reg,
                                const struct hpolab_plugin *plugin);
/* The first registration refused during the current init, if any: returns
 * its status and copies its message into err; HPOLAB_OK if none. Clears it. */
int32_t hpolab_registry_take_refusal(struct hpolab_registry *reg,
                                     struct hpolab_error *err);
/* Records a refused file (copies path and reason). */
int32_t hpolab_registry_add_rejected(struct hpolab_registry *reg,
                                     const char *path, int32_t status,
                                     const char *reason,
                                     struct hpolab_error *err);
/* Frees a plugin that is not (or no longer) in a registry: fini if
 * call_fini, dlclose (unless HPOLAB_NO_DLCLOSE is set), strings. */
void hpolab_plugin_unload(struct hpolab_plugin *plugin, int call_fini);

#endif
