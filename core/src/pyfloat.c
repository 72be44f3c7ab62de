#include "pyfloat.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The text one unit in the last digit up (dir 1) or down (-1) from tmp,
 * "d.ddde[+-]XX", into out. 0 if the step changes the number of digits: such
 * a value is shorter and was tried at a lower precision already. */
static int step_last_digit(const char *tmp, int dir, char out[40])
{
    unsigned long long m = 0, lo = 1;
    const char *p = tmp;
    for (; *p && *p != 'e'; p++) {
        if (*p >= '0' && *p <= '9') {
            m = m * 10 + (unsigned long long)(*p - '0');
            lo *= 10;
        }
    }
    lo /= 10; /* smallest mantissa with this many digits */
    if ((dir < 0 && m == lo) || (dir > 0 && m + 1 == lo * 10))
        return 0;
    char d[24];
    snprintf(d, sizeof d, "%llu", dir > 0 ? m + 1 : m - 1);
    snprintf(out, 40, "%c.%se%s", d[0], d + 1, p + 1);
    return 1;
}

/* Shortest decimal digits d1d2...dn and exponent e with x = 0.d1...dn * 10^e
 * (Python's "decpt"), found by trying increasing precision until the text
 * reads back as x.
 * Starting at 15 digits is enough for normal numbers: if the shortest text
 * has k <= 15 digits, x lies within an ulp of it, much closer than half a
 * step of the 15-digit grid, so rounding x to 15 digits gives those k digits
 * followed by zeros (stripped below). This saves up to 14 snprintf/strtod
 * pairs per number, which dominated writing large results tables.
 * Subnormals carry fewer bits, so their search starts at one digit.
 * At a power of two the values that read back as x reach twice as far above
 * x as below, so the nearest 16-digit text may miss while its neighbour above
 * hits; Python prints that neighbour (2**-24 -> 5.960464477539063e-08). */
static void shortest_digits(double x, char digits[20], int *decpt)
{
    char tmp[40], alt[40];
    for (int prec = x < DBL_MIN ? 1 : 15; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*e", prec - 1, x);
        if (strtod(tmp, NULL) == x || prec == 17)
            break;
        if (prec == 16 && ((step_last_digit(tmp, 1, alt) &&
                            strtod(alt, NULL) == x) ||
                           (step_last_digit(tmp, -1, alt) &&
                            strtod(alt, NULL) == x))) {
            memcpy(tmp, alt, sizeof tmp);
            break;
        }
    }
    /* tmp is "d.ddde[+-]XX" (x > 0 here) */
    int n = 0;
    const char *p = tmp;
    for (; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9')
            digits[n++] = *p;
    while (n > 1 && digits[n - 1] == '0')
        n--;
    digits[n] = '\0';
    *decpt = atoi(p + 1) + 1;
}

char *hpolab_pyfloat(double x, char buf[HPOLAB_PYFLOAT_BUFSIZE])
{
    if (isnan(x)) {
        strcpy(buf, "nan");
        return buf;
    }
    if (isinf(x)) {
        strcpy(buf, x > 0 ? "inf" : "-inf");
        return buf;
    }
    char *out = buf;
    if (signbit(x)) {
        *out++ = '-';
        x = -x;
    }
    if (x == 0.0) {
        strcpy(out, "0.0");
        return buf;
    }
    char digits[20];
    int decpt;
    shortest_digits(x, digits, &decpt);
    int n = (int)strlen(digits);
    int exp10 = decpt - 1;
    if (exp10 < -4 || exp10 >= 16) {
        /* d[.ddd]e[+-]XX with at least two exponent digits */
        *out++ = digits[0];
        if (n > 1) {
            *out++ = '.';
            memcpy(out, digits + 1, (size_t)(n - 1));
            out += n - 1;
        }
        snprintf(out, 8, "e%c%02d", exp10 < 0 ? '-' : '+', abs(exp10));
    } else if (decpt <= 0) {
        *out++ = '0';
        *out++ = '.';
        for (int i = 0; i < -decpt; i++)
            *out++ = '0';
        memcpy(out, digits, (size_t)n);
        out[n] = '\0';
    } else if (decpt >= n) {
        memcpy(out, digits, (size_t)n);
        out += n;
        for (int i = n; i < decpt; i++)
            *out++ = '0';
        strcpy(out, ".0");
    } else {
        memcpy(out, digits, (size_t)decpt);
        out += decpt;
        *out++ = '.';
        memcpy(out, digits + decpt, (size_t)(n - decpt));
        out[n - decpt] = '\0';
    }
    return buf;
}

char *hpolab_pyfloat_json(double x, char buf[HPOLAB_PYFLOAT_BUFSIZE])
{
    if (isnan(x))
        strcpy(buf, "NaN");
    else if (isinf(x))
        strcpy(buf, x > 0 ? "Infinity" : "-Infinity");
    else
        hpolab_pyfloat(x, buf);
    return buf;
}
