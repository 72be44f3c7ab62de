/* tl_formula.h: docs/simulator.md's transformer_like written out again, so
 * the tests check the plugin against the documentation and not against
 * itself:
 *   y(r) = floor + (10.4 - floor) (1 + r * rate / 0.053)^-0.77,
 *   floor = 5 + 0.8 (d - 0.2)^2,
 *   rate = 2088628 / (35 b) * eta / (1 + eta / 1.56e-4),
 *   eta = lr / (1 - m) * min(1, clip / 0.5) (1 if clip = 0) * (1 - d / 2).
 */
#ifndef HPOLAB_TEST_TL_FORMULA_H
#define HPOLAB_TEST_TL_FORMULA_H

#include <math.h>

static inline double tl_value(double lr, double d, double b, double m, double c,
                              double r)
{
    double clip = c > 0 ? fmin(1.0, c / 0.5) : 1.0;
    double eta = lr / (1.0 - m) * clip * (1.0 - d / 2);
    double rate = 2088628.0 / (35.0 * b) * eta / (1.0 + eta / 1.56e-4);
    double fl = 5.0 + 0.8 * (d - 0.2) * (d - 0.2);
    return fl + (10.4 - fl) * pow(1.0 + r * rate / 0.053, -0.77);
}

/* The best value at epoch r over the ODSC space: the largest step
 * (lr 1e-3, momentum 0.99), the most updates (batch_size 16), no clipping
 * (clip >= 0.5), and the dropout that balances speed against the floor
 * (scanned in steps of 1e-5). */
static inline double tl_optimum(double r)
{
    double best = INFINITY;
    for (int i = 0; i <= 99000; i++) {
        double y = tl_value(1e-3, i * 1e-5, 16, 0.99, 1.0, r);
        if (y < best)
            best = y;
    }
    return best;
}

#endif
