/* search_path.h: the folders the loader scans for plugins, in order:
 *   1. each entry of HPOLAB_PLUGIN_PATH (':'-separated, empty entries ignored)
 *   2. the user folder $XDG_DATA_HOME/hpolab-1/plugins
 *      (default ~/.local/share/hpolab-1/plugins)
 *   3. the install folder (<libdir>/hpolab-1/plugins, compiled in)
 *   4. the build tree's plugin folder (compiled in), so an uninstalled
 *      build finds its own plugins.
 * Missing folders are skipped silently; a folder reached twice (same
 * realpath) is kept once, at its first place. */
#ifndef HPOLAB_CORE_SEARCH_PATH_H
#define HPOLAB_CORE_SEARCH_PATH_H

#include <stddef.h>

#include "error.h"

struct hpolab_search_path {
    char **dirs;    /* owned; existing folders (absolute, realpath), in order */
    size_t count;
    char **looked;  /* owned; every candidate folder as given, in order, for
                       messages ("looked in: ...") */
    size_t n_looked;
};

/* From the environment and the compiled-in folders. *out is owned by the
 * caller (hpolab_search_path_free), also after a failure. */
int32_t hpolab_search_path_build(struct hpolab_search_path *out,
                                 struct hpolab_error *err);
/* The same from explicit parts; any may be NULL (none). env_path is in
 * HPOLAB_PLUGIN_PATH syntax. */
int32_t hpolab_search_path_from(const char *env_path, const char *user_dir,
                                const char *install_dir,
                                const char *build_dir,
                                struct hpolab_search_path *out,
                                struct hpolab_error *err);
void hpolab_search_path_free(struct hpolab_search_path *sp);

/* The user plugin folder: $XDG_DATA_HOME/hpolab-1/plugins when
 * XDG_DATA_HOME is an absolute path, else $HOME/.local/share/hpolab-1/plugins.
 * [owned: free]; NULL when neither is set (or out of memory). */
char *hpolab_search_path_user_dir(void);

#endif
