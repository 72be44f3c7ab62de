/* plugin_pack_install.c: `hpolab plugin install` and `remove`: a package is
 * verified completely in a private temporary folder before the first byte
 * lands in the plugin folder (plugin_pack.h). */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "plugin_loader.h"
#include "plugin_pack.h"
#include "plugin_pack_sha256.h"
#include "preset.h"
#include "registry.h"

#define MAX_FILE_SIZE (512u << 20) /* a plugin is never this big */
#define PACKAGE_PREFIX "hpolab-package-"

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int allowed_name(const char *s)
{
    if (strcmp(s, HPOLAB_PACK_MANIFEST) == 0)
        return 1;
    if (strchr(s, '/') || strncmp(s, "hpolab-", 7) != 0)
        return 0;
    return hpolab_is_preset_file_name(s) || ends_with(s, ".so");
}

/* Removes every file of the flat folder dir, then dir. */
static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char *p = hpolab_path_join(dir, e->d_name);
            if (p)
                unlink(p);
            free(p);
        }
        closedir(d);
    }
    rmdir(dir);
}

static int32_t extract_entry(struct archive *a, const char *tarball,
                             const char *name, const char *tmp,
                             struct hpolab_error *err)
{
    char *path = hpolab_path_join(tmp, name);
    if (!path)
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    /* O_EXCL: a name twice in the tarball is an error, not an overwrite. */
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    free(path);
    if (fd < 0)
        return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                "%s: '%s' is in the package twice (or cannot "
                                "be written: %s)",
                                tarball, name, strerror(errno));
    int32_t st = HPOLAB_OK;
    const void *buf;
    size_t len;
    la_int64_t off;
    int r;
    while ((r = archive_read_data_block(a, &buf, &len, &off)) == ARCHIVE_OK) {
        if (write(fd, buf, len) != (ssize_t)len) {
            st = hpolab_error_set(err, HPOLAB_ERR_IO,
                                  "%s: cannot extract '%s': %s", tarball,
                                  name, strerror(errno));
            break;
        }
    }
    if (st == HPOLAB_OK && r != ARCHIVE_EOF)
        st = hpolab_error_set(err, HPOLAB_ERR_INVALID,
                              "%s: cannot read '%s': %s", tarball, name,
                              archive_error_string(a));
    close(fd);
    return st;
}

/* Only regular files with package names, at the root. */
static int32_t extract(const char *tarball, const char *tmp,
                       struct hpolab_error *err)
{
    struct archive *a = archive_read_new();
    if (!a)
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    archive_read_support_filter_all(a);
    archive_read_support_format_tar(a);
    int32_t st = HPOLAB_OK;
    if (archive_read_open_filename(a, tarball, 65536) != ARCHIVE_OK)
        st = hpolab_error_set(err, HPOLAB_ERR_INVALID,
                              "%s: not a package (a .tar.gz made by 'hpolab "
                              "plugin pack'): %s",
                              tarball, archive_error_string(a));
    struct archive_entry *e;
    int r = ARCHIVE_OK;
    while (st == HPOLAB_OK &&
           (r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
        const char *name = archive_entry_pathname(e);
        if (name && strncmp(name, "./", 2) == 0)
            name += 2;
        /* The root folder itself, as `tar -C dir .` writes it. */
        if (name && (name[0] == '\0' || strcmp(name, ".") == 0) &&
            archive_entry_filetype(e) == AE_IFDIR) {
            archive_read_data_skip(a);
            continue;
        }
        if (!name || !allowed_name(name) ||
            archive_entry_filetype(e) != AE_IFREG)
            st = hpolab_error_set(
                err, HPOLAB_ERR_INVALID,
                "%s: unexpected entry '%s': a package holds only "
                "manifest.json, hpolab-*.so and hpolab-presets-*.json files, "
                "no folders or links",
                tarball, name ? name : "");
        else if (archive_entry_size(e) > (la_int64_t)MAX_FILE_SIZE)
            st = hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                  "%s: '%s' is larger than %u MiB", tarball,
                                  name, MAX_FILE_SIZE >> 20);
        else
            st = extract_entry(a, tarball, name, tmp, err);
    }
    if (st == HPOLAB_OK && r != ARCHIVE_EOF)
        st = hpolab_error_set(err, HPOLAB_ERR_INVALID, "%s: not a package: %s",
                              tarball, archive_error_string(a));
    archive_read_free(a);
    return st;
}

static const struct hpolab_pack_file *
manifest_file(const struct hpolab_pack_manifest *m, const char *name)
{
    for (size_t i = 0; i < m->n_files; i++)
        if (strcmp(m->files[i].name, name) == 0)
            return &m->files[i];
    return NULL;
}

/* Every extracted file listed, every listed file there, checksums equal. */
static int32_t check_files(const char *tarball, const char *tmp,
                           const struct hpolab_pack_manifest *m,
                           struct hpolab_error *err)
{
    int32_t st = HPOLAB_OK;
    DIR *d = opendir(tmp);
    if (!d)
        return hpolab_error_set(err, HPOLAB_ERR_IO, "%s: %s", tmp,
                                strerror(errno));
    struct dirent *e;
    while (st == HPOLAB_OK && (e = readdir(d)) != NULL)
        if (e->d_name[0] != '.' &&
            strcmp(e->d_name, HPOLAB_PACK_MANIFEST) != 0 &&
            !manifest_file(m, e->d_name))
            st = hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                  "%s: '%s' is not listed in manifest.json; "
                                  "nothing installed",
                                  tarball, e->d_name);
    closedir(d);
    for (size_t i = 0; st == HPOLAB_OK && i < m->n_files; i++) {
        const struct hpolab_pack_file *f = &m->files[i];
        char hex[HPOLAB_SHA256_HEX];
        char *path = hpolab_path_join(tmp, f->name);
        struct stat sb;
        if (!path)
            st = hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
        else if (stat(path, &sb) != 0)
            st = hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                  "%s: manifest.json lists '%s' but the "
                                  "package does not contain it; nothing "
                                  "installed",
                                  tarball, f->name);
        else if ((st = hpolab_sha256_file(path, hex, err)) == HPOLAB_OK &&
                 strcmp(hex, f->sha256) != 0)
            st = hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                  "%s: checksum mismatch for '%s': sha256 is "
                                  "%s, manifest.json says %s; the package is "
                                  "damaged or was modified; nothing installed",
                                  tarball, f->name, hex, f->sha256);
        free(path);
    }
    return st;
}

/* Loads the package's plugins (the descriptor, not the manifest, is the
 * truth about the ABI) and parses its presets. */
static int32_t check_contents(const char *tarball, const char *tmp,
                              const struct hpolab_pack_manifest *m,
                              struct hpolab_registry *pkg,
                              struct hpolab_presets *presets,
                              struct hpolab_error *err)
{
    int32_t st = HPOLAB_OK;
    uint16_t top_minor = 0;
    for (size_t i = 0; st == HPOLAB_OK && i < m->n_files; i++) {
        const struct hpolab_pack_file *f = &m->files[i];
        char *path = hpolab_path_join(tmp, f->name);
        if (!path)
            return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
        if (!f->plugin) {
            st = hpolab_presets_load_file(presets, path, err);
            if (st != HPOLAB_OK)
                hpolab_error_prefix(err, "%s", tarball);
            free(path);
            continue;
        }
        st = hpolab_loader_load_file(pkg, path, err);
        free(path);
        if (st != HPOLAB_OK) {
            hpolab_error_prefix(err, "%s: cannot use '%s'", tarball, f->name);
            break;
        }
        const struct hpolab_plugin *p = hpolab_registry_plugin_at(
            pkg, hpolab_registry_plugin_count(pkg) - 1);
        if (p->abi_major != f->abi_major || p->abi_minor != f->abi_minor)
            st = hpolab_error_set(
                err, HPOLAB_ERR_INVALID,
                "%s: manifest.json says '%s' needs ABI %u.%u but its "
                "descriptor says ABI %u.%u; the manifest is wrong; nothing "
                "installed",
                tarball, f->name, f->abi_major, f->abi_minor, p->abi_major,
                p->abi_minor);
        else if (strcmp(p->name, f->plugin) != 0)
            st = hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                  "%s: manifest.json says '%s' is plugin "
                                  "'%s' but its descriptor says '%s'; "
                                  "nothing installed",
                                  tarball, f->name, f->plugin, p->name);
        if (p->abi_minor > top_minor)
            top_minor = p->abi_minor;
    }
    if (st == HPOLAB_OK && hpolab_registry_plugin_count(pkg) == 0)
        st = hpolab_error_set(err, HPOLAB_ERR_INVALID,
                              "%s: the package holds no plugin; nothing "
                              "installed",
                              tarball);
    if (st == HPOLAB_OK &&
        (m->abi_major != HPOLAB_ABI_MAJOR || m->abi_minor != top_minor))
        st = hpolab_error_set(err, HPOLAB_ERR_INVALID,
                              "%s: manifest.json says the package needs ABI "
                              "%u.%u but its plugins' descriptors need %u.%u; "
                              "the manifest is wrong; nothing installed",
                              tarball, m->abi_major, m->abi_minor,
                              HPOLAB_ABI_MAJOR, top_minor);
    return st;
}

static int32_t check_builtin_clash(const char *tarball,
                                   const struct hpolab_registry *pkg,
                                   const struct hpolab_presets *presets,
                                   const struct hpolab_search_path *builtin,
                                   struct hpolab_error *err)
{
    struct hpolab_registry *bi = NULL;
    int32_t st = hpolab_registry_create(&bi, err);
    if (st == HPOLAB_OK && builtin && builtin->count > 0) {
        st = hpolab_loader_load_path(bi, builtin, err);
        if (st == HPOLAB_ERR_NOT_FOUND)
            st = HPOLAB_OK; /* no built-in folder: nothing to clash with */
    }
    for (size_t i = 0; st == HPOLAB_OK && i < hpolab_registry_plugin_count(pkg);
         i++) {
        const struct hpolab_plugin *p = hpolab_registry_plugin_at(pkg, i);
        const struct hpolab_plugin *q =
            hpolab_registry_find_plugin(bi, p->name);
        if (q)
            st = hpolab_error_set(err, HPOLAB_ERR_EXISTS,
                                  "%s: plugin '%s' clashes with the built-in "
                                  "plugin of that name (%s); rename yours; "
                                  "nothing installed",
                                  tarball, p->name, q->path);
    }
    for (size_t i = 0;
         st == HPOLAB_OK && i < hpolab_registry_component_count(pkg); i++) {
        const struct hpolab_component *c = hpolab_registry_component_at(pkg, i);
        const struct hpolab_component *b =
            hpolab_registry_find(bi, c->kind, c->id);
        if (b)
            st = hpolab_error_set(err, HPOLAB_ERR_EXISTS,
                                  "%s: %s '%s' of plugin '%s' clashes with "
                                  "the built-in %s '%s' of plugin '%s'; give "
                                  "yours another id; nothing installed",
                                  tarball, hpolab_kind_name(c->kind), c->id,
                                  c->plugin->name, hpolab_kind_name(b->kind),
                                  b->id, b->plugin->name);
    }
    const struct hpolab_presets *bp = bi ? hpolab_registry_presets(bi) : NULL;
    for (size_t i = 0; st == HPOLAB_OK && bp && i < presets->n; i++) {
        const struct hpolab_preset *b =
            hpolab_presets_find(bp, presets->items[i].name);
        if (b)
            st = hpolab_error_set(err, HPOLAB_ERR_EXISTS,
                                  "%s: preset '%s' clashes with the built-in "
                                  "preset of that name (%s); rename yours; "
                                  "nothing installed",
                                  tarball, b->name, b->file);
    }
    hpolab_registry_destroy(bi);
    return st;
}

/* The installed package manifest of name in dir (NOT_FOUND if none). */
static int32_t read_installed(const char *dir, const char *name,
                              struct hpolab_pack_manifest *out,
                              struct hpolab_error *err)
{
    char file[256];
    snprintf(file, sizeof file, PACKAGE_PREFIX "%s.json", name);
    char *path = hpolab_path_join(dir, file);
    char *text = NULL;
    if (!path)
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    int32_t st = hpolab_read_file(path, &text, NULL, err);
    if (st == HPOLAB_OK)
        st = hpolab_pack_manifest_parse(text, path, out, err);
    free(text);
    free(path);
    return st;
}

/* Installed package names in dir, ", "-separated into buf ("none"). */
static void installed_names(const char *dir, char *buf, size_t size)
{
    snprintf(buf, size, "none");
    DIR *d = opendir(dir);
    if (!d)
        return;
    size_t used = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        const char *n = e->d_name;
        size_t len = strlen(n), pre = strlen(PACKAGE_PREFIX);
        if (strncmp(n, PACKAGE_PREFIX, pre) != 0 || !ends_with(n, ".json") ||
            len <= pre + 5)
            continue;
        int w = snprintf(buf + used, size - used, "%s%.*s", used ? ", " : "",
                         (int)(len - pre - 5), n + pre);
        if (w < 0 || (size_t)w >= size - used)
            break;
        used += (size_t)w;
    }
    closedir(d);
}

/* A file of the package may replace only a file of the package it updates. */
static int32_t check_dest_clash(const char *tarball, const char *dest,
                                const struct hpolab_pack_manifest *m,
                                const struct hpolab_pack_manifest *old,
                                struct hpolab_error *err)
{
    int32_t st = HPOLAB_OK;
    DIR *d = opendir(dest);
    if (!d)
        return HPOLAB_OK; /* created later */
    struct dirent *e;
    while (st == HPOLAB_OK && (e = readdir(d)) != NULL) {
        const char *n = e->d_name;
        size_t pre = strlen(PACKAGE_PREFIX);
        if (strncmp(n, PACKAGE_PREFIX, pre) == 0 && ends_with(n, ".json")) {
            char other[256];
            snprintf(other, sizeof other, "%.*s", (int)(strlen(n) - pre - 5),
                     n + pre);
            if (strcmp(other, m->name) == 0)
                continue;
            struct hpolab_pack_manifest om;
            struct hpolab_error ignored;
            if (read_installed(dest, other, &om, &ignored) != HPOLAB_OK)
                continue;
            for (size_t i = 0; st == HPOLAB_OK && i < m->n_files; i++)
                if (manifest_file(&om, m->files[i].name))
                    st = hpolab_error_set(
                        err, HPOLAB_ERR_EXISTS,
                        "%s: '%s' belongs to the installed package '%s'; "
                        "remove it first (hpolab plugin remove %s); nothing "
                        "installed",
                        tarball, m->files[i].name, other, other);
            hpolab_pack_manifest_free(&om);
        } else if (manifest_file(m, n) && !(old && manifest_file(old, n))) {
            st = hpolab_error_set(err, HPOLAB_ERR_EXISTS,
                                  "%s: '%s/%s' exists and belongs to no "
                                  "installed package; move it away first; "
                                  "nothing installed",
                                  tarball, dest, n);
        }
    }
    closedir(d);
    return st;
}

static int32_t copy_in(const char *tmp, const char *dest, const char *name,
                       mode_t mode, struct hpolab_error *err)
{
    char *src = hpolab_path_join(tmp, name);
    char *dst = hpolab_path_join(dest, name);
    char *data = NULL;
    size_t len = 0;
    int32_t st = src && dst ? hpolab_read_file(src, &data, &len, err)
                            : hpolab_error_set(err, HPOLAB_ERR_NOMEM,
                                               "out of memory");
    if (st == HPOLAB_OK)
        st = hpolab_write_file_atomic(dst, data, len, err);
    if (st == HPOLAB_OK)
        chmod(dst, mode);
    free(data);
    free(src);
    free(dst);
    return st;
}

static void unlink_in(const char *dir, const char *name)
{
    char *p = hpolab_path_join(dir, name);
    if (p)
        unlink(p);
    free(p);
}

/* Copies the verified files, then the package manifest; drops files of the
 * previous version that the new one no longer has. */
static int32_t place(const char *tmp, const char *dest,
                     const struct hpolab_pack_manifest *m,
                     const struct hpolab_pack_manifest *old,
                     struct hpolab_error *err)
{
    int32_t st = hpolab_mkdir_p(dest, err);
    size_t done = 0;
    for (; st == HPOLAB_OK && done < m->n_files; done++)
        st = copy_in(tmp, dest, m->files[done].name,
                     m->files[done].plugin ? 0755 : 0644, err);
    char file[256];
    snprintf(file, sizeof file, PACKAGE_PREFIX "%s.json", m->name);
    char *text = st == HPOLAB_OK ? hpolab_pack_manifest_dump(m) : NULL;
    char *path = hpolab_path_join(dest, file);
    if (st == HPOLAB_OK && (!text || !path))
        st = hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    if (st == HPOLAB_OK)
        st = hpolab_write_file_atomic(path, text, strlen(text), err);
    free(text);
    free(path);
    if (st != HPOLAB_OK) {
        /* Back out what this call added (files an old version had stay). */
        for (size_t i = 0; i < done && i < m->n_files; i++)
            if (!(old && manifest_file(old, m->files[i].name)))
                unlink_in(dest, m->files[i].name);
        return st;
    }
    for (size_t i = 0; old && i < old->n_files; i++)
        if (!manifest_file(m, old->files[i].name))
            unlink_in(dest, old->files[i].name);
    return HPOLAB_OK;
}

int32_t hpolab_plugin_install(const char *tarball,
                              const struct hpolab_install_options *o,
                              struct hpolab_pack_manifest *out_manifest,
                              struct hpolab_error *err)
{
    if (out_manifest)
        memset(out_manifest, 0, sizeof *out_manifest);
    const char *tmpdir = getenv("TMPDIR");
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s/hpolab-install-XXXXXX",
             tmpdir && tmpdir[0] == '/' ? tmpdir : "/tmp");
    if (!mkdtemp(tmp))
        return hpolab_error_set(err, HPOLAB_ERR_IO,
                                "cannot create a temporary folder %s: %s", tmp,
                                strerror(errno));
    struct hpolab_pack_manifest m, old;
    memset(&m, 0, sizeof m);
    memset(&old, 0, sizeof old);
    int have_old = 0;
    struct hpolab_registry *pkg = NULL;
    struct hpolab_presets presets;
    hpolab_presets_init(&presets);
    char *text = NULL;
    char *mpath = hpolab_path_join(tmp, HPOLAB_PACK_MANIFEST);
    int32_t st = mpath ? extract(tarball, tmp, err)
                       : hpolab_error_set(err, HPOLAB_ERR_NOMEM,
                                          "out of memory");
    if (st == HPOLAB_OK &&
        hpolab_read_file(mpath, &text, NULL, NULL) != HPOLAB_OK)
        st = hpolab_error_set(err, HPOLAB_ERR_INVALID,
                              "%s: no manifest.json: not a package made by "
                              "'hpolab plugin pack'; nothing installed",
                              tarball);
    if (st == HPOLAB_OK) {
        char where[4200];
        snprintf(where, sizeof where, "%s: manifest.json", tarball);
        st = hpolab_pack_manifest_parse(text, where, &m, err);
    }
    if (st == HPOLAB_OK)
        st = check_files(tarball, tmp, &m, err);
    if (st == HPOLAB_OK)
        st = hpolab_registry_create(&pkg, err);
    if (st == HPOLAB_OK)
        st = check_contents(tarball, tmp, &m, pkg, &presets, err);
    if (st == HPOLAB_OK)
        st = check_builtin_clash(tarball, pkg, &presets, o->builtin, err);
    if (st == HPOLAB_OK) {
        struct hpolab_error ignored;
        have_old = read_installed(o->dest_dir, m.name, &old, &ignored) ==
                   HPOLAB_OK;
        st = check_dest_clash(tarball, o->dest_dir, &m, have_old ? &old : NULL,
                              err);
    }
    /* The package's plugins must be unloaded before their files move. */
    hpolab_registry_destroy(pkg);
    if (st == HPOLAB_OK)
        st = place(tmp, o->dest_dir, &m, have_old ? &old : NULL, err);
    hpolab_presets_free(&presets);
    hpolab_pack_manifest_free(&old);
    free(text);
    free(mpath);
    remove_tree(tmp);
    if (st == HPOLAB_OK && out_manifest)
        *out_manifest = m;
    else
        hpolab_pack_manifest_free(&m);
    return st;
}

int32_t hpolab_plugin_remove(const char *dir, const char *name,
                             struct hpolab_error *err)
{
    struct hpolab_pack_manifest m;
    struct hpolab_error why;
    if (!hpolab_name_is_valid(name))
        return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                "package name '%s': use [a-z0-9_]+", name);
    int32_t st = read_installed(dir, name, &m, &why);
    if (st == HPOLAB_ERR_NOT_FOUND) {
        char names[1024];
        installed_names(dir, names, sizeof names);
        return hpolab_error_set(err, HPOLAB_ERR_NOT_FOUND,
                                "no package '%s' is installed in %s "
                                "(installed: %s)",
                                name, dir, names);
    }
    if (st != HPOLAB_OK)
        return hpolab_error_set(err, st, "%s", why.message);
    for (size_t i = 0; i < m.n_files; i++)
        unlink_in(dir, m.files[i].name);
    char file[256];
    snprintf(file, sizeof file, PACKAGE_PREFIX "%s.json", name);
    unlink_in(dir, file);
    hpolab_pack_manifest_free(&m);
    return HPOLAB_OK;
}

int32_t hpolab_pack_builtin_path(struct hpolab_search_path *out,
                                 struct hpolab_error *err)
{
    return hpolab_search_path_from(NULL, NULL, HPOLAB_INSTALL_PLUGIN_DIR,
                                   HPOLAB_BUILD_PLUGIN_DIR, out, err);
}
