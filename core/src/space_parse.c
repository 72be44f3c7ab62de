/* space_parse.c: a configuration space from its JSON form (study file:
 * {"name": {"domain": ..., fields} | constant}; entries in Syne Tune's
 * serialized form are accepted too). Reports every problem. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "space_impl.h"

static const char *prefix_sep(const char *where)
{
    return where && *where ? "." : "";
}

static const char *prefix(const char *where)
{
    return where && *where ? where : "";
}

/* Is token a word of the space-separated list? */
static int in_list(const char *list, const char *token)
{
    size_t n = strlen(token);
    if (n == 0) /* strstr finds "" everywhere: an endless loop (fuzzing) */
        return 0;
    const char *p = list;
    while ((p = strstr(p, token)) != NULL) {
        int starts = p == list || p[-1] == ' ';
        int ends = p[n] == '\0' || p[n] == ' ';
        if (starts && ends)
            return 1;
        p += n;
    }
    return 0;
}

static struct hpolab_space_field field(const json_t *obj, const char *fields,
                                       const char *name)
{
    struct hpolab_space_field f = {NULL, name};
    if (in_list(fields, name))
        f.value = json_object_get(obj, name);
    return f;
}

static int parse_native(struct hpolab_space_entry *e, const json_t *obj,
                        const char *where, struct hpolab_diag *diag)
{
    char got[128];
    const json_t *dom = json_object_get(obj, "domain");
    const struct hpolab_space_domain_info *info =
        json_is_string(dom) ? hpolab_space_domain_find(json_string_value(dom))
                            : NULL;
    if (!info) {
        hpolab_diag_add(diag, "%s%s%s.domain: expected one of %s, got %s",
                        prefix(where), prefix_sep(where), e->name,
                        hpolab_space_domain_list(),
                        hpolab_space_json_text(dom, got, sizeof got));
        return 1;
    }
    int errors = 0;
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)obj, key, val)
    {
        if (strcmp(key, "domain") == 0 || in_list(info->fields, key))
            continue;
        char shown[192] = "domain, ";
        size_t len = strlen(shown);
        for (const char *p = info->fields; *p && len + 3 < sizeof shown; p++) {
            if (*p == ' ') {
                shown[len++] = ',';
                shown[len++] = ' ';
            } else {
                shown[len++] = *p;
            }
        }
        shown[len] = '\0';
        hpolab_diag_add(diag, "%s%s%s.%s: unknown field for %s (known: %s)",
                        prefix(where), prefix_sep(where), e->name, key,
                        info->name, shown);
        errors++;
    }
    struct hpolab_space_fields f = {
        .lower = field(obj, info->fields, "lower"),
        .upper = field(obj, info->fields, "upper"),
        .q = field(obj, info->fields, "q"),
        .categories = field(obj, info->fields, "categories"),
        .kind = field(obj, info->fields, "kind"),
        .size = field(obj, info->fields, "size"),
        .cast_int = field(obj, info->fields, "cast_int"),
    };
    int r = hpolab_space_entry_build(e, info->name, &f, where, diag);
    return r < 0 ? r : errors + r;
}

int32_t hpolab_space_parse(const json_t *json, const char *where,
                           struct hpolab_diag *diag, struct hpolab_space **out)
{
    *out = NULL;
    char got[128];
    if (!json_is_object(json)) {
        hpolab_diag_add(diag,
                        "%s: expected an object mapping names to domains or "
                        "constants, got %s",
                        where && *where ? where : "config_space",
                        hpolab_space_json_text(json, got, sizeof got));
        return HPOLAB_ERR_INVALID;
    }
    struct hpolab_space *s = calloc(1, sizeof *s);
    size_t n = json_object_size(json);
    if (!s || !(s->entries = calloc(n ? n : 1, sizeof *s->entries))) {
        free(s);
        hpolab_diag_add(diag, "%s: out of memory", prefix(where));
        return HPOLAB_ERR_NOMEM;
    }
    int errors = 0, nomem = 0;
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)json, key, val)
    {
        struct hpolab_space_entry *e = &s->entries[s->count++];
        e->name = strdup(key);
        if (!e->name) {
            nomem = 1;
            break;
        }
        int r = 0;
        if (!*key) {
            hpolab_diag_add(diag, "%s: expected non-empty hyperparameter "
                                  "names, got \"\"",
                            where && *where ? where : "config_space");
            r = 1;
        } else if (json_is_object(val) && json_object_get(val, "domain")) {
            r = parse_native(e, val, where, diag);
        } else if (json_is_object(val) && json_object_get(val, "domain_cls")) {
            r = hpolab_space_parse_syne_entry(e, val, where, diag);
        } else {
            e->cls = HPOLAB_DOM_CONSTANT;
            e->domain = "constant";
            e->constant = json_deep_copy(val);
            if (!e->constant)
                r = -1;
        }
        if (r < 0) {
            nomem = 1;
            break;
        }
        errors += r;
    }
    if (!nomem && !errors && hpolab_space_finish(s) != HPOLAB_OK)
        nomem = 1;
    if (nomem || errors) {
        hpolab_space_free(s);
        if (nomem)
            hpolab_diag_add(diag, "%s: out of memory", prefix(where));
        return nomem ? HPOLAB_ERR_NOMEM : HPOLAB_ERR_INVALID;
    }
    *out = s;
    return HPOLAB_OK;
}
