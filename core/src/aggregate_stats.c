/* aggregate_stats.c: aggregate modes (aggregate_stats.h). */
#include "aggregate_stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"

static const char *const mode_names[] = {"mean_and_ci", "median_percentiles",
                                         "iqm_bootstrap"};
#define N_MODES (sizeof mode_names / sizeof mode_names[0])

int32_t hpolab_aggregate_mode_parse(const char *name, int32_t *out,
                                    struct hpolab_error *err)
{
    for (size_t i = 0; name && i < N_MODES; i++)
        if (strcmp(name, mode_names[i]) == 0) {
            *out = (int32_t)i;
            return HPOLAB_OK;
        }
    return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                            "aggregate mode '%s' is not supported; use "
                            "mean_and_ci, median_percentiles or iqm_bootstrap",
                            name ? name : "");
}

const char *hpolab_aggregate_mode_name(int32_t mode)
{
    return mode >= 0 && (size_t)mode < N_MODES ? mode_names[mode] : "?";
}

void hpolab_iqm_trim(double *w, size_t r)
{
    double cut = (double)r / 4.0;
    for (size_t j = 0; j < r && cut > 0; j++) {
        double d = w[j] < cut ? w[j] : cut;
        w[j] -= d;
        cut -= d;
    }
    cut = (double)r / 4.0;
    for (size_t j = r; j-- > 0 && cut > 0;) {
        double d = w[j] < cut ? w[j] : cut;
        w[j] -= d;
        cut -= d;
    }
    for (size_t j = 0; j < r; j++)
        w[j] *= 2.0 / (double)r;
}

void hpolab_aggregator_free(struct hpolab_aggregator *a)
{
    if (!a)
        return;
    free(a->iqm);
    free(a->cbar);
    free(a->c);
    free(a->work);
    memset(a, 0, sizeof *a);
}

int32_t hpolab_aggregator_init(struct hpolab_aggregator *a, int32_t mode,
                               size_t r, uint32_t samples, uint32_t seed,
                               struct hpolab_error *err)
{
    memset(a, 0, sizeof *a);
    if (r < 1 || mode < 0 || (size_t)mode >= N_MODES)
        return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                "aggregator: mode %d with %zu runs",
                                (int)mode, r);
    a->mode = mode;
    a->r = r;
    a->work = malloc(2 * r * sizeof *a->work);
    if (!a->work)
        goto nomem;
    if (mode != HPOLAB_AGGREGATE_IQM_BOOTSTRAP)
        return HPOLAB_OK;
    if (samples < 1)
        return hpolab_error_set(err, HPOLAB_ERR_RANGE,
                                "bootstrap samples: expected >= 1, got 0");
    a->iqm = malloc(r * sizeof *a->iqm);
    a->cbar = calloc(r, sizeof *a->cbar);
    a->c = calloc(r * r, sizeof *a->c);
    double *w = malloc(r * sizeof *w);
    if (!a->iqm || !a->cbar || !a->c || !w) {
        free(w);
        goto nomem;
    }
    for (size_t j = 0; j < r; j++)
        a->iqm[j] = 1.0;
    hpolab_iqm_trim(a->iqm, r);
    struct hpolab_rng rng;
    hpolab_rng_seed(&rng, seed);
    for (uint32_t b = 0; b < samples; b++) {
        /* Multinomial(R; 1/R, ...): R draws of a sorted position */
        memset(w, 0, r * sizeof *w);
        for (size_t i = 0; i < r; i++)
            w[hpolab_rng_randint(&rng, 0, (int64_t)r)] += 1.0;
        hpolab_iqm_trim(w, r);
        for (size_t i = 0; i < r; i++) {
            if (w[i] == 0)
                continue;
            a->cbar[i] += w[i];
            for (size_t j = 0; j < r; j++)
                a->c[i * r + j] += w[i] * w[j];
        }
    }
    for (size_t i = 0; i < r; i++)
        a->cbar[i] /= samples;
    for (size_t i = 0; i < r * r; i++)
        a->c[i] /= samples;
    free(w);
    return HPOLAB_OK;
nomem:
    hpolab_aggregator_free(a);
    return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "aggregator: out of memory");
}

static void sort_small(double *v, size_t n)
{
    for (size_t i = 1; i < n; i++) { /* insertion sort: R is small */
        double x = v[i];
        size_t j = i;
        while (j > 0 && v[j - 1] > x) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
}

double hpolab_percentile_sorted(const double *s, size_t n, double p)
{
    double pos = p * (double)(n - 1);
    size_t lo = (size_t)floor(pos);
    if (lo + 1 >= n)
        return s[n - 1];
    double frac = pos - (double)lo;
    return s[lo] + frac * (s[lo + 1] - s[lo]);
}

void hpolab_aggregate_values(struct hpolab_aggregator *a, const double *z,
                             double *centre, double *lower, double *upper)
{
    size_t r = a->r;
    for (size_t i = 0; i < r; i++)
        if (isnan(z[i])) {
            *centre = *lower = *upper = NAN;
            return;
        }
    if (a->mode == HPOLAB_AGGREGATE_MEAN_CI) {
        double m = 0, v = 0;
        for (size_t i = 0; i < r; i++)
            m += z[i];
        m /= (double)r;
        for (size_t i = 0; i < r; i++)
            v += (z[i] - m) * (z[i] - m);
        double h = 1.95 * sqrt(v / (double)r) / sqrt((double)r);
        *centre = m;
        *lower = m - h;
        *upper = m + h;
        return;
    }
    double *s = a->work;
    memcpy(s, z, r * sizeof *s);
    sort_small(s, r);
    if (a->mode == HPOLAB_AGGREGATE_MEDIAN_PERCENTILES) {
        *centre = hpolab_percentile_sorted(s, r, 0.5);
        *lower = hpolab_percentile_sorted(s, r, 0.25);
        *upper = hpolab_percentile_sorted(s, r, 0.75);
        return;
    }
    double iqm = 0;
    for (size_t j = 0; j < r; j++)
        iqm += a->iqm[j] * s[j];
    /* Var = z'Cz - (cbar'z)^2 on z shifted by the IQM: every weight vector
     * sums to 1, so the shift leaves Var unchanged and avoids cancellation */
    double *d = a->work + r;
    for (size_t j = 0; j < r; j++)
        d[j] = s[j] - iqm;
    double quad = 0, lin = 0;
    for (size_t i = 0; i < r; i++) {
        if (d[i] == 0)
            continue;
        double row = 0;
        for (size_t j = 0; j < r; j++)
            row += a->c[i * r + j] * d[j];
        quad += d[i] * row;
        lin += a->cbar[i] * d[i];
    }
    double var = quad - lin * lin;
    double h = 1.96 * sqrt(var > 0 ? var : 0);
    *centre = iqm;
    *lower = iqm - h;
    *upper = iqm + h;
}
