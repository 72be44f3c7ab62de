/* bo_chol.c: jittered Cholesky and triangular solves through LAPACKE/CBLAS.
 * The _work entry points skip LAPACKE's O(n^2) NaN scans; try_chol checks
 * the factor's diagonal instead. */
#include "bo_chol.h"

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <string.h>

static int try_chol(const double *K, size_t n, double add, double *L)
{
    memcpy(L, K, n * n * sizeof *L);
    for (size_t i = 0; i < n; i++)
        L[i + i * n] += add;
    lapack_int info = LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, 'L', (lapack_int)n, L,
                                     (lapack_int)n);
    if (info != 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (!(L[i + i * n] > 0.0) || !isfinite(L[i + i * n]))
            return -1;
    return 0;
}

int bo_chol_jitter(const double *K, size_t n, double diag_add, double *L,
                   double *jitter)
{
    *jitter = 0.0;
    if (n == 0)
        return 0;
    if (try_chol(K, n, diag_add, L) == 0)
        return 0;
    double mean = 0.0;
    for (size_t i = 0; i < n; i++)
        mean += K[i + i * n];
    mean /= (double)n;
    if (!isfinite(mean))
        return -1;
    double s = mean > 1.0 ? mean : 1.0;
    /* 1e-9 s, ..., 1e3 s: 13 attempts */
    double j = 1e-9 * s;
    for (int k = 0; k < 13; k++, j *= 10.0)
        if (try_chol(K, n, diag_add + j, L) == 0) {
            *jitter = j;
            return 0;
        }
    return -1;
}

void bo_chol_solve(const double *L, size_t n, double *B, size_t m)
{
    if (n == 0 || m == 0)
        return;
    LAPACKE_dpotrs_work(LAPACK_COL_MAJOR, 'L', (lapack_int)n, (lapack_int)m, L,
                   (lapack_int)n, B, (lapack_int)n);
}

void bo_chol_lsolve(const double *L, size_t n, double *v)
{
    if (n)
        cblas_dtrsv(CblasColMajor, CblasLower, CblasNoTrans, CblasNonUnit,
                    (blasint)n, L, (blasint)n, v, 1);
}

void bo_chol_ltsolve(const double *L, size_t n, double *v)
{
    if (n)
        cblas_dtrsv(CblasColMajor, CblasLower, CblasTrans, CblasNonUnit,
                    (blasint)n, L, (blasint)n, v, 1);
}

void bo_chol_lsolve_mat(const double *L, size_t n, double *B, size_t m)
{
    if (n && m)
        cblas_dtrsm(CblasColMajor, CblasLeft, CblasLower, CblasNoTrans,
                    CblasNonUnit, (blasint)n, (blasint)m, 1.0, L, (blasint)n,
                    B, (blasint)n);
}

int bo_chol_inverse(const double *L, size_t n, double *Ainv, int lower_only)
{
    if (n == 0)
        return 0;
    memcpy(Ainv, L, n * n * sizeof *Ainv);
    if (LAPACKE_dpotri_work(LAPACK_COL_MAJOR, 'L', (lapack_int)n, Ainv,
                       (lapack_int)n) != 0)
        return -1;
    if (lower_only)
        return 0;
    for (size_t j = 0; j < n; j++)
        for (size_t i = j + 1; i < n; i++)
            Ainv[j + i * n] = Ainv[i + j * n];
    return 0;
}

double bo_chol_logdet_half(const double *L, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += log(L[i + i * n]);
    return s;
}
