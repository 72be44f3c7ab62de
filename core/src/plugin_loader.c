/* plugin_loader.c: from a file on disk to components in the registry. The
 * order of the descriptor checks matters: the three leading fields
 * (struct_size, abi_major, abi_minor) are the same in every ABI major, the
 * rest may only be read once the major and the size are known to fit. */
#include "plugin_loader.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctx.h"
#include "fsutil.h"
#include "host_api.h"
#include "log.h"
typedef const struct hpolab_plugin_info *(*entry_fn)(void);

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* "searcher_random" must start with a kind and '_': the file name
 * hpolab-<kind>_<name>.so then says what the plugin provides. */
static int has_kind_prefix(const char *name)
{
    for (int32_t k = 0; k < HPOLAB_KIND_COUNT; k++) {
        const char *kn = hpolab_kind_name(k);
        size_t n = strlen(kn);
        if (strncmp(name, kn, n) == 0 && name[n] == '_' && name[n + 1])
            return 1;
    }
    return 0;
}

/* The descriptor checks (sdk/ABI.md "How the host checks a plugin"). */
static int32_t check_descriptor(const struct hpolab_plugin_info *info,
                                const char *path, struct hpolab_error *err)
{
    const size_t version_end = offsetof(struct hpolab_plugin_info, name);
    if (info->struct_size < version_end)
        return hpolab_error_set(
            err, HPOLAB_ERR_ABI,
            "plugin '%s': descriptor size %u is smaller than the %zu bytes "
            "of ABI 1.0: rebuild it against hpolab %d.x",
            path, info->struct_size, (size_t)HPOLAB_PLUGIN_INFO_MIN_SIZE,
            HPOLAB_ABI_MAJOR);
    if (info->abi_major != HPOLAB_ABI_MAJOR)
        return hpolab_error_set(
            err, HPOLAB_ERR_ABI,
            "plugin '%s' was built for hpolab ABI %u.x; this hpolab "
            "provides ABI %d.%d: rebuild it against hpolab %d.x",
            path, info->abi_major, HPOLAB_ABI_MAJOR, HPOLAB_ABI_MINOR,
            HPOLAB_ABI_MAJOR);
    if (info->struct_size < HPOLAB_PLUGIN_INFO_MIN_SIZE)
        return hpolab_error_set(
            err, HPOLAB_ERR_ABI,
            "plugin '%s': descriptor size %u is smaller than the %zu bytes "
            "of ABI 1.0: rebuild it against hpolab %d.x (use "
            "HPOLAB_PLUGIN_DEFINE)",
            path, info->struct_size, (size_t)HPOLAB_PLUGIN_INFO_MIN_SIZE,
            HPOLAB_ABI_MAJOR);
    if (!info->name || !info->name[0])
        return hpolab_error_set(err, HPOLAB_ERR_PLUGIN,
                                "plugin '%s': descriptor field 'name' is "
                                "missing; set it in HPOLAB_PLUGIN_DEFINE",
                                path);
    if (!hpolab_name_is_valid(info->name))
        return hpolab_error_set(
            err, HPOLAB_ERR_PLUGIN,
            "plugin '%s': name '%.80s' is not valid: use 1 to %d lowercase "
            "letters, digits or '_' ([a-z0-9_]+), e.g. searcher_mine",
            path, info->name, HPOLAB_NAME_MAX);
    if (info->abi_minor > HPOLAB_ABI_MINOR)
        return hpolab_error_set(
            err, HPOLAB_ERR_ABI,
            "plugin '%s' (%s) needs hpolab ABI %u.%u; this hpolab provides "
            "ABI %d.%d: upgrade hpolab or rebuild the plugin against hpolab "
            "%d.%d",
            info->name, path, info->abi_major, info->abi_minor,
            HPOLAB_ABI_MAJOR, HPOLAB_ABI_MINOR, HPOLAB_ABI_MAJOR,
            HPOLAB_ABI_MINOR);
    const char *missing = !info->version || !info->version[0] ? "version"
                          : !info->description || !info->description[0]
                              ? "description"
                          : !info->init ? "init"
                                        : NULL;
    if (missing)
        return hpolab_error_set(err, HPOLAB_ERR_PLUGIN,
                                "plugin '%s' (%s): descriptor field '%s' is "
                                "missing; set it in HPOLAB_PLUGIN_DEFINE",
                                info->name, path, missing);
    if (!has_kind_prefix(info->name))
        return hpolab_error_set(
            err, HPOLAB_ERR_PLUGIN,
            "plugin '%s' (%s): the name must start with the kind it "
            "provides and '_' (%s), e.g. searcher_%s; rename it",
            info->name, path, "scheduler_, searcher_, backend_, plotter_",
            info->name);
    return HPOLAB_OK;
}

static struct hpolab_plugin *new_plugin(const char *path, void *handle,
                                        const struct hpolab_plugin_info *info)
{
    struct hpolab_plugin *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->handle = handle;
    p->info = info;
    p->abi_major = info->abi_major;
    p->abi_minor = info->abi_minor;
    p->path = strdup(path);
    p->name = strdup(info->name);
    p->version = strdup(info->version);
    p->description = strdup(info->description);
    if (!p->path || !p->name || !p->version || !p->description) {
        p->handle = NULL; /* the caller closes it */
        hpolab_plugin_unload(p, 0);
        return NULL;
    }
    return p;
}

/* Runs init with the registration window open; on any refusal rolls back
 * every registration and unloads the plugin (without fini: init did not
 * succeed). Takes ownership of p. */
static int32_t run_init(struct hpolab_registry *reg, struct hpolab_plugin *p,
                        struct hpolab_error *err)
{
    struct hpolab_ctx ctx;
    hpolab_ctx_init(&ctx, "plugin", p->name, reg);
    ctx.plugin = p;
    hpolab_registry_take_refusal(reg, NULL);
    ctx.init_window = 1;
    int32_t st = p->info->init(&ctx, hpolab_host_api());
    ctx.init_window = 0;

    struct hpolab_error refusal;
    int32_t rst = hpolab_registry_take_refusal(reg, &refusal);
    if (rst != HPOLAB_OK)
        hpolab_error_set(err, rst, "plugin '%s' (%s): %s", p->name, p->path,
                         refusal.message);
    else if (st != HPOLAB_OK)
        rst = hpolab_error_set(
            err, HPOLAB_ERR_PLUGIN, "plugin '%s' (%s): init failed: %s: %s",
            p->name, p->path, hpolab_status_text(st),
            ctx.err.status != HPOLAB_OK && ctx.err.message[0]
                ? ctx.err.message
                : "(the plugin gave no message)");
    else if (hpolab_registry_count_of(reg, p) == 0)
        rst = hpolab_error_set(err, HPOLAB_ERR_PLUGIN,
                               "plugin '%s' (%s): init registered no "
                               "component; call hpolab_register_<kind>() "
                               "in init",
                               p->name, p->path);
    if (rst != HPOLAB_OK) {
        hpolab_registry_remove_components(reg, p);
        hpolab_plugin_unload(p, 0);
        return rst;
    }
    return hpolab_registry_add_plugin(reg, p, err);
}

int32_t hpolab_loader_load_file(struct hpolab_registry *reg, const char *path,
                                struct hpolab_error *err)
{
    char *abs = realpath(path, NULL);
    if (!abs)
        return hpolab_error_set(err, HPOLAB_ERR_PLUGIN,
                                "plugin file '%s': cannot load: %s", path,
                                strerror(errno));
    int32_t st = HPOLAB_OK;
    dlerror();
    void *handle = dlopen(abs, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        const char *why = dlerror();
        st = hpolab_error_set(err, HPOLAB_ERR_PLUGIN,
                              "plugin file '%s': cannot load: %s; is it a "
                              "plugin built for this system? Missing "
                              "dependencies? Check with ldd(1)",
                              abs, why ? why : "unknown dlopen error");
        goto out;
    }
    void *sym = dlsym(handle, HPOLAB_PLUGIN_ENTRY_SYMBOL);
    if (!sym) {
        st = hpolab_error_set(err, HPOLAB_ERR_PLUGIN,
                              "'%s' is not a hpolab plugin (no %s symbol); "
                              "build it with HPOLAB_PLUGIN_DEFINE, or move "
                              "it out of the plugin folder",
                              abs, HPOLAB_PLUGIN_ENTRY_SYMBOL);
        goto out;
    }
    entry_fn entry;
    memcpy(&entry, &sym, sizeof entry);
    const struct hpolab_plugin_info *info = entry();
    if (!info) {
        st = hpolab_error_set(err, HPOLAB_ERR_PLUGIN,
                              "plugin '%s': %s() returned NULL; build it "
                              "with HPOLAB_PLUGIN_DEFINE",
                              abs, HPOLAB_PLUGIN_ENTRY_SYMBOL);
        goto out;
    }
    st = check_descriptor(info, abs, err);
    if (st != HPOLAB_OK)
        goto out;
    const struct hpolab_plugin *old = hpolab_registry_find_plugin(reg,
                                                                  info->name);
    if (old) {
        st = hpolab_error_set(err, HPOLAB_ERR_EXISTS,
                              "plugin '%s' from '%s' ignored: already loaded "
                              "from '%s'; remove one of the two files",
                              info->name, abs, old->path);
        goto out;
    }
    struct hpolab_plugin *p = new_plugin(abs, handle, info);
    if (!p) {
        st = hpolab_error_set(err, HPOLAB_ERR_NOMEM,
                              "plugin '%s': out of memory", abs);
        goto out;
    }
    handle = NULL; /* p owns it now */
    char expected[HPOLAB_NAME_MAX + 16];
    snprintf(expected, sizeof expected, "hpolab-%s.so", p->name);
    if (strcmp(base_name(abs), expected) != 0)
        hpolab_logf(HPOLAB_LOG_WARN,
                    "plugin '%s' (%s): the file should be named %s; loading "
                    "it anyway",
                    p->name, abs, expected);
    st = run_init(reg, p, err);
out:
    if (handle && !(getenv("HPOLAB_NO_DLCLOSE") &&
                    *getenv("HPOLAB_NO_DLCLOSE")))
        dlclose(handle);
    free(abs);
    return st;
}

static int is_plugin_file_name(const char *name)
{
    size_t n = strlen(name);
    return n > strlen("hpolab-.so") && strncmp(name, "hpolab-", 7) == 0 &&
           strcmp(name + n - 3, ".so") == 0;
}

/* A plugin runs with the user's rights, so a folder or file that another
 * user can write (or own) could run their code as ours: refused, as ssh
 * refuses such key files. Group write is accepted only for the user's own
 * primary group (user private groups, umask 002). */
static int32_t check_trusted(const char *path, const struct stat *sb,
                             const char *what, struct hpolab_error *err)
{
    unsigned mode = (unsigned)sb->st_mode & 07777u;
    if (sb->st_uid != 0 && sb->st_uid != geteuid())
        return hpolab_error_set(err, HPOLAB_ERR_PLUGIN,
                                "%s '%s' belongs to another user (uid %u): "
                                "refusing to load plugins from it",
                                what, path, (unsigned)sb->st_uid);
    if ((sb->st_mode & S_IWOTH) ||
        ((sb->st_mode & S_IWGRP) && sb->st_gid != getegid()))
        return hpolab_error_set(err, HPOLAB_ERR_PLUGIN,
                                "%s '%s' is writable by other users (mode "
                                "%04o): refusing to load plugins from it; "
                                "make it writable by its owner only (chmod "
                                "go-w '%s')",
                                what, path, mode, path);
    return HPOLAB_OK;
}

static int is_candidate_file_name(const char *name)
{
    return is_plugin_file_name(name) || hpolab_is_preset_file_name(name);
}

static int keep_candidate(const char *name, void *ctx)
{
    (void)ctx;
    return is_candidate_file_name(name);
}

/* The plugin and presets file names in dir, sorted; *out [owned:
 * hpolab_free_names]. */
static int32_t list_dir(const char *dir, char ***out, size_t *n,
                        struct hpolab_error *err)
{
    *out = NULL;
    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return hpolab_error_set(err, HPOLAB_ERR_IO,
                                "plugin folder '%s': cannot read it: %s", dir,
                                strerror(errno));
    int32_t st = hpolab_dir_names(d, keep_candidate, NULL, out, n, err);
    closedir(d);
    return st;
}

/* Loads one candidate file found by the scan; a refusal is logged and kept,
 * never fatal. */
static int32_t load_found(struct hpolab_registry *reg, const char *dir,
                          const char *name, struct hpolab_error *err)
{
    size_t size = strlen(dir) + strlen(name) + 2;
    char *path = malloc(size);
    if (!path)
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    snprintf(path, size, "%s/%s", dir, name);
    int32_t st = HPOLAB_OK;
    struct stat sb;
    /* Folders or devices named like candidates are not candidates. */
    if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode))
        goto out;
    struct hpolab_error why;
    hpolab_error_clear(&why);
    int32_t lst = stat(path, &sb) == 0
                      ? check_trusted(path, &sb, "plugin file", &why)
                      : HPOLAB_OK;
    if (lst == HPOLAB_OK)
        lst = hpolab_is_preset_file_name(name)
                      ? hpolab_presets_load_file(
                            hpolab_registry_presets_mut(reg), path, &why)
                      : hpolab_loader_load_file(reg, path, &why);
    if (lst == HPOLAB_ERR_NOMEM)
        st = hpolab_error_set(err, lst, "%s", why.message);
    else if (lst != HPOLAB_OK) {
        hpolab_logf(HPOLAB_LOG_WARN, "%s", why.message);
        st = hpolab_registry_add_rejected(reg, path, lst, why.message, err);
    }
out:
    free(path);
    return st;
}

int32_t hpolab_loader_load_path(struct hpolab_registry *reg,
                                const struct hpolab_search_path *sp,
                                struct hpolab_error *err)
{
    int32_t st = HPOLAB_OK;
    size_t scanned = 0;
    for (size_t i = 0; st == HPOLAB_OK && i < sp->count; i++) {
        char **names;
        size_t n;
        struct hpolab_error derr;
        struct stat sb;
        int32_t lst = stat(sp->dirs[i], &sb) == 0
                          ? check_trusted(sp->dirs[i], &sb, "plugin folder",
                                          &derr)
                          : HPOLAB_OK;
        if (lst != HPOLAB_OK) {
            /* one line, kept with the refused files; the folder is not
             * scanned */
            hpolab_logf(HPOLAB_LOG_WARN, "%s", derr.message);
            st = hpolab_registry_add_rejected(reg, sp->dirs[i], lst,
                                              derr.message, err);
            continue;
        }
        lst = list_dir(sp->dirs[i], &names, &n, &derr);
        if (lst == HPOLAB_ERR_NOMEM)
            st = hpolab_error_set(err, lst, "%s", derr.message);
        else if (lst != HPOLAB_OK)
            hpolab_logf(HPOLAB_LOG_WARN, "%s", derr.message);
        else
            scanned++;
        for (size_t j = 0; j < n && st == HPOLAB_OK; j++)
            st = load_found(reg, sp->dirs[i], names[j], err);
        hpolab_free_names(names, n);
    }
    if (st != HPOLAB_OK || scanned > 0)
        return st;
    char looked[1024] = "";
    size_t used = 0;
    for (size_t i = 0; i < sp->n_looked && used < sizeof looked; i++) {
        int w = snprintf(looked + used, sizeof looked - used, "%s%s",
                         i ? ", " : "", sp->looked[i]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
    return hpolab_error_set(err, HPOLAB_ERR_NOT_FOUND,
                            "no plugin folder could be read (looked in: %s); "
                            "set HPOLAB_PLUGIN_PATH to the folder holding the "
                            "hpolab-*.so files",
                            sp->n_looked ? looked : "nothing");
}

int32_t hpolab_loader_load_all(struct hpolab_registry *reg,
                               struct hpolab_error *err)
{
    struct hpolab_search_path sp;
    int32_t st = hpolab_search_path_build(&sp, err);
    if (st == HPOLAB_OK)
        st = hpolab_loader_load_path(reg, &sp, err);
    hpolab_search_path_free(&sp);
    return st;
}
