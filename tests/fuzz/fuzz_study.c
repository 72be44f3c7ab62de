/* Fuzz target: a study file, both phases (parse, then resolve with no
 * command-line arguments), presets applied from an empty set. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "fuzz_memfd.h"

#include "diag.h"
#include "preset.h"
#include "study.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    int fd = fuzz_memfd("study.json", data, size, path, sizeof path);
    if (fd < 0)
        return 0;
    json_t *cli = json_object();
    struct hpolab_study *s = NULL;
    struct hpolab_diag d = {0};
    if (hpolab_study_load(path, cli, &s, &d) == HPOLAB_OK) {
        struct hpolab_presets none;
        hpolab_presets_init(&none);
        hpolab_study_apply_presets(s, &none, &d);
        hpolab_study_free(s);
    }
    hpolab_diag_free(&d);
    json_decref(cli);
    close(fd);
    return 0;
}
