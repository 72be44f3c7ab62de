#include "pyfloat.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Shortest decimal digits d1d2...dn and exponent e with x = 0.d1...dn * 10^e
 * (Python's "decpt"), found by trying increasing precision until the text
 * reads back as x. */
static void shortest_digits(double x, char digits[20], int *decpt)
{
    char tmp[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*e", prec - 1, x);
        if (strtod(tmp, NULL) == x || prec == 17)
            break;
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
