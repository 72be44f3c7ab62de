/* study_space.c: a benchmark's config_space — kept as JSON (after $arg
 * substitution) and parsed into a struct hpolab_space. */
#include "study_internal.h"

int hpolab_study_config_space(struct hpolab_study_ctx *c, const char *path,
                              const json_t *v, json_t **json_out,
                              struct hpolab_space **space_out)
{
    if (!json_is_object(v)) {
        hpolab_study_expected(c, path,
                              "an object hyperparameter name -> domain or "
                              "constant",
                              v);
        return 0;
    }
    json_decref(*json_out);
    *json_out = json_incref((json_t *)v);
    *space_out = NULL;
    return 1;
}

void hpolab_study_space_free(struct hpolab_space *space)
{
    (void)space;
}
