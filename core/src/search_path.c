/* search_path.c: which folders hold plugins (see search_path.h). Knows
 * nothing about loading. */
#include "search_path.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef HPOLAB_PLUGIN_SUBDIR
#error "HPOLAB_PLUGIN_SUBDIR must be defined by the build"
#endif

static int push(char ***arr, size_t *n, const char *s, size_t len)
{
    char **p = realloc(*arr, (*n + 1) * sizeof *p);
    if (!p)
        return 0;
    *arr = p;
    p[*n] = strndup(s, len);
    if (!p[*n])
        return 0;
    (*n)++;
    return 1;
}

/* Adds one candidate: always to looked, and to dirs when it is an existing
 * folder not seen before. */
static int32_t add_candidate(struct hpolab_search_path *sp, const char *dir,
                             size_t len, struct hpolab_error *err)
{
    if (!push(&sp->looked, &sp->n_looked, dir, len))
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    char *real = realpath(sp->looked[sp->n_looked - 1], NULL);
    if (!real)
        return HPOLAB_OK;
    struct stat st;
    int keep = stat(real, &st) == 0 && S_ISDIR(st.st_mode);
    for (size_t i = 0; keep && i < sp->count; i++)
        if (strcmp(sp->dirs[i], real) == 0)
            keep = 0;
    int ok = !keep || push(&sp->dirs, &sp->count, real, strlen(real));
    free(real);
    return ok ? HPOLAB_OK
              : hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
}

int32_t hpolab_search_path_from(const char *env_path, const char *user_dir,
                                const char *install_dir,
                                const char *build_dir,
                                struct hpolab_search_path *out,
                                struct hpolab_error *err)
{
    memset(out, 0, sizeof *out);
    int32_t st = HPOLAB_OK;
    for (const char *p = env_path; p && *p && st == HPOLAB_OK;) {
        const char *colon = strchr(p, ':');
        size_t len = colon ? (size_t)(colon - p) : strlen(p);
        if (len > 0)
            st = add_candidate(out, p, len, err);
        p += len + (colon ? 1 : 0);
    }
    const char *fixed[] = {user_dir, install_dir, build_dir};
    for (size_t i = 0; i < 3 && st == HPOLAB_OK; i++)
        if (fixed[i] && *fixed[i])
            st = add_candidate(out, fixed[i], strlen(fixed[i]), err);
    return st;
}

char *hpolab_search_path_user_dir(void)
{
    const char *xdg = getenv("XDG_DATA_HOME");
    const char *home = getenv("HOME");
    char buf[PATH_MAX];
    int n;
    /* The XDG spec says a relative XDG_DATA_HOME is invalid: ignore it. */
    if (xdg && xdg[0] == '/')
        n = snprintf(buf, sizeof buf, "%s/%s", xdg, HPOLAB_PLUGIN_SUBDIR);
    else if (home && *home)
        n = snprintf(buf, sizeof buf, "%s/.local/share/%s", home,
                     HPOLAB_PLUGIN_SUBDIR);
    else
        return NULL;
    if (n < 0 || (size_t)n >= sizeof buf)
        return NULL;
    return strdup(buf);
}

int32_t hpolab_search_path_build(struct hpolab_search_path *out,
                                 struct hpolab_error *err)
{
    char *user = hpolab_search_path_user_dir();
    int32_t st = hpolab_search_path_from(getenv("HPOLAB_PLUGIN_PATH"), user,
                                         HPOLAB_INSTALL_PLUGIN_DIR,
                                         HPOLAB_BUILD_PLUGIN_DIR, out, err);
    free(user);
    return st;
}

void hpolab_search_path_free(struct hpolab_search_path *sp)
{
    if (!sp)
        return;
    for (size_t i = 0; i < sp->count; i++)
        free(sp->dirs[i]);
    for (size_t i = 0; i < sp->n_looked; i++)
        free(sp->looked[i]);
    free(sp->dirs);
    free(sp->looked);
    memset(sp, 0, sizeof *sp);
}
