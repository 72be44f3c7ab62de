/* plugin_pack.c: `hpolab plugin pack`: a folder of built plugins and their
 * presets files into a package tarball with a manifest (plugin_pack.h). */
#include "plugin_pack.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "pack_dir.h"
#include "plugin_loader.h"
#include "plugin_pack_sha256.h"
#include "preset.h"
#include "registry.h"

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* A plugin or presets file, and a regular file (ctx: the folder). */
static int packable(const char *name, void *ctx)
{
    int plugin = strncmp(name, "hpolab-", 7) == 0 && ends_with(name, ".so");
    if (!plugin && !hpolab_is_preset_file_name(name))
        return 0;
    char *path = hpolab_path_join(ctx, name);
    struct stat sb;
    int regular = path && stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
    free(path);
    return regular;
}

/* Names of the regular files in dir a package takes, sorted; *out [owned:
 * hpolab_free_names]. */
static int32_t list_files(const char *dir, char ***out, size_t *n,
                          struct hpolab_error *err)
{
    *out = NULL;
    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return hpolab_error_set(err, HPOLAB_ERR_NOT_FOUND,
                                "%s: cannot open the folder", dir);
    int32_t st = hpolab_dir_names(d, packable, (void *)dir, out, n, err);
    closedir(d);
    return st;
}

/* Fills the manifest's file entries: checksum, and for a plugin the name and
 * ABI its descriptor declares (it must load into this host). */
static int32_t describe_files(const char *dir, char **names, size_t n,
                              struct hpolab_pack_manifest *m,
                              struct hpolab_error *err)
{
    struct hpolab_registry *reg = NULL;
    struct hpolab_presets presets;
    hpolab_presets_init(&presets);
    int32_t st = hpolab_registry_create(&reg, err);
    m->files = calloc(n, sizeof *m->files);
    if (st == HPOLAB_OK && !m->files)
        st = hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    for (size_t i = 0; st == HPOLAB_OK && i < n; i++) {
        struct hpolab_pack_file *f = &m->files[i];
        m->n_files = i + 1;
        char *path = hpolab_path_join(dir, names[i]);
        f->name = strdup(names[i]);
        if (!path || !f->name) {
            free(path);
            st = hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
            break;
        }
        st = hpolab_sha256_file(path, f->sha256, err);
        if (st == HPOLAB_OK && ends_with(names[i], ".so")) {
            st = hpolab_loader_load_file(reg, path, err);
            if (st == HPOLAB_OK) {
                const struct hpolab_plugin *p = hpolab_registry_plugin_at(
                    reg, hpolab_registry_plugin_count(reg) - 1);
                f->plugin = strdup(p->name);
                f->abi_major = p->abi_major;
                f->abi_minor = p->abi_minor;
                if (!f->plugin)
                    st = hpolab_error_set(err, HPOLAB_ERR_NOMEM,
                                          "out of memory");
                else if (!m->version && !(m->version = strdup(p->version)))
                    st = hpolab_error_set(err, HPOLAB_ERR_NOMEM,
                                          "out of memory");
                if (p->abi_minor > m->abi_minor)
                    m->abi_minor = p->abi_minor;
                m->abi_major = p->abi_major;
            }
        } else if (st == HPOLAB_OK) {
            st = hpolab_presets_load_file(&presets, path, err);
        }
        free(path);
    }
    hpolab_presets_free(&presets);
    hpolab_registry_destroy(reg);
    return st;
}

/* The package name when none is given: the only presets file's stem, else
 * the only plugin's name. */
static int32_t default_name(const char *dir,
                            const struct hpolab_pack_manifest *m,
                            char **out, struct hpolab_error *err)
{
    const char *presets = NULL, *plugin = NULL;
    size_t n_presets = 0, n_plugins = 0;
    for (size_t i = 0; i < m->n_files; i++) {
        if (m->files[i].plugin) {
            plugin = m->files[i].plugin;
            n_plugins++;
        } else {
            presets = m->files[i].name;
            n_presets++;
        }
    }
    if (n_presets == 1) {
        const char *stem = presets + strlen("hpolab-presets-");
        *out = strndup(stem, strlen(stem) - strlen(".json"));
    } else if (n_plugins == 1) {
        *out = strdup(plugin);
    } else {
        return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                "%s: %zu plugins and %zu presets files: give "
                                "the package a name (--name NAME)",
                                dir, n_plugins, n_presets);
    }
    if (!*out)
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    if (!hpolab_name_is_valid(*out))
        return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                "%s: the package name '%s' is not [a-z0-9_]+; "
                                "give one with --name NAME",
                                dir, *out);
    return HPOLAB_OK;
}

static int32_t add_entry(struct archive *a, const char *name, const void *data,
                         size_t len, int mode, const char *out,
                         struct hpolab_error *err)
{
    struct archive_entry *e = archive_entry_new();
    if (!e)
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    archive_entry_set_pathname(e, name);
    archive_entry_set_size(e, (la_int64_t)len);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, mode);
    archive_entry_set_mtime(e, 0, 0); /* same inputs, same bytes */
    int32_t st = HPOLAB_OK;
    if (archive_write_header(a, e) != ARCHIVE_OK ||
        (len > 0 && archive_write_data(a, data, len) != (la_ssize_t)len))
        st = hpolab_error_set(err, HPOLAB_ERR_IO, "%s: cannot write '%s': %s",
                              out, name, archive_error_string(a));
    archive_entry_free(e);
    return st;
}

static int32_t write_tarball(const char *dir,
                             const struct hpolab_pack_manifest *m,
                             const char *manifest, const char *out,
                             struct hpolab_error *err)
{
    struct archive *a = NULL;
    int32_t st = hpolab_targz_open(out, &a, err);
    if (st != HPOLAB_OK)
        return st;
    st = add_entry(a, HPOLAB_PACK_MANIFEST, manifest, strlen(manifest), 0644,
                   out, err);
    for (size_t i = 0; st == HPOLAB_OK && i < m->n_files; i++) {
        char *path = hpolab_path_join(dir, m->files[i].name);
        char *data = NULL;
        size_t len = 0;
        st = path ? hpolab_read_file(path, &data, &len, err)
                  : hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
        if (st == HPOLAB_OK)
            st = add_entry(a, m->files[i].name, data, len,
                           m->files[i].plugin ? 0755 : 0644, out, err);
        free(data);
        free(path);
    }
    return hpolab_targz_finish(a, out, st, err);
}

int32_t hpolab_plugin_pack(const char *dir, const struct hpolab_pack_options *o,
                           char **out_path, struct hpolab_error *err)
{
    *out_path = NULL;
    char **names = NULL;
    size_t n = 0;
    struct hpolab_pack_manifest m;
    memset(&m, 0, sizeof m);
    char *manifest = NULL;
    int32_t st = list_files(dir, &names, &n, err);
    int has_plugin = 0;
    for (size_t i = 0; i < n; i++)
        has_plugin |= ends_with(names[i], ".so");
    if (st == HPOLAB_OK && !has_plugin)
        st = hpolab_error_set(err, HPOLAB_ERR_NOT_FOUND,
                              "%s: no plugin file (hpolab-<kind>_<name>.so) "
                              "to pack; give the folder the plugins were "
                              "built into",
                              dir);
    if (st == HPOLAB_OK)
        st = describe_files(dir, names, n, &m, err);
    if (st == HPOLAB_OK && o->name) {
        if (!hpolab_name_is_valid(o->name))
            st = hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                  "package name '%s': use [a-z0-9_]+",
                                  o->name);
        else if (!(m.name = strdup(o->name)))
            st = hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    } else if (st == HPOLAB_OK) {
        st = default_name(dir, &m, &m.name, err);
    }
    if (st == HPOLAB_OK && o->version) {
        free(m.version);
        if (!(m.version = strdup(o->version)))
            st = hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    }
    if (st == HPOLAB_OK && !(manifest = hpolab_pack_manifest_dump(&m)))
        st = hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    if (st == HPOLAB_OK) {
        if (o->output) {
            *out_path = strdup(o->output);
        } else {
            size_t len = strlen(m.name) + strlen(m.version) + 16;
            if ((*out_path = malloc(len)) != NULL)
                snprintf(*out_path, len, "%s-%s.tar.gz", m.name, m.version);
        }
        if (!*out_path)
            st = hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    }
    if (st == HPOLAB_OK)
        st = write_tarball(dir, &m, manifest, *out_path, err);
    if (st != HPOLAB_OK) {
        free(*out_path);
        *out_path = NULL;
    }
    free(manifest);
    hpolab_pack_manifest_free(&m);
    hpolab_free_names(names, n);
    return st;
}
