/* plugin_pack.h: plugin packages. A package is a gzip-compressed tar whose
 * root holds manifest.json, the shared objects hpolab-<kind>_<name>.so and
 * the presets files hpolab-presets-<name>.json, nothing else:
 *
 *   {"format": 1, "name": "rea", "version": "1.0.0", "abi": "1.0",
 *    "files": [{"name": "hpolab-searcher_rea.so", "sha256": "<hex>",
 *               "plugin": "searcher_rea", "abi": "1.0"},
 *              {"name": "hpolab-presets-rea.json", "sha256": "<hex>"}]}
 *
 * "abi" is the ABI major.minor a plugin file needs (its descriptor) and, at
 * the top, the highest of them. Installing writes the manifest beside the
 * files as hpolab-package-<name>.json (the loader does not read it), which is
 * how `remove` knows what a package owns. */
#ifndef HPOLAB_CORE_PLUGIN_PACK_H
#define HPOLAB_CORE_PLUGIN_PACK_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "search_path.h"

#define HPOLAB_PACK_FORMAT 1
#define HPOLAB_PACK_MANIFEST "manifest.json"

struct hpolab_pack_file {
    char *name;      /* owned; a file name without folder */
    char sha256[65]; /* lowercase hex */
    char *plugin;    /* owned; descriptor name of a .so, NULL for presets */
    uint16_t abi_major, abi_minor; /* of a .so */
};

struct hpolab_pack_manifest {
    char *name;    /* owned; [a-z0-9_]+ */
    char *version; /* owned */
    uint16_t abi_major, abi_minor;
    struct hpolab_pack_file *files; /* owned, n_files */
    size_t n_files;
};

void hpolab_pack_manifest_free(struct hpolab_pack_manifest *m);
/* Parse manifest text; where names it in messages ("pkg.tar.gz:
 * manifest.json: files[1].sha256: expected 64 hex digits"). Only file names
 * a package may hold (hpolab-*.so, hpolab-presets-*.json, no '/') pass. */
int32_t hpolab_pack_manifest_parse(const char *text, const char *where,
                                   struct hpolab_pack_manifest *out,
                                   struct hpolab_error *err);
/* JSON text of m, [owned: free]; NULL when out of memory. */
char *hpolab_pack_manifest_dump(const struct hpolab_pack_manifest *m);

struct hpolab_pack_options {
    const char *name;    /* package name, or NULL: the stem of the only
                            presets file, else of the only plugin's name */
    const char *version; /* or NULL: the first plugin's version */
    const char *output;  /* tarball path, or NULL: <name>-<version>.tar.gz in
                            the current folder */
};

/* Pack the hpolab-*.so and hpolab-presets-*.json files directly in dir. Each
 * .so is loaded (it must be a plugin this host accepts) to read its name and
 * ABI; each presets file must parse. *out_path [owned: free] is the tarball
 * written. */
int32_t hpolab_plugin_pack(const char *dir, const struct hpolab_pack_options *o,
                           char **out_path, struct hpolab_error *err);

struct hpolab_install_options {
    const char *dest_dir; /* where to install (the user plugin folder) */
    /* Folders of the plugins and presets that come with hpolab; a package
     * must not reuse their plugin names, component ids or preset names. */
    const struct hpolab_search_path *builtin;
};

/* Verify, then install tarball: extract into a private temporary folder;
 * only regular files with the names above; every file listed with the right
 * sha256; every .so loads and its descriptor agrees with the manifest (the
 * ABI is read from the descriptor, never trusted); nothing clashes with a
 * built-in or with a file of another installed package. Any problem: one
 * line naming the tarball, nothing installed (HPOLAB_ERR_INVALID for a bad
 * package, HPOLAB_ERR_EXISTS for a clash, HPOLAB_ERR_ABI for a plugin this
 * host cannot load). A package of the same name is replaced.
 * *out_manifest (may be NULL) receives the verified manifest
 * [owned: hpolab_pack_manifest_free]. */
int32_t hpolab_plugin_install(const char *tarball,
                              const struct hpolab_install_options *o,
                              struct hpolab_pack_manifest *out_manifest,
                              struct hpolab_error *err);

/* Remove the files of the installed package name from dir, then its
 * hpolab-package-<name>.json. HPOLAB_ERR_NOT_FOUND listing the packages
 * installed there when there is none of that name. */
int32_t hpolab_plugin_remove(const char *dir, const char *name,
                             struct hpolab_error *err);

/* The built-in plugin folders of this build: the install folder and the
 * build tree's (those that exist). */
int32_t hpolab_pack_builtin_path(struct hpolab_search_path *out,
                                 struct hpolab_error *err);

#endif
