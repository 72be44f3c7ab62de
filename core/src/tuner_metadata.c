/* tuner_metadata.c: metadata.json, written once when tuning starts, so it
 * exists even for experiments that crash (framework reference §2.8). */
#include <stdlib.h>

#include "clock.h"
#include "json_py.h"
#include "log.h"
#include "metadata.h"
#include "space.h"
#include "tuner_internal.h"

/* Set key, warning when it overwrites a user key (as Syne Tune does). */
static int set_key(json_t *md, const char *key, json_t *value)
{
    if (!value)
        return -1;
    if (json_object_get(md, key))
        hpolab_logf(HPOLAB_LOG_WARN,
                    "metadata key '%s' is set by the tuner; the study's value "
                    "is replaced",
                    key);
    return json_object_set_new(md, key, value);
}

int32_t hpolab_tuner_write_metadata(struct hpolab_tuner *t,
                                    struct hpolab_error *err)
{
    json_t *md = t->o.metadata ? json_deep_copy(t->o.metadata) : json_object();
    if (!md)
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    json_t *space_json = hpolab_space_to_syne_json(t->o.space);
    /* Syne Tune writes this string with json.dumps: the same text here */
    char *space_text = space_json ? hpolab_json_dumps_py(space_json) : NULL;
    json_decref(space_json);
    int rc = 0;
    rc |= set_key(md, "st_tuner_creation_timestamp",
                  json_real(t->creation_timestamp));
    rc |= set_key(md, "entrypoint",
                  json_string(t->o.entrypoint_stem ? t->o.entrypoint_stem
                                                   : "entrypoint"));
    rc |= set_key(md, "backend", json_string(t->o.backend));
    rc |= set_key(md, "metric_names", json_pack("[s]", t->o.metric));
    rc |= set_key(md, "metric_mode",
                  json_string(t->o.mode == HPOLAB_MODE_MAX ? "max" : "min"));
    rc |= set_key(md, "scheduler_name", json_string(t->o.scheduler));
    rc |= set_key(md, "searcher_name", json_string(t->o.searcher));
    rc |= set_key(md, "config_space", space_text ? json_string(space_text) : NULL);
    rc |= set_key(md, "st_tuner_start_timestamp", json_real(hpolab_wall_time()));
    free(space_text);
    int32_t st;
    if (rc != 0)
        st = hpolab_error_set(err, HPOLAB_ERR_NOMEM,
                              "cannot build metadata.json: out of memory");
    else
        st = hpolab_metadata_write(t->o.experiment_dir, md, err);
    json_decref(md);
    return st;
}
