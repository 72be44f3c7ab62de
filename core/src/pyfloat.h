/* pyfloat.h: numbers as Python prints them. Training scripts written for
 * Syne Tune receive hyperparameters as Python's str() of the value, and
 * results.csv holds floats in Python's shortest round-trip form, so hpolab
 * formats numbers exactly that way ("0.001", "1e-05", "1e+16", "2.0"). */
#ifndef HPOLAB_CORE_PYFLOAT_H
#define HPOLAB_CORE_PYFLOAT_H

#include <stddef.h>

#define HPOLAB_PYFLOAT_BUFSIZE 32

/* Python's repr(float): shortest text that parses back to x; "inf", "-inf",
 * "nan" for non-finite values. Returns buf. */
char *hpolab_pyfloat(double x, char buf[HPOLAB_PYFLOAT_BUFSIZE]);

/* The same, but non-finite values as JSON tokens Python's json module writes:
 * "NaN", "Infinity", "-Infinity". */
char *hpolab_pyfloat_json(double x, char buf[HPOLAB_PYFLOAT_BUFSIZE]);

#endif
