/* registry.c: the accepted plugins, the component classes they registered
 * and the files that were refused. Registration checks live here because a
 * class can only be judged once it is handed over inside init. */
#include "registry.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

/* A required callback of a class: its name and where it lies. */
struct required_cb {
    const char *name;
    size_t offset;
};

#define CB(type, field) {#field, offsetof(struct type, field)}
#define END_OF(type, field) \
    (offsetof(struct type, field) + sizeof(((struct type *)0)->field))

static const struct required_cb scheduler_required[] = {
    CB(hpolab_scheduler_class, create),
    CB(hpolab_scheduler_class, destroy),
    CB(hpolab_scheduler_class, suggest),
    CB(hpolab_scheduler_class, on_trial_result),
};
static const struct required_cb searcher_required[] = {
    CB(hpolab_searcher_class, create),
    CB(hpolab_searcher_class, destroy),
    CB(hpolab_searcher_class, suggest),
};
static const struct required_cb backend_required[] = {
    CB(hpolab_backend_class, create),
    CB(hpolab_backend_class, destroy),
    CB(hpolab_backend_class, start_trial),
    CB(hpolab_backend_class, stop_trial),
    CB(hpolab_backend_class, wait_events),
};
static const struct required_cb plotter_required[] = {
    CB(hpolab_plotter_class, create),
    CB(hpolab_plotter_class, destroy),
    CB(hpolab_plotter_class, render),
};

/* What the host knows about each kind. size_1_0 is the end of the last
 * ABI 1.0 field: a class smaller than that cannot be a valid 1.x class. */
static const struct kind_info {
    const char *name;
    const char *plural;
    size_t host_size;
    size_t size_1_0;
    const struct required_cb *required;
    size_t n_required;
} kinds[HPOLAB_KIND_COUNT] = {
    [HPOLAB_KIND_SCHEDULER] = {"scheduler", "schedulers",
                               sizeof(struct hpolab_scheduler_class),
                               END_OF(hpolab_scheduler_class, restore),
                               scheduler_required, 4},
    [HPOLAB_KIND_SEARCHER] = {"searcher", "searchers",
                              sizeof(struct hpolab_searcher_class),
                              END_OF(hpolab_searcher_class, restore),
                              searcher_required, 3},
    [HPOLAB_KIND_BACKEND] = {"backend", "backends",
                             sizeof(struct hpolab_backend_class),
                             END_OF(hpolab_backend_class, stop_all),
                             backend_required, 5},
    [HPOLAB_KIND_PLOTTER] = {"plotter", "plotters",
                             sizeof(struct hpolab_plotter_class),
                             END_OF(hpolab_plotter_class, render),
                             plotter_required, 3},
};

/* Classes share their head (struct_size, id, description), which lets the
 * registry read those fields without knowing the kind. */
struct class_head {
    uint32_t struct_size;
    const char *id;
    const char *description;
};

/* Upper bound on a registered class size: anything larger is a bad size
 * argument, not a newer class, and reading its tail could fault. */
#define CLASS_SIZE_MAX 4096

struct hpolab_registry {
    struct hpolab_plugin **plugins; /* owned */
    size_t n_plugins, cap_plugins;
    struct hpolab_component **components; /* owned; pointers stay stable */
    size_t n_components, cap_components;
    struct hpolab_rejected *rejected; /* owned */
    size_t n_rejected, cap_rejected;
    struct hpolab_error refusal; /* first refusal of the current init */
    struct hpolab_presets presets; /* found beside the plugins */
};

const char *hpolab_kind_name(int32_t kind)
{
    return kind >= 0 && kind < HPOLAB_KIND_COUNT ? kinds[kind].name : NULL;
}

int32_t hpolab_kind_from_name(const char *name)
{
    if (!name)
        return -1;
    for (int32_t k = 0; k < HPOLAB_KIND_COUNT; k++)
        if (strcmp(name, kinds[k].name) == 0 ||
            strcmp(name, kinds[k].plural) == 0)
            return k;
    return -1;
}

const char *hpolab_kind_list(void)
{
    return "scheduler, searcher, backend, plotter";
}

int hpolab_name_is_valid(const char *s)
{
    if (!s || !*s)
        return 0;
    size_t n = 0;
    for (; s[n]; n++) {
        char c = s[n];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return 0;
    }
    return n <= HPOLAB_NAME_MAX;
}

/* Grows *arr (of elem-sized items) so that one more fits. */
static int grow(void **arr, size_t *cap, size_t count, size_t elem)
{
    if (count < *cap)
        return 1;
    size_t ncap = *cap ? *cap * 2 : 8;
    void *p = realloc(*arr, ncap * elem);
    if (!p)
        return 0;
    *arr = p;
    *cap = ncap;
    return 1;
}

int32_t hpolab_registry_create(struct hpolab_registry **out,
                               struct hpolab_error *err)
{
    *out = calloc(1, sizeof **out);
    if (!*out)
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM,
                                "plugin registry: out of memory");
    return HPOLAB_OK;
}

void hpolab_plugin_unload(struct hpolab_plugin *plugin, int call_fini)
{
    if (!plugin)
        return;
    if (call_fini && plugin->info && plugin->info->fini)
        plugin->info->fini();
    const char *keep = getenv("HPOLAB_NO_DLCLOSE");
    if (plugin->handle && !(keep && *keep))
        dlclose(plugin->handle);
    free(plugin->path);
    free(plugin->name);
    free(plugin->version);
    free(plugin->description);
    free(plugin);
}

void hpolab_registry_destroy(struct hpolab_registry *reg)
{
    if (!reg)
        return;
    for (size_t i = 0; i < reg->n_components; i++)
        free(reg->components[i]);
    free(reg->components);
    /* Every fini runs before any plugin is unmapped: a fini may still
     * expect the other plugins to be there. */
    for (size_t i = reg->n_plugins; i-- > 0;) {
        const struct hpolab_plugin_info *info = reg->plugins[i]->info;
        if (info && info->fini)
            info->fini();
    }
    for (size_t i = reg->n_plugins; i-- > 0;)
        hpolab_plugin_unload(reg->plugins[i], 0);
    free(reg->plugins);
    for (size_t i = 0; i < reg->n_rejected; i++) {
        free(reg->rejected[i].path);
        free(reg->rejected[i].reason);
    }
    free(reg->rejected);
    hpolab_presets_free(&reg->presets);
    free(reg);
}

/* ---- registration ----------------------------------------------------- */

static int tail_is_zero(const void *cls, uint64_t from, uint64_t to)
{
    const unsigned char *p = cls;
    for (uint64_t i = from; i < to; i++)
        if (p[i])
            return 0;
    return 1;
}

static int callback_present(const void *cls, size_t offset)
{
    void (*fn)(void);
    memcpy(&fn, (const char *)cls + offset, sizeof fn);
    return fn != NULL;
}

/* Checks one class and adds it. Messages name the component; the loader
 * adds the plugin and file in front. */
static int32_t add_component(struct hpolab_registry *reg,
                             struct hpolab_plugin *plugin, int32_t kind,
                             const void *cls, uint64_t size,
                             struct hpolab_error *err)
{
    const struct kind_info *k = &kinds[kind];
    if (!cls)
        return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                "register_%s: the class is NULL", k->name);
    if (size < sizeof(struct class_head))
        return hpolab_error_set(
            err, HPOLAB_ERR_ABI,
            "%s class: size %llu is smaller than the %zu bytes of ABI 1.0; "
            "register it with hpolab_register_%s() and rebuild the plugin "
            "against hpolab %d.x",
            k->name, (unsigned long long)size, k->size_1_0, k->name,
            HPOLAB_ABI_MAJOR);
    struct class_head head;
    memcpy(&head, cls, sizeof head);
    if (!head.id)
        return hpolab_error_set(err, HPOLAB_ERR_PLUGIN,
                                "%s class has no id; set .id", k->name);
    if (!hpolab_name_is_valid(head.id))
        return hpolab_error_set(
            err, HPOLAB_ERR_PLUGIN,
            "%s id '%.80s' is not valid: use 1 to %d lowercase letters, "
            "digits or '_' ([a-z0-9_]+)",
            k->name, head.id, HPOLAB_NAME_MAX);
    if (size < k->size_1_0)
        return hpolab_error_set(
            err, HPOLAB_ERR_ABI,
            "%s '%s': class size %llu is smaller than the %zu bytes of "
            "ABI 1.0; rebuild the plugin against hpolab %d.x",
            k->name, head.id, (unsigned long long)size, k->size_1_0,
            HPOLAB_ABI_MAJOR);
    if (size > CLASS_SIZE_MAX)
        return hpolab_error_set(
            err, HPOLAB_ERR_ABI,
            "%s '%s': class size %llu is not plausible (this hpolab knows "
            "%zu bytes); register it with hpolab_register_%s()",
            k->name, head.id, (unsigned long long)size, k->host_size,
            k->name);
    if (head.struct_size != 0 && head.struct_size != size)
        return hpolab_error_set(
            err, HPOLAB_ERR_ABI,
            "%s '%s': struct_size says %u bytes but %llu were registered; "
            "set .struct_size = sizeof the class",
            k->name, head.id, head.struct_size, (unsigned long long)size);
    if (size > k->host_size && !tail_is_zero(cls, k->host_size, size))
        return hpolab_error_set(
            err, HPOLAB_ERR_ABI,
            "%s '%s': class size %llu > %zu known to this hpolab (ABI "
            "%d.%d) and it uses the newer fields; upgrade hpolab",
            k->name, head.id, (unsigned long long)size, k->host_size,
            HPOLAB_ABI_MAJOR, HPOLAB_ABI_MINOR);

    struct hpolab_component *c = calloc(1, sizeof *c);
    if (!c)
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    /* Zero-filled beyond what the plugin knows: newer optional callbacks
     * read as NULL, i.e. "default behaviour". */
    memcpy(&c->cls, cls, size < k->host_size ? (size_t)size : k->host_size);
    c->cls.scheduler.struct_size = (uint32_t)k->host_size;
    c->kind = kind;
    c->plugin = plugin;
    c->id = head.id;
    c->description = head.description ? head.description : "";
    c->class_size = size;

    for (size_t i = 0; i < k->n_required; i++)
        if (!callback_present(&c->cls, k->required[i].offset)) {
            hpolab_error_set(err, HPOLAB_ERR_PLUGIN,
                             "%s '%s': required callback '%s' is missing",
                             k->name, head.id, k->required[i].name);
            free(c);
            return err ? err->status : HPOLAB_ERR_PLUGIN;
        }

    const struct hpolab_component *old = hpolab_registry_find(reg, kind,
                                                              head.id);
    if (old) {
        if (old->plugin == plugin)
            hpolab_error_set(err, HPOLAB_ERR_EXISTS,
                             "%s '%s' is registered twice", k->name,
                             head.id);
        else
            hpolab_error_set(err, HPOLAB_ERR_EXISTS,
                             "%s '%s' is already provided by plugin '%s' "
                             "(%s); remove one of the two files",
                             k->name, head.id, old->plugin->name,
                             old->plugin->path);
        free(c);
        return HPOLAB_ERR_EXISTS;
    }
    if (!grow((void **)&reg->components, &reg->cap_components,
              reg->n_components, sizeof *reg->components)) {
        free(c);
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    }
    reg->components[reg->n_components++] = c;
    return HPOLAB_OK;
}

int32_t hpolab_registry_register(struct hpolab_ctx *ctx, int32_t kind,
                                 const void *cls, uint64_t size)
{
    if (!ctx) {
        hpolab_logf(HPOLAB_LOG_ERROR,
                    "a plugin called register_%s without a ctx; ignored",
                    hpolab_kind_name(kind) ? hpolab_kind_name(kind) : "?");
        return HPOLAB_ERR_INVALID;
    }
    const char *who = ctx->id ? ctx->id : "?";
    const char *ckind = ctx->kind ? ctx->kind : "plugin";
    if (kind < 0 || kind >= HPOLAB_KIND_COUNT) {
        int32_t st = hpolab_error_set(
            &ctx->err, HPOLAB_ERR_UNSUPPORTED,
            "component kind %d is not known to this hpolab (ABI %d.%d "
            "knows %s); upgrade hpolab",
            kind, HPOLAB_ABI_MAJOR, HPOLAB_ABI_MINOR, hpolab_kind_list());
        if (ctx->init_window && ctx->registry &&
            ctx->registry->refusal.status == HPOLAB_OK)
            ctx->registry->refusal = ctx->err;
        else if (!ctx->init_window)
            hpolab_logf(HPOLAB_LOG_WARN, "[%s:%s] %s", ckind, who,
                        ctx->err.message);
        return st;
    }
    if (!ctx->init_window || !ctx->registry || !ctx->plugin) {
        hpolab_error_set(&ctx->err, HPOLAB_ERR_STATE,
                         "register_%s called outside the plugin's init: "
                         "components can only be registered while the "
                         "plugin loads; ignored",
                         kinds[kind].name);
        hpolab_logf(HPOLAB_LOG_WARN, "[%s:%s] %s", ckind, who,
                    ctx->err.message);
        return HPOLAB_ERR_STATE;
    }
    struct hpolab_registry *reg = ctx->registry;
    int32_t st = add_component(reg, ctx->plugin, kind, cls, size, &ctx->err);
    if (st != HPOLAB_OK && reg->refusal.status == HPOLAB_OK)
        reg->refusal = ctx->err;
    return st;
}

int32_t hpolab_registry_take_refusal(struct hpolab_registry *reg,
                                     struct hpolab_error *err)
{
    int32_t st = reg->refusal.status;
    if (st != HPOLAB_OK && err)
        *err = reg->refusal;
    hpolab_error_clear(&reg->refusal);
    return st;
}

/* ---- lookup ------------------------------------------------------------ */

const struct hpolab_component *
hpolab_registry_find(const struct hpolab_registry *reg, int32_t kind,
                     const char *id)
{
    if (!reg || !id)
        return NULL;
    for (size_t i = 0; i < reg->n_components; i++) {
        const struct hpolab_component *c = reg->components[i];
        if (c->kind == kind && strcmp(c->id, id) == 0)
            return c;
    }
    return NULL;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int32_t hpolab_registry_require(const struct hpolab_registry *reg,
                                int32_t kind, const char *id,
                                const struct hpolab_component **out,
                                struct hpolab_error *err)
{
    *out = NULL;
    const char *kname = hpolab_kind_name(kind);
    if (!kname)
        return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                "unknown plugin kind %d (kinds: %s)", kind,
                                hpolab_kind_list());
    *out = hpolab_registry_find(reg, kind, id);
    if (*out)
        return HPOLAB_OK;

    size_t n = 0;
    const char **ids = NULL;
    if (reg && reg->n_components)
        ids = malloc(reg->n_components * sizeof *ids);
    if (ids)
        for (size_t i = 0; i < reg->n_components; i++)
            if (reg->components[i]->kind == kind)
                ids[n++] = reg->components[i]->id;
    if (n == 0) {
        free(ids);
        return hpolab_error_set(
            err, HPOLAB_ERR_NOT_FOUND,
            "no %s plugin named '%s'; no %s plugin is installed (see "
            "'hpolab plugins --verbose' and HPOLAB_PLUGIN_PATH)",
            kname, id ? id : "(null)", kname);
    }
    qsort(ids, n, sizeof *ids, cmp_str);
    char list[1024];
    size_t used = 0;
    list[0] = '\0';
    for (size_t i = 0; i < n && used < sizeof list; i++) {
        int w = snprintf(list + used, sizeof list - used, "%s%s",
                         i ? ", " : "", ids[i]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
    free(ids);
    return hpolab_error_set(err, HPOLAB_ERR_NOT_FOUND,
                            "no %s plugin named '%s'; available: %s", kname,
                            id ? id : "(null)", list);
}

size_t hpolab_registry_component_count(const struct hpolab_registry *reg)
{
    return reg ? reg->n_components : 0;
}

const struct hpolab_component *
hpolab_registry_component_at(const struct hpolab_registry *reg, size_t index)
{
    return reg && index < reg->n_components ? reg->components[index] : NULL;
}

size_t hpolab_registry_plugin_count(const struct hpolab_registry *reg)
{
    return reg ? reg->n_plugins : 0;
}

const struct hpolab_plugin *
hpolab_registry_plugin_at(const struct hpolab_registry *reg, size_t index)
{
    return reg && index < reg->n_plugins ? reg->plugins[index] : NULL;
}

size_t hpolab_registry_rejected_count(const struct hpolab_registry *reg)
{
    return reg ? reg->n_rejected : 0;
}

const struct hpolab_rejected *
hpolab_registry_rejected_at(const struct hpolab_registry *reg, size_t index)
{
    return reg && index < reg->n_rejected ? &reg->rejected[index] : NULL;
}

/* ---- for the loader ---------------------------------------------------- */

const struct hpolab_plugin *
hpolab_registry_find_plugin(const struct hpolab_registry *reg,
                            const char *name)
{
    for (size_t i = 0; reg && name && i < reg->n_plugins; i++)
        if (strcmp(reg->plugins[i]->name, name) == 0)
            return reg->plugins[i];
    return NULL;
}

int32_t hpolab_registry_add_plugin(struct hpolab_registry *reg,
                                   struct hpolab_plugin *plugin,
                                   struct hpolab_error *err)
{
    if (!grow((void **)&reg->plugins, &reg->cap_plugins, reg->n_plugins,
              sizeof *reg->plugins)) {
        hpolab_registry_remove_components(reg, plugin);
        hpolab_plugin_unload(plugin, 0);
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    }
    reg->plugins[reg->n_plugins++] = plugin;
    return HPOLAB_OK;
}

void hpolab_registry_remove_components(struct hpolab_registry *reg,
                                       const struct hpolab_plugin *plugin)
{
    size_t kept = 0;
    for (size_t i = 0; i < reg->n_components; i++) {
        if (reg->components[i]->plugin == plugin)
            free(reg->components[i]);
        else
            reg->components[kept++] = reg->components[i];
    }
    reg->n_components = kept;
}

size_t hpolab_registry_count_of(const struct hpolab_registry *reg,
                                const struct hpolab_plugin *plugin)
{
    size_t n = 0;
    for (size_t i = 0; i < reg->n_components; i++)
        n += reg->components[i]->plugin == plugin;
    return n;
}

int32_t hpolab_registry_add_rejected(struct hpolab_registry *reg,
                                     const char *path, int32_t status,
                                     const char *reason,
                                     struct hpolab_error *err)
{
    if (!grow((void **)&reg->rejected, &reg->cap_rejected, reg->n_rejected,
              sizeof *reg->rejected))
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    struct hpolab_rejected *r = &reg->rejected[reg->n_rejected];
    r->path = strdup(path);
    r->reason = strdup(reason);
    r->status = status;
    if (!r->path || !r->reason) {
        free(r->path);
        free(r->reason);
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    }
    reg->n_rejected++;
    return HPOLAB_OK;
}

const struct hpolab_presets *
hpolab_registry_presets(const struct hpolab_registry *reg)
{
    return &reg->presets;
}

struct hpolab_presets *hpolab_registry_presets_mut(struct hpolab_registry *reg)
{
    return &reg->presets;
}
