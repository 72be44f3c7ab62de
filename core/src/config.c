#include "config.h"

#include <stdlib.h>

struct hpolab_config *hpolab_config_new(void)
{
    struct hpolab_config *c = malloc(sizeof *c);
    if (c)
        hpolab_record_init(&c->rec);
    return c;
}

struct hpolab_config *hpolab_config_dup(const struct hpolab_config *c)
{
    if (!c)
        return NULL;
    struct hpolab_config *d = malloc(sizeof *d);
    if (!d)
        return NULL;
    if (hpolab_record_copy(&d->rec, &c->rec) != HPOLAB_OK) {
        free(d);
        return NULL;
    }
    return d;
}

void hpolab_config_free(struct hpolab_config *c)
{
    if (!c)
        return;
    hpolab_record_free(&c->rec);
    free(c);
}
