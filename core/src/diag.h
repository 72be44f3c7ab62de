/* diag.h: a list of diagnostics, for validations that report every problem
 * at once (study files) rather than stopping at the first. */
#ifndef HPOLAB_CORE_DIAG_H
#define HPOLAB_CORE_DIAG_H

#include <hpolab/abi.h>
#include <stddef.h>

struct hpolab_diag {
    char **lines; /* owned */
    size_t count;
    size_t cap;
};

/* Append one formatted line (no trailing newline). Out of memory is dropped
 * silently but counted, so count stays right. */
void hpolab_diag_add(struct hpolab_diag *diag, const char *fmt, ...)
    HPOLAB_PRINTF(2, 3);
void hpolab_diag_free(struct hpolab_diag *diag);

#endif
