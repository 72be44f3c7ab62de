/* space_build.c: validating the fields of one domain and building its
 * entry. Shared by the study-file parser (space_parse.c) and the Syne Tune
 * form (space_syne.c), which only differ in where the fields live. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "space_impl.h"

static const struct hpolab_space_domain_info domains[] = {
    {"uniform", HPOLAB_DOM_FLOAT, HPOLAB_SCALE_LINEAR, 0, "lower upper"},
    {"loguniform", HPOLAB_DOM_FLOAT, HPOLAB_SCALE_LOG, 0, "lower upper"},
    {"reverseloguniform", HPOLAB_DOM_FLOAT, HPOLAB_SCALE_REVLOG, 0,
     "lower upper"},
    {"randint", HPOLAB_DOM_INT, HPOLAB_SCALE_LINEAR, 0, "lower upper"},
    {"lograndint", HPOLAB_DOM_INT, HPOLAB_SCALE_LOG, 0, "lower upper"},
    {"quniform", HPOLAB_DOM_FLOAT, HPOLAB_SCALE_LINEAR, 1, "lower upper q"},
    {"qloguniform", HPOLAB_DOM_FLOAT, HPOLAB_SCALE_LOG, 1, "lower upper q"},
    {"qrandint", HPOLAB_DOM_INT, HPOLAB_SCALE_LINEAR, 1, "lower upper q"},
    {"qlograndint", HPOLAB_DOM_INT, HPOLAB_SCALE_LOG, 1, "lower upper q"},
    {"choice", HPOLAB_DOM_CHOICE, HPOLAB_SCALE_LINEAR, 0, "categories"},
    {"ordinal", HPOLAB_DOM_ORDINAL, HPOLAB_SCALE_LINEAR, 0,
     "categories kind"},
    {"logordinal", HPOLAB_DOM_ONN, HPOLAB_SCALE_LOG, 0, "categories"},
    {"finrange", HPOLAB_DOM_FINRANGE, HPOLAB_SCALE_LINEAR, 0,
     "lower upper size cast_int"},
    {"logfinrange", HPOLAB_DOM_FINRANGE, HPOLAB_SCALE_LOG, 0,
     "lower upper size cast_int"},
};

#define NDOMAINS (sizeof domains / sizeof domains[0])
#define FINRANGE_MAX_SIZE 10000000

const struct hpolab_space_domain_info *hpolab_space_domain_find(const char *name)
{
    for (size_t i = 0; i < NDOMAINS; i++)
        if (strcmp(domains[i].name, name) == 0)
            return &domains[i];
    return NULL;
}

const char *hpolab_space_domain_list(void)
{
    return "uniform, loguniform, reverseloguniform, randint, lograndint, "
           "quniform, qloguniform, qrandint, qlograndint, choice, ordinal, "
           "logordinal, finrange, logfinrange";
}

/* One problem "<where>.<name>[.<path>]: <message>". */
static void problem(struct hpolab_diag *diag, const char *where,
                    const char *name, const char *path, const char *fmt, ...)
    HPOLAB_PRINTF(5, 6);
static void problem(struct hpolab_diag *diag, const char *where,
                    const char *name, const char *path, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    hpolab_diag_add(diag, "%s%s%s%s%s: %s", where && *where ? where : "",
                    where && *where ? "." : "", name, path && *path ? "." : "",
                    path ? path : "", msg);
}

/* A number field; returns 1 and *out when valid. */
static int get_number(const struct hpolab_space_field *f, double *out)
{
    if (!f->value || !json_is_number(f->value))
        return 0;
    *out = json_number_value(f->value);
    return isfinite(*out);
}

/* An integer field (integral reals such as 1e3 accepted). */
static int get_integer(const struct hpolab_space_field *f, int64_t *out)
{
    if (!f->value)
        return 0;
    if (json_is_integer(f->value)) {
        *out = json_integer_value(f->value);
        return 1;
    }
    if (json_is_real(f->value)) {
        double d = json_real_value(f->value);
        if (d == floor(d) && fabs(d) < 9.2e18) {
            *out = (int64_t)d;
            return 1;
        }
    }
    return 0;
}

/* Python's math.isclose(a, b) with the default rel_tol 1e-9. */
static int is_close(double a, double b)
{
    return fabs(a - b) <= 1e-9 * fmax(fabs(a), fabs(b));
}

struct ctx {
    struct hpolab_space_entry *e;
    const char *where;
    const char *dom; /* domain as shown in messages */
    struct hpolab_diag *diag;
    int errors;
};

static void bad(struct ctx *c, const struct hpolab_space_field *f,
                const char *expected)
{
    char got[128];
    problem(c->diag, c->where, c->e->name, f->path, "%s needs %s, got %s",
            c->dom, expected, hpolab_space_json_text(f->value, got, sizeof got));
    c->errors++;
}

static void build_float(struct ctx *c, const struct hpolab_space_fields *f)
{
    struct hpolab_space_entry *e = c->e;
    double lo = 0, hi = 0;
    int lo_ok = get_number(&f->lower, &lo), hi_ok = get_number(&f->upper, &hi);
    const char *expect = "a number";
    if (e->scale == HPOLAB_SCALE_LOG) {
        expect = "a number > 0";
        lo_ok = lo_ok && lo > 0;
        hi_ok = hi_ok && hi > 0;
    } else if (e->scale == HPOLAB_SCALE_REVLOG) {
        expect = "a number in [0, 1)";
        lo_ok = lo_ok && lo >= 0 && lo < 1;
        hi_ok = hi_ok && hi >= 0 && hi < 1;
    }
    if (!lo_ok)
        bad(c, &f->lower, expect);
    if (!hi_ok)
        bad(c, &f->upper, expect);
    if (lo_ok && hi_ok && lo > hi) {
        char b[128], what[160];
        snprintf(what, sizeof what, "a number >= lower (%s)",
                 hpolab_space_json_text(f->lower.value, b, sizeof b));
        bad(c, &f->upper, what);
        hi_ok = 0;
    } else if (lo_ok && hi_ok && !isfinite(hi - lo)) {
        bad(c, &f->upper, "a finite upper - lower");
        hi_ok = 0;
    }
    e->lower = lo;
    e->upper = hi;
    if (!e->quantized)
        return;
    double q = 0;
    if (!get_number(&f->q, &q) || !(q > 0)) {
        bad(c, &f->q, "a number > 0");
        return;
    }
    e->q = q;
    char b[128], what[160];
    snprintf(what, sizeof what, "a multiple of q (%s)",
             hpolab_space_json_text(f->q.value, b, sizeof b));
    /* Syne Tune's Float.quantized check: keeps quantized values in range */
    if (lo_ok && !is_close(lo / q, hpolab_round_half_even(lo / q)))
        bad(c, &f->lower, what);
    if (hi_ok && !is_close(hi / q, hpolab_round_half_even(hi / q)))
        bad(c, &f->upper, what);
}

static void build_int(struct ctx *c, const struct hpolab_space_fields *f)
{
    struct hpolab_space_entry *e = c->e;
    int64_t lo = 0, hi = 0;
    int lo_ok = get_integer(&f->lower, &lo), hi_ok = get_integer(&f->upper, &hi);
    const char *expect = "an integer";
    if (e->scale == HPOLAB_SCALE_LOG) {
        expect = "an integer > 0";
        lo_ok = lo_ok && lo > 0;
        hi_ok = hi_ok && hi > 0;
    }
    if (!lo_ok)
        bad(c, &f->lower, expect);
    if (!hi_ok)
        bad(c, &f->upper, expect);
    if (lo_ok && hi_ok && lo > hi) {
        char what[64];
        snprintf(what, sizeof what, "an integer >= lower (%lld)",
                 (long long)lo);
        bad(c, &f->upper, what);
        hi_ok = 0;
    } else if (lo_ok && hi_ok && (lo < -(INT64_C(1) << 53) ||
                                  hi > (INT64_C(1) << 53))) {
        /* the sampler and the encoding compute in doubles */
        bad(c, lo < -(INT64_C(1) << 53) ? &f->lower : &f->upper,
            "an integer of magnitude <= 2^53");
        hi_ok = 0;
    }
    e->ilower = lo;
    e->iupper = hi;
    e->lower = (double)lo;
    e->upper = (double)hi;
    if (!e->quantized)
        return;
    int64_t q = 1;
    if (f->q.value && (!get_integer(&f->q, &q) || q <= 0)) {
        bad(c, &f->q, "an integer > 0");
        return;
    }
    if (!f->q.value && strcmp(e->domain, "qrandint") != 0) {
        bad(c, &f->q, "an integer > 0");
        return;
    }
    e->q = (double)q;
    char what[80];
    snprintf(what, sizeof what, "a multiple of q (%lld)", (long long)q);
    /* keeps quantized values inside [lower, upper] */
    if (lo_ok && lo % q != 0)
        bad(c, &f->lower, what);
    if (hi_ok && hi % q != 0)
        bad(c, &f->upper, what);
}

/* numpy's pairwise summation (np.add.reduce on a contiguous float64 array),
 * so the ONN interval equals Syne Tune's bit for bit. */
static double pairwise_sum(const double *a, size_t n)
{
    if (n < 8) {
        double res = 0.;
        for (size_t i = 0; i < n; i++)
            res += a[i];
        return res;
    }
    if (n <= 128) {
        double r[8];
        size_t i;
        for (int j = 0; j < 8; j++)
            r[j] = a[j];
        for (i = 8; i < n - (n % 8); i += 8)
            for (int j = 0; j < 8; j++)
                r[j] += a[i + (size_t)j];
        double res = ((r[0] + r[1]) + (r[2] + r[3])) +
                     ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++)
            res += a[i];
        return res;
    }
    size_t n2 = n / 2;
    n2 -= n2 % 8;
    return pairwise_sum(a, n2) + pairwise_sum(a + n2, n - n2);
}

static const char *json_type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a float";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    default: return "?";
    }
}

static int same_json_scalar(const json_t *a, const json_t *b)
{
    return json_equal((json_t *)a, (json_t *)b);
}

static double cat_number(const struct hpolab_value *v)
{
    return v->type == HPOLAB_VALUE_INT ? (double)v->u.i : v->u.d;
}

/* Returns -1 on out of memory. */
static int build_categories(struct ctx *c, const struct hpolab_space_fields *f)
{
    struct hpolab_space_entry *e = c->e;
    const json_t *cats = f->categories.value;
    if (!cats || !json_is_array(cats) || json_array_size(cats) == 0) {
        bad(c, &f->categories, "a non-empty list");
        return 0;
    }
    size_t n = json_array_size(cats);
    char path[96], got[128];
    int ok = 1;
    const json_t *first = json_array_get(cats, 0);
    for (size_t k = 0; k < n; k++) {
        const json_t *v = json_array_get(cats, k);
        snprintf(path, sizeof path, "%s[%zu]", f->categories.path, k);
        if (!json_is_string(v) && !json_is_number(v) && !json_is_boolean(v)) {
            problem(c->diag, c->where, e->name, path,
                    "%s needs strings, numbers or booleans, got %s", c->dom,
                    hpolab_space_json_text(v, got, sizeof got));
            c->errors++;
            ok = 0;
            continue;
        }
        if (k > 0 && json_typeof(v) != json_typeof(first) &&
            !(json_is_boolean(v) && json_is_boolean(first))) {
            if (json_is_string(first) || json_is_number(first) ||
                json_is_boolean(first)) {
                problem(c->diag, c->where, e->name, path,
                        "%s needs entries of one type (%s, like the first), "
                        "got %s",
                        c->dom, json_type_name(first),
                        hpolab_space_json_text(v, got, sizeof got));
                c->errors++;
            }
            ok = 0;
            continue;
        }
        for (size_t j = 0; j < k; j++)
            if (same_json_scalar(json_array_get(cats, j), v)) {
                problem(c->diag, c->where, e->name, path,
                        "%s needs distinct entries, got %s again (entry %zu)",
                        c->dom, hpolab_space_json_text(v, got, sizeof got), j);
                c->errors++;
                ok = 0;
                break;
            }
    }
    if (!ok)
        return 0;
    e->cats = calloc(n, sizeof *e->cats);
    if (!e->cats)
        return -1;
    e->ncat = (uint32_t)n;
    for (size_t k = 0; k < n; k++)
        if (hpolab_value_from_json(json_array_get(cats, k), &e->cats[k]) !=
            HPOLAB_OK)
            return -1;
    e->cat_type = e->cats[0].type;
    return 0;
}

static int numeric_increasing(const struct hpolab_space_entry *e)
{
    if (e->cat_type != HPOLAB_VALUE_INT && e->cat_type != HPOLAB_VALUE_DOUBLE)
        return 0;
    for (uint32_t k = 1; k < e->ncat; k++)
        if (!(cat_number(&e->cats[k - 1]) < cat_number(&e->cats[k])))
            return 0;
    return 1;
}

/* ONN checks and internals; returns -1 on out of memory. */
static int build_onn(struct ctx *c, const struct hpolab_space_fields *f)
{
    struct hpolab_space_entry *e = c->e;
    char path[96], got[128], prev[128];
    if (e->cat_type != HPOLAB_VALUE_INT && e->cat_type != HPOLAB_VALUE_DOUBLE) {
        snprintf(path, sizeof path, "%s[0]", f->categories.path);
        problem(c->diag, c->where, e->name, path, "%s needs numbers, got %s",
                c->dom, hpolab_space_value_text(&e->cats[0], got, sizeof got));
        c->errors++;
        return 0;
    }
    if (e->ncat < 2) {
        bad(c, &f->categories, "at least 2 entries");
        return 0;
    }
    int ok = 1;
    for (uint32_t k = 1; k < e->ncat; k++)
        if (!(cat_number(&e->cats[k - 1]) < cat_number(&e->cats[k]))) {
            snprintf(path, sizeof path, "%s[%u]", f->categories.path, k);
            problem(c->diag, c->where, e->name, path,
                    "%s needs strictly increasing numbers, got %s after %s",
                    c->dom,
                    hpolab_space_value_text(&e->cats[k], got, sizeof got),
                    hpolab_space_value_text(&e->cats[k - 1], prev,
                                            sizeof prev));
            c->errors++;
            ok = 0;
        }
    if (e->scale == HPOLAB_SCALE_LOG && !(cat_number(&e->cats[0]) > 0)) {
        snprintf(path, sizeof path, "%s[0]", f->categories.path);
        problem(c->diag, c->where, e->name, path,
                "%s needs numbers > 0, got %s", c->dom,
                hpolab_space_value_text(&e->cats[0], got, sizeof got));
        c->errors++;
        ok = 0;
    }
    if (!ok)
        return 0;
    uint32_t n = e->ncat;
    e->cat_z = malloc(n * sizeof *e->cat_z);
    double *diff = malloc((n - 1) * sizeof *diff);
    if (!e->cat_z || !diff) {
        free(diff);
        return -1;
    }
    for (uint32_t k = 0; k < n; k++) {
        double x = cat_number(&e->cats[k]);
        e->cat_z[k] = e->scale == HPOLAB_SCALE_LOG ? log(x) : x;
    }
    for (uint32_t k = 0; k + 1 < n; k++)
        diff[k] = e->cat_z[k + 1] - e->cat_z[k];
    double avg = 0.5 * (pairwise_sum(diff, n - 1) / (double)(n - 1));
    free(diff);
    e->z_lower = e->cat_z[0] - avg;
    e->z_upper = e->cat_z[n - 1] + avg;
    return 0;
}

static int build_ordinal(struct ctx *c, const struct hpolab_space_fields *f,
                         const char *domain)
{
    struct hpolab_space_entry *e = c->e;
    const char *kind = NULL;
    int kind_ok = 1;
    if (strcmp(domain, "logordinal") == 0) {
        kind = "nn-log";
    } else if (f->kind.value) {
        const char *k = json_is_string(f->kind.value)
                            ? json_string_value(f->kind.value)
                            : "";
        if (strcmp(k, "equal") == 0)
            kind = "equal";
        else if (strcmp(k, "nn") == 0)
            kind = "nn";
        else if (strcmp(k, "nn-log") == 0)
            kind = "nn-log";
        else {
            bad(c, &f->kind, "one of \"equal\", \"nn\", \"nn-log\"");
            kind_ok = 0;
        }
    }
    int st = build_categories(c, f);
    if (st < 0)
        return st;
    if (!kind_ok || !e->cats)
        return 0;
    if (!kind) /* Syne Tune's default kind */
        kind = e->ncat > 1 && numeric_increasing(e) ? "nn" : "equal";
    e->kind = kind;
    if (strcmp(kind, "equal") == 0) {
        e->cls = HPOLAB_DOM_ORDINAL;
        e->scale = HPOLAB_SCALE_LINEAR;
        return 0;
    }
    e->cls = HPOLAB_DOM_ONN;
    e->scale = strcmp(kind, "nn-log") == 0 ? HPOLAB_SCALE_LOG
                                           : HPOLAB_SCALE_LINEAR;
    char dom[64];
    if (strcmp(domain, "ordinal") == 0) {
        snprintf(dom, sizeof dom, "ordinal kind %s", kind);
        c->dom = dom;
    }
    int r = build_onn(c, f);
    c->dom = domain;
    return r;
}

/* Returns -1 on out of memory. */
static int build_finrange(struct ctx *c, const struct hpolab_space_fields *f)
{
    struct hpolab_space_entry *e = c->e;
    double lo = 0, hi = 0;
    int lo_ok = get_number(&f->lower, &lo), hi_ok = get_number(&f->upper, &hi);
    const char *expect = "a number";
    if (e->scale == HPOLAB_SCALE_LOG) {
        expect = "a number > 0";
        lo_ok = lo_ok && lo > 0;
        hi_ok = hi_ok && hi > 0;
    }
    if (!lo_ok)
        bad(c, &f->lower, expect);
    if (!hi_ok)
        bad(c, &f->upper, expect);
    if (lo_ok && hi_ok && lo > hi) {
        char b[128], what[160];
        snprintf(what, sizeof what, "a number >= lower (%s)",
                 hpolab_space_json_text(f->lower.value, b, sizeof b));
        bad(c, &f->upper, what);
        hi_ok = 0;
    }
    int64_t size = 0;
    int size_ok = get_integer(&f->size, &size) && size >= 1 &&
                  size <= FINRANGE_MAX_SIZE;
    if (!size_ok)
        bad(c, &f->size, "an integer in [1, 10000000]");
    int cast_ok = 1;
    if (f->cast_int.value) {
        if (json_is_boolean(f->cast_int.value))
            e->cast_int = json_is_true(f->cast_int.value);
        else {
            bad(c, &f->cast_int, "true or false");
            cast_ok = 0;
        }
    }
    if (!lo_ok || !hi_ok || !size_ok || !cast_ok)
        return 0;
    e->lower = lo;
    e->upper = hi;
    e->size = (uint32_t)size;
    int log_scale = e->scale == HPOLAB_SCALE_LOG;
    e->fr_lower_int = log_scale ? log(lo) : lo;
    double upper_int = log_scale ? log(hi) : hi;
    e->fr_step = size > 1 ? (upper_int - e->fr_lower_int) / (double)(size - 1)
                          : 0.0;
    e->fr_values = malloc(e->size * sizeof *e->fr_values);
    if (!e->fr_values)
        return -1;
    for (uint32_t k = 0; k < e->size; k++) {
        double y = (double)k * e->fr_step + e->fr_lower_int;
        if (log_scale)
            y = exp(y);
        y = y < lo ? lo : (y > hi ? hi : y);
        e->fr_values[k] = e->cast_int ? nearbyint(y) : y;
    }
    return 0;
}

int hpolab_space_entry_build(struct hpolab_space_entry *e, const char *domain,
                             const struct hpolab_space_fields *f,
                             const char *where, struct hpolab_diag *diag)
{
    const struct hpolab_space_domain_info *info =
        hpolab_space_domain_find(domain);
    if (!info)
        return 0; /* the parsers report unknown domains */
    e->cls = info->cls;
    e->domain = info->name;
    e->scale = info->scale;
    e->quantized = info->quantized;
    struct ctx c = {e, where, info->name, diag, 0};
    int st = 0;
    switch (info->cls) {
    case HPOLAB_DOM_FLOAT: build_float(&c, f); break;
    case HPOLAB_DOM_INT: build_int(&c, f); break;
    case HPOLAB_DOM_CHOICE: st = build_categories(&c, f); break;
    case HPOLAB_DOM_ORDINAL:
    case HPOLAB_DOM_ONN: st = build_ordinal(&c, f, info->name); break;
    case HPOLAB_DOM_FINRANGE: st = build_finrange(&c, f); break;
    default: break;
    }
    if (st < 0) {
        hpolab_diag_add(diag, "%s%s%s: out of memory",
                        where && *where ? where : "",
                        where && *where ? "." : "", e->name);
        return -1;
    }
    return c.errors;
}
