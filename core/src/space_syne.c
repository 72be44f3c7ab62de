/* space_syne.c: Syne Tune's serialized form of a configuration space
 * (config_space_to_json_dict, framework reference §2.12), read and written.
 * Syne Tune's [BUG]s are fixed on writing: reverse-log-uniform is written as
 * "ReverseLogUniform" (Syne Tune writes "LogUniform" and reads it back as
 * loguniform) and quantized samplers as a nested, readable object (Syne Tune
 * writes an object it cannot serialize). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "space_impl.h"

static const char *const syne_classes =
    "Float, Integer, Categorical, Ordinal, OrdinalNearestNeighbor, "
    "FiniteRange";

static void problem(struct hpolab_diag *diag, const char *where,
                    const char *name, const char *path, const char *expected,
                    const json_t *got)
{
    char text[128];
    hpolab_diag_add(diag, "%s%s%s.%s: expected %s, got %s",
                    where && *where ? where : "", where && *where ? "." : "",
                    name, path, expected,
                    hpolab_space_json_text(got, text, sizeof text));
}

/* Reports keys of obj not in the NULL-terminated list; returns how many. */
static int unknown_keys(const json_t *obj, const char *const *known,
                        const char *where, const char *name,
                        const char *path_prefix, const char *what,
                        struct hpolab_diag *diag)
{
    int errors = 0;
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)obj, key, val)
    {
        int found = 0;
        for (const char *const *k = known; *k; k++)
            found |= strcmp(*k, key) == 0;
        if (!found) {
            hpolab_diag_add(diag, "%s%s%s.%s%s: unknown field for %s",
                            where && *where ? where : "",
                            where && *where ? "." : "", name, path_prefix,
                            key, what);
            errors++;
        }
    }
    return errors;
}

/* Maps (class, sampler) to a study-file domain name; NULL after a problem. */
static const char *numeric_domain(const char *cls, const json_t *obj,
                                  const json_t *kwargs, const char *where,
                                  const char *name, struct hpolab_diag *diag,
                                  const json_t **q)
{
    int is_float = strcmp(cls, "Float") == 0;
    const json_t *scls = json_object_get(obj, "sampler_cls");
    const json_t *skw = json_object_get(obj, "sampler_kwargs");
    const char *sampler = scls ? json_string_value(scls) : "Uniform";
    int quantized = 0;
    const char *known = is_float ? "\"Uniform\", \"LogUniform\", "
                                   "\"ReverseLogUniform\", \"Quantized\""
                                 : "\"Uniform\", \"LogUniform\", \"Quantized\"";
    if (sampler && strcmp(sampler, "Quantized") == 0) {
        const json_t *inner = skw ? json_object_get(skw, "sampler") : NULL;
        *q = skw ? json_object_get(skw, "q") : NULL;
        if (!json_is_object(inner) ||
            !json_is_string(json_object_get(inner, "sampler_cls"))) {
            problem(diag, where, name, "sampler_kwargs.sampler",
                    "{\"sampler_cls\": ..., \"sampler_kwargs\": ...}", inner);
            return NULL;
        }
        sampler = json_string_value(json_object_get(inner, "sampler_cls"));
        known = "\"Uniform\", \"LogUniform\"";
        quantized = 1;
    }
    if (sampler && strcmp(sampler, "Uniform") == 0)
        return is_float ? (quantized ? "quniform" : "uniform")
                        : (quantized ? "qrandint" : "randint");
    if (sampler && strcmp(sampler, "LogUniform") == 0) {
        if (quantized)
            return is_float ? "qloguniform" : "qlograndint";
        if (!is_float)
            return "lograndint";
        /* Syne Tune writes reverseloguniform as "LogUniform"; a lower end of
         * 0 below 1 can only have come from there. */
        const json_t *lo = json_object_get(kwargs, "lower");
        const json_t *hi = json_object_get(kwargs, "upper");
        if (json_is_number(lo) && json_number_value(lo) == 0.0 &&
            json_is_number(hi) && json_number_value(hi) < 1.0)
            return "reverseloguniform";
        return "loguniform";
    }
    if (sampler && is_float && !quantized &&
        strcmp(sampler, "ReverseLogUniform") == 0)
        return "reverseloguniform";
    char expected[160];
    snprintf(expected, sizeof expected, "one of %s%s", known,
             sampler && strcmp(sampler, "Normal") == 0
                 ? " (Normal, i.e. randn, is not supported)"
                 : "");
    problem(diag, where, name,
            quantized ? "sampler_kwargs.sampler.sampler_cls" : "sampler_cls",
            expected,
            quantized ? json_object_get(json_object_get(skw, "sampler"),
                                        "sampler_cls")
                      : scls);
    return NULL;
}

int hpolab_space_parse_syne_entry(struct hpolab_space_entry *e,
                                  const json_t *obj, const char *where,
                                  struct hpolab_diag *diag)
{
    static const char *const top[] = {"domain_cls", "domain_kwargs",
                                      "sampler_cls", "sampler_kwargs", NULL};
    int errors = unknown_keys(obj, top, where, e->name, "",
                              "a Syne Tune domain", diag);
    const json_t *jcls = json_object_get(obj, "domain_cls");
    const char *cls = json_string_value(jcls);
    const json_t *kwargs = json_object_get(obj, "domain_kwargs");
    if (!cls || (strcmp(cls, "Float") && strcmp(cls, "Integer") &&
                 strcmp(cls, "Categorical") && strcmp(cls, "Ordinal") &&
                 strcmp(cls, "OrdinalNearestNeighbor") &&
                 strcmp(cls, "FiniteRange"))) {
        char expected[160];
        snprintf(expected, sizeof expected, "one of %s", syne_classes);
        problem(diag, where, e->name, "domain_cls", expected, jcls);
        return errors + 1;
    }
    if (!json_is_object(kwargs)) {
        problem(diag, where, e->name, "domain_kwargs", "an object", kwargs);
        return errors + 1;
    }
    struct hpolab_space_fields f = {
        .lower = {json_object_get(kwargs, "lower"), "domain_kwargs.lower"},
        .upper = {json_object_get(kwargs, "upper"), "domain_kwargs.upper"},
        .q = {NULL, "sampler_kwargs.q"},
        .categories = {json_object_get(kwargs, "categories"),
                       "domain_kwargs.categories"},
        .kind = {NULL, "domain_cls"},
        .size = {json_object_get(kwargs, "size"), "domain_kwargs.size"},
        .cast_int = {json_object_get(kwargs, "cast_int"),
                     "domain_kwargs.cast_int"},
    };
    const char *domain = NULL;
    json_t *kind = NULL;
    const json_t *log_scale = json_object_get(kwargs, "log_scale");
    if (log_scale && !json_is_boolean(log_scale)) {
        problem(diag, where, e->name, "domain_kwargs.log_scale",
                "true or false", log_scale);
        errors++;
    }
    int is_log = json_is_true(log_scale);
    if (!strcmp(cls, "Float") || !strcmp(cls, "Integer")) {
        static const char *const known[] = {"lower", "upper", NULL};
        errors += unknown_keys(kwargs, known, where, e->name,
                               "domain_kwargs.", cls, diag);
        domain = numeric_domain(cls, obj, kwargs, where, e->name, diag,
                                &f.q.value);
    } else if (!strcmp(cls, "Categorical") || !strcmp(cls, "Ordinal")) {
        static const char *const known[] = {"categories", NULL};
        errors += unknown_keys(kwargs, known, where, e->name,
                               "domain_kwargs.", cls, diag);
        const json_t *scls = json_object_get(obj, "sampler_cls");
        if (scls && !(json_is_string(scls) &&
                      !strcmp(json_string_value(scls), "Uniform"))) {
            problem(diag, where, e->name, "sampler_cls", "\"Uniform\"", scls);
            errors++;
        }
        if (!strcmp(cls, "Categorical")) {
            domain = "choice";
        } else {
            domain = "ordinal";
            kind = json_string("equal");
        }
    } else if (!strcmp(cls, "OrdinalNearestNeighbor")) {
        static const char *const known[] = {"categories", "log_scale", NULL};
        errors += unknown_keys(kwargs, known, where, e->name,
                               "domain_kwargs.", cls, diag);
        domain = is_log ? "logordinal" : "ordinal";
        if (!is_log)
            kind = json_string("nn");
    } else {
        static const char *const known[] = {"lower",    "upper", "log_scale",
                                            "cast_int", "size",  NULL};
        errors += unknown_keys(kwargs, known, where, e->name,
                               "domain_kwargs.", cls, diag);
        domain = is_log ? "logfinrange" : "finrange";
    }
    if (!domain)
        return errors + 1;
    f.kind.value = kind;
    int r = hpolab_space_entry_build(e, domain, &f, where, diag);
    if (kind)
        json_decref(kind);
    return r < 0 ? r : errors + r;
}

/* ---- writing ------------------------------------------------------------ */

static json_t *sampler_object(const char *sampler_cls, int with_base)
{
    json_t *kw = json_object();
    if (kw && with_base)
        json_object_set_new(kw, "base", json_real(exp(1.0)));
    return json_pack("{s:s, s:o}", "sampler_cls", sampler_cls,
                     "sampler_kwargs", kw);
}

static json_t *categories_json(const struct hpolab_space_entry *e)
{
    json_t *arr = json_array();
    for (uint32_t k = 0; arr && k < e->ncat; k++)
        if (json_array_append_new(arr, hpolab_value_to_json(&e->cats[k]))) {
            json_decref(arr);
            return NULL;
        }
    return arr;
}

static json_t *numeric_json(const struct hpolab_space_entry *e)
{
    int is_float = e->cls == HPOLAB_DOM_FLOAT;
    json_t *kwargs = is_float
                         ? json_pack("{s:f, s:f}", "lower", e->lower, "upper",
                                     e->upper)
                         : json_pack("{s:I, s:I}", "lower",
                                     (json_int_t)e->ilower, "upper",
                                     (json_int_t)e->iupper);
    const char *scls = e->scale == HPOLAB_SCALE_LOG      ? "LogUniform"
                       : e->scale == HPOLAB_SCALE_REVLOG ? "ReverseLogUniform"
                                                         : "Uniform";
    json_t *sampler = sampler_object(scls, e->scale != HPOLAB_SCALE_LINEAR);
    json_t *out = json_pack("{s:s, s:o}", "domain_cls",
                            is_float ? "Float" : "Integer", "domain_kwargs",
                            kwargs);
    if (!out || !sampler) {
        json_decref(out);
        json_decref(sampler);
        return NULL;
    }
    if (!e->quantized) {
        json_object_update(out, sampler);
        json_decref(sampler);
        return out;
    }
    json_t *q = is_float ? json_real(e->q) : json_integer((json_int_t)e->q);
    json_t *qkw = json_pack("{s:o, s:o}", "sampler", sampler, "q", q);
    if (json_object_set_new(out, "sampler_cls", json_string("Quantized")) ||
        json_object_set_new(out, "sampler_kwargs", qkw)) {
        json_decref(out);
        return NULL;
    }
    return out;
}

static json_t *entry_json(const struct hpolab_space_entry *e)
{
    switch (e->cls) {
    case HPOLAB_DOM_CONSTANT: return json_deep_copy(e->constant);
    case HPOLAB_DOM_FLOAT:
    case HPOLAB_DOM_INT: return numeric_json(e);
    case HPOLAB_DOM_CHOICE:
    case HPOLAB_DOM_ORDINAL:
        return json_pack("{s:s, s:{s:o}, s:s, s:{}}", "domain_cls",
                         e->cls == HPOLAB_DOM_CHOICE ? "Categorical"
                                                     : "Ordinal",
                         "domain_kwargs", "categories", categories_json(e),
                         "sampler_cls", "Uniform", "sampler_kwargs");
    case HPOLAB_DOM_ONN:
        return json_pack("{s:s, s:{s:o, s:b}}", "domain_cls",
                         "OrdinalNearestNeighbor", "domain_kwargs",
                         "categories", categories_json(e), "log_scale",
                         e->scale == HPOLAB_SCALE_LOG);
    case HPOLAB_DOM_FINRANGE:
        return json_pack("{s:s, s:{s:f, s:f, s:b, s:b, s:I}}", "domain_cls",
                         "FiniteRange", "domain_kwargs", "lower", e->lower,
                         "upper", e->upper, "log_scale",
                         e->scale == HPOLAB_SCALE_LOG, "cast_int", e->cast_int,
                         "size", (json_int_t)e->size);
    default: return NULL;
    }
}

json_t *hpolab_space_to_syne_json(const struct hpolab_space *s)
{
    json_t *out = json_object();
    for (uint32_t i = 0; out && i < s->count; i++) {
        json_t *v = entry_json(&s->entries[i]);
        if (!v || json_object_set_new(out, s->entries[i].name, v)) {
            json_decref(out);
            return NULL;
        }
    }
    return out;
}
