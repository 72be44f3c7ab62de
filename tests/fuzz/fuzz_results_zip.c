/* Fuzz target: a results.csv.zip file (any bytes: a damaged archive, a
 * foreign one, plain CSV) read through the same path as `hpolab plot`. */
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "fuzz_memfd.h"

#include "results_table.h"
#include "results_zip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    int fd = fuzz_memfd("results.csv.zip", data, size, path, sizeof path);
    if (fd < 0)
        return 0;
    struct hpolab_results *r = NULL;
    struct hpolab_error err;
    if (hpolab_results_read(path, &r, &err) == HPOLAB_OK)
        hpolab_results_free(r);
    close(fd);
    return 0;
}
