/* study_entry.c: a benchmark's entry point — the command every trial runs,
 * as an argv (never through a shell, never split on spaces). Checked when the
 * study is loaded, so a typo fails before the first trial, not after it. */
#include "study_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void hpolab_study_argv_free(char **argv)
{
    if (!argv)
        return;
    for (char **p = argv; *p; p++)
        free(*p);
    free(argv);
}

/* rel resolved against dir (unless absolute), with "." segments and repeated
 * slashes removed. ".." is kept: the kernel resolves it like the user's
 * shell would, and symlinks (a virtualenv's python) must stay as written. */
static char *absolute(const char *dir, const char *rel)
{
    char *joined = NULL;
    if (rel[0] == '/')
        joined = strdup(rel);
    else if (asprintf(&joined, "%s/%s", dir, rel) < 0)
        joined = NULL;
    if (!joined)
        return NULL;
    char *out = malloc(strlen(joined) + 2);
    if (!out) {
        free(joined);
        return NULL;
    }
    size_t n = 0;
    for (char *seg = joined; *seg;) {
        char *end = strchr(seg, '/');
        size_t len = end ? (size_t)(end - seg) : strlen(seg);
        if (len > 0 && !(len == 1 && seg[0] == '.')) {
            out[n++] = '/';
            memcpy(out + n, seg, len);
            n += len;
        }
        seg += len;
        while (*seg == '/')
            seg++;
    }
    if (n == 0)
        out[n++] = '/';
    out[n] = '\0';
    free(joined);
    return out;
}

static int executable_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
           access(path, X_OK) == 0;
}

/* Like execvp: the first executable regular file named name in PATH. Empty
 * PATH entries (the current folder) are skipped: trials run in the study's
 * folder, not in the folder hpolab was started from. */
static int in_path(const char *name)
{
    const char *path = getenv("PATH");
    char fallback[256];
    if (!path) {
        size_t n = confstr(_CS_PATH, fallback, sizeof fallback);
        path = n > 0 && n <= sizeof fallback ? fallback : "/bin:/usr/bin";
    }
    for (const char *p = path; *p;) {
        const char *end = strchr(p, ':');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len > 0) {
            char *cand = NULL;
            if (asprintf(&cand, "%.*s/%s", (int)len, p, name) >= 0) {
                int ok = executable_file(cand);
                free(cand);
                if (ok)
                    return 1;
            }
        }
        p += len;
        if (*p == ':')
            p++;
    }
    return 0;
}

/* Copy the argv; report elements that are not non-empty strings. */
static int copy_argv(struct hpolab_study_ctx *c, const char *path,
                     const json_t *v, char ***argv, size_t *argc)
{
    static const char *const what =
        "a program and its arguments (an array of non-empty strings) or one "
        "program (a string)";
    size_t n;
    if (json_is_string(v))
        n = 1;
    else if (json_is_array(v) && json_array_size(v) > 0)
        n = json_array_size(v);
    else {
        hpolab_study_expected(c, path, what, v);
        return 0;
    }
    char **out = calloc(n + 1, sizeof *out);
    if (!out)
        return -1;
    int ok = 1;
    for (size_t i = 0; i < n; i++) {
        const json_t *e = json_is_string(v) ? v : json_array_get(v, i);
        char p[HPOLAB_STUDY_PATH_MAX];
        if (json_is_string(v))
            snprintf(p, sizeof p, "%s", path);
        else
            hpolab_study_path_index(p, sizeof p, path, i);
        if (!json_is_string(e) || !*json_string_value(e)) {
            hpolab_study_expected(c, p, "a non-empty string", e);
            ok = 0;
            continue;
        }
        if (!(out[i] = strdup(json_string_value(e)))) {
            hpolab_study_argv_free(out);
            return -1;
        }
    }
    if (!ok) {
        for (size_t i = 0; i < n; i++)
            free(out[i]);
        free(out);
        return 0;
    }
    *argv = out;
    *argc = n;
    return 1;
}

int hpolab_study_entry_point(struct hpolab_study_ctx *c, const char *path,
                             const json_t *v, char ***argv_out,
                             size_t *argc_out)
{
    char **argv = NULL;
    size_t argc = 0;
    *argv_out = NULL;
    *argc_out = 0;
    int r = copy_argv(c, path, v, &argv, &argc);
    if (r <= 0)
        return r;
    char p0[HPOLAB_STUDY_PATH_MAX], p1[HPOLAB_STUDY_PATH_MAX] = "";
    if (json_is_string(v)) {
        snprintf(p0, sizeof p0, "%s", path);
    } else {
        hpolab_study_path_index(p0, sizeof p0, path, 0);
        hpolab_study_path_index(p1, sizeof p1, path, 1);
    }
    int ok = 1;
    if (strchr(argv[0], '/')) {
        char *abs = absolute(c->dir, argv[0]);
        if (!abs) {
            hpolab_study_argv_free(argv);
            return -1;
        }
        struct stat st;
        if (stat(abs, &st) != 0) {
            hpolab_study_errf(c, p0, "entry point '%s' not found: %s does "
                              "not exist", argv[0], abs);
            ok = 0;
        } else if (!S_ISREG(st.st_mode)) {
            hpolab_study_errf(c, p0, "entry point '%s' is not a file: %s",
                              argv[0], abs);
            ok = 0;
        } else if (access(abs, X_OK) != 0) {
            hpolab_study_errf(c, p0, "entry point '%s' is not executable: %s "
                              "(chmod +x it, or put its interpreter first, "
                              "e.g. [\"sh\", \"%s\"])",
                              argv[0], abs, argv[0]);
            ok = 0;
        }
        free(argv[0]);
        argv[0] = abs;
    } else if (!in_path(argv[0])) {
        hpolab_study_errf(c, p0, "entry point '%s' not found in PATH",
                          argv[0]);
        ok = 0;
    } else if (argc >= 2 && argv[1][0] != '-' && !strchr(argv[1], '=')) {
        /* An interpreter and its script ("python3 train.py"): the script is
         * relative to the study, like everything else in it. Options
         * ("-m module") and assignments ("env A=1 ...") are not files. */
        char *abs = absolute(c->dir, argv[1]);
        if (!abs) {
            hpolab_study_argv_free(argv);
            return -1;
        }
        struct stat st;
        if (stat(abs, &st) != 0) {
            hpolab_study_errf(c, p1, "script '%s' not found: %s does not "
                              "exist", argv[1], abs);
            ok = 0;
        }
        free(argv[1]);
        argv[1] = abs;
    }
    if (!ok) {
        hpolab_study_argv_free(argv);
        return 0;
    }
    *argv_out = argv;
    *argc_out = argc;
    return 1;
}
