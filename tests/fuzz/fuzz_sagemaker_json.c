/* Fuzz target: SageMaker's DescribeTrainingJob and ListTrainingJobs answers
 * (aws_sagemaker_parse.h) as the launcher and `hpolab status` read them.
 * The first byte chooses the reader. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws_sagemaker_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    struct hpolab_error err;
    if (data[0] & 1) {
        struct hpolab_sm_job_info in;
        if (hpolab_sm_parse_describe(text, len, &in, &err) == HPOLAB_OK) {
            /* what the engine does with it */
            (void)hpolab_sm_status_is_final(in.status);
            if (strlen(in.name) > HPOLAB_SM_NAME_MAX)
                abort();
        }
    } else {
        struct hpolab_sm_job_list l = {0};
        char *tok = NULL;
        /* twice: pages append */
        for (int page = 0; page < 2; page++) {
            if (hpolab_sm_parse_list(text, len, &l, &tok, &err) != HPOLAB_OK)
                break;
            free(tok);
            tok = NULL;
        }
        for (size_t i = 0; i < l.n; i++)
            if (!l.items[i].name[0])
                abort();
        hpolab_sm_job_list_free(&l);
    }
    return 0;
}
