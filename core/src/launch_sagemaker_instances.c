/* launch_sagemaker_instances.c: the instance-type table
 * (launch_sagemaker_instances.inc) and its CSV override. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "launch_sagemaker.h"

static const struct hpolab_sm_instance builtin[] = {
#include "launch_sagemaker_instances.inc"
};

/* one row read from HPOLAB_SAGEMAKER_PRICES (last match wins) */
static struct hpolab_sm_instance override;
static char override_type[64];

static const struct hpolab_sm_instance *from_csv(const char *type)
{
    const char *path = getenv("HPOLAB_SAGEMAKER_PRICES");
    FILE *fp = path && path[0] ? fopen(path, "r") : NULL;
    if (!fp)
        return NULL;
    char line[256];
    int found = 0;
    while (fgets(line, sizeof line, fp)) {
        char t[64];
        int cpus, gpus;
        double price;
        if (sscanf(line, " %63[^, ] , %d , %d , %lf", t, &cpus, &gpus,
                   &price) == 4 &&
            strcmp(t, type) == 0 && cpus >= 0 && gpus >= 0 && price >= 0) {
            snprintf(override_type, sizeof override_type, "%s", t);
            override.type = override_type;
            override.vcpus = cpus;
            override.gpus = gpus;
            override.price_per_hour = price;
            found = 1;
        }
    }
    fclose(fp);
    return found ? &override : NULL;
}

const struct hpolab_sm_instance *hpolab_sm_instance_find(const char *type)
{
    if (!type)
        return NULL;
    const struct hpolab_sm_instance *o = from_csv(type);
    if (o)
        return o;
    for (size_t i = 0; i < sizeof builtin / sizeof builtin[0]; i++)
        if (strcmp(builtin[i].type, type) == 0)
            return &builtin[i];
    return NULL;
}
