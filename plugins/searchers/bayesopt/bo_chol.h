/* bo_chol.h: Cholesky factorisation with jitter escalation and the solves
 * built on it (LAPACKE/CBLAS). Matrices are column-major n x n; only the
 * lower triangle of a factor is meaningful. No host calls. */
#ifndef BO_CHOL_H
#define BO_CHOL_H

#include <stddef.h>

/* L = chol(K + (diag_add + j) I) (only K's lower triangle is read) for the smallest jitter j of 0,
 * 1e-9 s, 1e-8 s, ..., 1e3 s with s = max(1, mean(diag K)) that succeeds
 * (schedulers reference §3.5). K is not modified; L (n*n, caller's) receives
 * the factor. Returns 0 and *jitter = j, or -1 when even the largest jitter
 * fails (or K holds NaN). */
int bo_chol_jitter(const double *K, size_t n, double diag_add, double *L,
                   double *jitter);

/* B (n x m, column-major) := (L L^T)^{-1} B. */
void bo_chol_solve(const double *L, size_t n, double *B, size_t m);

/* v := L^{-1} v and v := L^{-T} v for one vector. */
void bo_chol_lsolve(const double *L, size_t n, double *v);
void bo_chol_ltsolve(const double *L, size_t n, double *v);

/* B (n x m) := L^{-1} B. */
void bo_chol_lsolve_mat(const double *L, size_t n, double *B, size_t m);

/* Ainv (n*n) := (L L^T)^{-1}: full symmetric, or only its lower triangle
 * when lower_only. Returns 0, or -1. */
int bo_chol_inverse(const double *L, size_t n, double *Ainv, int lower_only);

/* sum_i log L_ii */
double bo_chol_logdet_half(const double *L, size_t n);

#endif
