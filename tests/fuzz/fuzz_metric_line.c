/* Fuzz target: a line of a trial's std.out (the [tune-metric] report
 * parser), and the same bytes as a bare report object. */
#include <stddef.h>
#include <stdint.h>

#include "metric_line.h"
#include "record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct hpolab_record rec;
    struct hpolab_error err;
    int found = 0;
    /* rec is initialised on every path, empty unless a report was read */
    hpolab_metric_line_parse((const char *)data, size, &rec, &found, &err);
    hpolab_record_free(&rec);
    hpolab_metric_json_parse((const char *)data, size, &rec, &err);
    hpolab_record_free(&rec);
    return 0;
}
