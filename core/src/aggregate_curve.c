/* aggregate_curve.c: best-so-far curves (aggregate_curve.h). */
#include "aggregate_curve.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <hpolab/types.h>

/* Merge sort on indices: stable, O(n log n), no qsort context needed. */
static void merge_sort(const double *x, size_t *idx, size_t *tmp, size_t n)
{
    if (n < 2)
        return;
    size_t h = n / 2;
    merge_sort(x, idx, tmp, h);
    merge_sort(x, idx + h, tmp, n - h);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n) {
        double a = x[idx[i]], b = x[idx[j]];
        /* take from the right only when strictly smaller (stability);
         * NaN sorts last */
        int right = !isnan(b) && (isnan(a) || b < a);
        tmp[k++] = right ? idx[j++] : idx[i++];
    }
    while (i < h)
        tmp[k++] = idx[i++];
    while (j < n)
        tmp[k++] = idx[j++];
    memcpy(idx, tmp, n * sizeof *idx);
}

void hpolab_stable_order(const double *x, size_t n, size_t *idx)
{
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    int sorted = 1;
    for (size_t i = 1; i < n && sorted; i++)
        if (!(x[i - 1] <= x[i]))
            sorted = 0;
    if (sorted)
        return;
    size_t *tmp = malloc(n * sizeof *tmp);
    if (!tmp) { /* insertion sort: slow but correct without memory */
        for (size_t i = 1; i < n; i++) {
            size_t v = idx[i], j = i;
            while (j > 0 && !isnan(x[v]) &&
                   (isnan(x[idx[j - 1]]) || x[v] < x[idx[j - 1]])) {
                idx[j] = idx[j - 1];
                j--;
            }
            idx[j] = v;
        }
        return;
    }
    merge_sort(x, idx, tmp, n);
    free(tmp);
}

int32_t hpolab_best_so_far(const double *x, const double *v, size_t n,
                           const struct hpolab_curve_params *p,
                           struct hpolab_curve *out, struct hpolab_error *err)
{
    memset(out, 0, sizeof *out);
    size_t *idx = malloc((n ? n : 1) * sizeof *idx);
    out->x = malloc((n ? n : 1) * sizeof *out->x);
    out->y = malloc((n ? n : 1) * sizeof *out->y);
    if (!idx || !out->x || !out->y) {
        free(idx);
        hpolab_curve_free(out);
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM,
                                "best-so-far curve: out of memory");
    }
    hpolab_stable_order(x, n, idx);
    int have = 0;
    double best = 0;
    for (size_t r = 0; r < n; r++) {
        size_t i = idx[r];
        if (isnan(x[i]))
            continue;
        double val = v[i];
        if (!isnan(val)) {
            if (!have || (p->mode == HPOLAB_MODE_MAX ? val > best : val < best))
                best = val;
            have = 1;
        }
        if (!have)
            continue;
        if (!isnan(p->xlo) && x[i] < p->xlo)
            continue;
        if (!isnan(p->xhi) && x[i] > p->xhi)
            continue;
        double y = p->multiplier * best;
        if (p->mode == HPOLAB_MODE_MAX && p->convert_to_min)
            y = 1.0 - y;
        out->x[out->n] = x[i];
        out->y[out->n] = y;
        out->n++;
    }
    free(idx);
    return HPOLAB_OK;
}

void hpolab_curve_free(struct hpolab_curve *c)
{
    if (!c)
        return;
    free(c->x);
    free(c->y);
    c->x = c->y = NULL;
    c->n = 0;
}
