/* plot_common.c: benchmark, metric and setups of a figure
 * (plot_common.h). */
#include "plot_common.h"

#include <ctype.h>
#include <hpolab/types.h>
#include <stdlib.h>
#include <string.h>

int hpolab_natural_cmp(const char *a, const char *b)
{
    const char *pa = a, *pb = b;
    while (*pa && *pb) {
        if (isdigit((unsigned char)*pa) && isdigit((unsigned char)*pb)) {
            while (*pa == '0' && isdigit((unsigned char)pa[1]))
                pa++;
            while (*pb == '0' && isdigit((unsigned char)pb[1]))
                pb++;
            size_t la = 0, lb = 0;
            while (isdigit((unsigned char)pa[la]))
                la++;
            while (isdigit((unsigned char)pb[lb]))
                lb++;
            if (la != lb)
                return la < lb ? -1 : 1;
            int c = strncmp(pa, pb, la);
            if (c)
                return c;
            pa += la;
            pb += lb;
        } else {
            if (*pa != *pb)
                return (unsigned char)*pa < (unsigned char)*pb ? -1 : 1;
            pa++;
            pb++;
        }
    }
    if (*pa || *pb)
        return *pa ? 1 : -1;
    return strcmp(a, b);
}

long hpolab_name_index(const char *const *names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return (long)i;
    return -1;
}

int32_t hpolab_plot_one_benchmark(const struct hpolab_collection *c,
                                  struct hpolab_error *err)
{
    const char *first = NULL;
    int several = 0, none = 0;
    for (size_t i = 0; i < c->n; i++) {
        const char *b = c->items[i].benchmark;
        if (!b) {
            none = 1;
            continue;
        }
        if (!first)
            first = b;
        else if (strcmp(first, b) != 0)
            several = 1;
    }
    if (!several)
        return HPOLAB_OK; /* missing keys alone are one (unnamed) benchmark */
    char list[1024] = "";
    const char *seen[64];
    size_t ns = 0;
    for (size_t i = 0; i < c->n && ns < 64; i++) {
        const char *b = c->items[i].benchmark;
        if (!b || hpolab_name_index(seen, ns, b) >= 0)
            continue;
        seen[ns++] = b;
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
                 ns > 1 ? ", " : "", b);
    }
    return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                            "the experiments found hold %zu benchmarks (%s)%s: "
                            "choose one with --benchmark",
                            ns, list,
                            none ? " and some without a benchmark key" : "");
}

int32_t hpolab_plot_metric(const struct hpolab_collection *c,
                           const struct hpolab_plot_params *p, char **metric,
                           int32_t *mode, struct hpolab_diag *warn,
                           struct hpolab_error *err)
{
    *metric = NULL;
    const char *m = p->metric;
    const json_t *md = c->n ? c->items[0].metadata : NULL;
    if (!m) {
        const json_t *names = json_object_get(md, "metric_names");
        m = json_string_value(json_array_get(names, 0));
        if (!m)
            return hpolab_error_set(
                err, HPOLAB_ERR_INVALID,
                "%s/metadata.json has no metric_names: give the metric with "
                "--metric NAME (or \"metric\" in the study's plot section)",
                c->n ? c->items[0].dir : "?");
        for (size_t i = 1; i < c->n; i++) {
            const char *o = json_string_value(json_array_get(
                json_object_get(c->items[i].metadata, "metric_names"), 0));
            if (o && strcmp(o, m) != 0) {
                hpolab_diag_add(warn,
                                "%s: its metric is '%s', not '%s' as in %s; "
                                "plotting '%s' (choose with --metric)",
                                c->items[i].dir, o, m, c->items[0].dir, m);
                break;
            }
        }
    }
    if (p->mode >= 0) {
        *mode = p->mode;
    } else {
        const char *mm = json_string_value(json_object_get(md, "metric_mode"));
        *mode = mm && strcmp(mm, "max") == 0 ? HPOLAB_MODE_MAX
                                             : HPOLAB_MODE_MIN;
    }
    if (!(*metric = strdup(m)))
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    return HPOLAB_OK;
}

static int cmp_nat(const void *a, const void *b)
{
    return hpolab_natural_cmp(*(const char *const *)a,
                              *(const char *const *)b);
}

int32_t hpolab_plot_setups(const struct hpolab_collection *c,
                           const struct hpolab_plot_params *p,
                           const char ***names, size_t *n,
                           struct hpolab_diag *warn, struct hpolab_error *err)
{
    *names = NULL;
    *n = 0;
    const char **found = malloc((c->n ? c->n : 1) * sizeof *found);
    const char **out =
        malloc((c->n + p->n_setups + 1) * sizeof *out);
    if (!found || !out) {
        free(found);
        free(out);
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    }
    size_t nf = 0;
    for (size_t i = 0; i < c->n; i++)
        if (hpolab_name_index(found, nf, c->items[i].setup) < 0)
            found[nf++] = c->items[i].setup;
    qsort(found, nf, sizeof *found, cmp_nat);
    size_t no = 0;
    if (p->setups) {
        for (size_t i = 0; i < p->n_setups; i++) {
            if (hpolab_name_index(out, no, p->setups[i]) >= 0)
                continue;
            if (hpolab_name_index(found, nf, p->setups[i]) < 0)
                hpolab_diag_add(warn,
                                "setup '%s' is listed in setups, but no "
                                "experiment found has it (setup template "
                                "'%s')",
                                p->setups[i], p->setup);
            else
                out[no++] = p->setups[i];
        }
        for (size_t i = 0; i < nf; i++)
            if (hpolab_name_index((const char *const *)p->setups, p->n_setups,
                                  found[i]) < 0) {
                size_t cnt = 0;
                for (size_t j = 0; j < c->n; j++)
                    cnt += strcmp(c->items[j].setup, found[i]) == 0;
                hpolab_diag_add(warn,
                                "setup '%s' (%zu experiment%s) is not listed "
                                "in setups; not drawn",
                                found[i], cnt, cnt == 1 ? "" : "s");
            }
    } else {
        memcpy(out, found, nf * sizeof *out);
        no = nf;
    }
    free(found);
    *names = out;
    *n = no;
    return HPOLAB_OK;
}
