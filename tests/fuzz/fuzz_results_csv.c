/* Fuzz target: results.csv text, and a round trip of what it parsed (to
 * CSV and back must give the same table). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "results_csv.h"
#include "results_table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct hpolab_results *r = NULL;
    struct hpolab_error err;
    if (hpolab_results_from_csv((const char *)data, size, "results.csv", &r,
                                &err) != HPOLAB_OK)
        return 0;
    char *text = NULL;
    size_t len = 0;
    if (hpolab_results_to_csv(r, &text, &len, &err) == HPOLAB_OK) {
        struct hpolab_results *again = NULL;
        if (hpolab_results_from_csv(text, len, "again", &again, &err) !=
            HPOLAB_OK)
            abort(); /* what we write, we must read */
        char *text2 = NULL;
        size_t len2 = 0;
        if (hpolab_results_to_csv(again, &text2, &len2, &err) != HPOLAB_OK ||
            len2 != len || memcmp(text, text2, len) != 0)
            abort(); /* and it reads back to the same table */
        free(text2);
        hpolab_results_free(again);
        free(text);
    }
    hpolab_results_free(r);
    return 0;
}
