/* Fuzz target: a study file, both phases (parse, then resolve with no
 * command-line arguments), presets applied from an empty set. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "diag.h"
#include "preset.h"
#include "study.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memfd_create("study.json", MFD_CLOEXEC);
    if (fd < 0)
        return 0;
    if (write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return 0;
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
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
