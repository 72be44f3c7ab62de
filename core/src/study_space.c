/* study_space.c: a benchmark's config_space — kept as JSON (after $arg
 * substitution) and parsed into a struct hpolab_space by the config-space
 * module, whose lines get the study's JSON paths. */
#include "study_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "space.h"

/* Names hpolab passes to every trial itself (framework reference §1.1). */
static const char *const reserved[] = {"st_checkpoint_dir",
                                       "st_config_json_filename"};

/* The path of a line "<file>: <path>: ...", copied into dst; 0 if none. */
static int line_path(const char *line, const char *file, char *dst,
                     size_t cap)
{
    size_t n = strlen(file);
    if (strncmp(line, file, n) != 0 || strncmp(line + n, ": ", 2) != 0)
        return 0;
    const char *p = line + n + 2, *end = strstr(p, ": ");
    if (!end || (size_t)(end - p) >= cap)
        return 0;
    memcpy(dst, p, (size_t)(end - p));
    dst[end - p] = '\0';
    return 1;
}

/* The space parser knows nothing of {"$arg"}: name the argument a bad value
 * came from, and drop complaints about a bad reference (reported already). */
static void annotate(struct hpolab_study_ctx *c, size_t from)
{
    struct hpolab_diag *d = c->diag;
    size_t keep = from;
    for (size_t i = from; i < d->count; i++) {
        char *line = d->lines[i];
        char path[HPOLAB_STUDY_PATH_MAX];
        const char *origin =
            line && line_path(line, c->file, path, sizeof path)
                ? hpolab_study_origin(c, path)
                : NULL;
        if (origin && !*origin) {
            free(line);
            continue;
        }
        if (origin) {
            char *noted = NULL;
            if (asprintf(&noted, "%s (from --%s)", line, origin) >= 0) {
                free(line);
                line = noted;
            }
        }
        d->lines[keep++] = line;
    }
    d->count = keep;
}

int hpolab_study_config_space(struct hpolab_study_ctx *c, const char *path,
                              const json_t *v, json_t **json_out,
                              struct hpolab_space **space_out)
{
    if (!json_is_object(v)) {
        hpolab_study_expected(c, path,
                              "an object hyperparameter name -> domain or "
                              "constant",
                              v);
        return 0;
    }
    int ok = 1;
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++) {
        if (!json_object_get(v, reserved[i]))
            continue;
        char p[HPOLAB_STUDY_PATH_MAX];
        hpolab_study_path_key(p, sizeof p, path, reserved[i]);
        hpolab_study_errf(c, p, "'%s' is reserved: hpolab passes it to every "
                          "trial itself", reserved[i]);
        ok = 0;
    }
    char *where = hpolab_study_where(c, path);
    if (!where)
        return -1;
    struct hpolab_space *space = NULL;
    size_t before = c->diag->count;
    int32_t rc = hpolab_space_parse(v, where, c->diag, &space);
    free(where);
    annotate(c, before);
    if (rc == HPOLAB_ERR_NOMEM)
        return -1;
    json_decref(*json_out);
    *json_out = json_incref((json_t *)v);
    hpolab_space_free(*space_out);
    *space_out = space;
    return rc == HPOLAB_OK && ok;
}

void hpolab_study_space_free(struct hpolab_space *space)
{
    hpolab_space_free(space);
}

int hpolab_study_space_constant(const struct hpolab_space *space,
                                const char *name)
{
    int32_t i = hpolab_space_index(space, name);
    if (i < 0)
        return -1;
    return hpolab_space_is_constant(space, (uint32_t)i);
}

int hpolab_study_check_point_value(struct hpolab_study_ctx *c,
                                   const char *path,
                                   const struct hpolab_space *space,
                                   const char *name, const json_t *value)
{
    struct hpolab_config *partial = hpolab_config_new();
    struct hpolab_value hv = {.type = HPOLAB_VALUE_NULL};
    if (!partial || hpolab_value_from_json(value, &hv) != HPOLAB_OK ||
        hpolab_record_set(&partial->rec, name, &hv) != HPOLAB_OK) {
        hpolab_value_free(&hv);
        hpolab_config_free(partial);
        return -1;
    }
    hpolab_value_free(&hv);
    struct hpolab_config *full = NULL;
    struct hpolab_error err = {0};
    int32_t rc = hpolab_space_default_config(space, partial, &full, &err);
    hpolab_config_free(partial);
    hpolab_config_free(full);
    if (rc == HPOLAB_ERR_NOMEM)
        return -1;
    if (rc == HPOLAB_OK)
        return 1;
    /* The space's message starts with the name; the path says it better. */
    const char *msg = err.message;
    size_t n = strlen(name);
    if (strncmp(msg, name, n) == 0 && strncmp(msg + n, ": ", 2) == 0)
        msg += n + 2;
    hpolab_study_errf(c, path, "%s", msg);
    return 0;
}
