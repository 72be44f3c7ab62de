#include "diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void hpolab_diag_add(struct hpolab_diag *diag, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *line = NULL;
    if (vasprintf(&line, fmt, ap) < 0)
        line = NULL;
    va_end(ap);
    if (diag->count == diag->cap) {
        size_t cap = diag->cap ? diag->cap * 2 : 8;
        char **lines = realloc(diag->lines, cap * sizeof *lines);
        if (!lines) {
            free(line);
            return;
        }
        diag->lines = lines;
        diag->cap = cap;
    }
    diag->lines[diag->count++] = line; /* NULL if vasprintf failed */
}

void hpolab_diag_free(struct hpolab_diag *diag)
{
    for (size_t i = 0; i < diag->count; i++)
        free(diag->lines[i]);
    free(diag->lines);
    diag->lines = NULL;
    diag->count = diag->cap = 0;
}
