/* plugin_loader.h: opens plugin files, checks their descriptor against this
 * host's ABI, runs their init with the registration window open, and hands
 * what was accepted to the registry. Each refusal is ONE line that names the
 * file and says what to do; sdk/ABI.md lists them. */
#ifndef HPOLAB_CORE_PLUGIN_LOADER_H
#define HPOLAB_CORE_PLUGIN_LOADER_H

#include "error.h"
#include "registry.h"
#include "search_path.h"

/* Load one file (dlopen RTLD_NOW | RTLD_LOCAL). On a refusal nothing stays
 * registered, the file is closed again, the status says why
 * (HPOLAB_ERR_PLUGIN: not loadable, not a hpolab plugin, bad descriptor,
 * init failed, bad class; HPOLAB_ERR_ABI: version or size mismatch;
 * HPOLAB_ERR_EXISTS: the plugin name or a component id is taken by another
 * file) and err holds one line naming the file. A file name other than
 * hpolab-<name>.so only earns a warning (hpolab_logf). */
int32_t hpolab_loader_load_file(struct hpolab_registry *reg, const char *path,
                                struct hpolab_error *err);

/* Scan the search path (search_path.h; non-recursive, only files named
 * hpolab-*.so and hpolab-presets-*.json (preset.h), in name order within a
 * folder). Each refused file is logged
 * as one warning line (hpolab_logf) and kept in the registry's rejected
 * list with its reason. Returns HPOLAB_OK unless nothing could be scanned
 * at all (no plugin folder exists or none could be read): then
 * HPOLAB_ERR_NOT_FOUND with a message listing the folders looked in. */
int32_t hpolab_loader_load_all(struct hpolab_registry *reg,
                               struct hpolab_error *err);
/* The same scan over the folders of sp (load_all uses
 * hpolab_search_path_build). */
int32_t hpolab_loader_load_path(struct hpolab_registry *reg,
                                const struct hpolab_search_path *sp,
                                struct hpolab_error *err);

#endif
