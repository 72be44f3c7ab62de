/* aws_sagemaker_parse.c: DescribeTrainingJob / ListTrainingJobs answers
 * (aws_sagemaker_parse.h). */
#include "aws_sagemaker_parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const statuses[] = {"InProgress", "Completed", "Failed",
                                       "Stopping",   "Stopped",   "Deleting",
                                       NULL};

int hpolab_sm_status_is_final(const char *s)
{
    return s && (!strcmp(s, "Completed") || !strcmp(s, "Failed") ||
                 !strcmp(s, "Stopped"));
}

static void copy(char *dst, size_t size, const json_t *v)
{
    snprintf(dst, size, "%s", json_is_string(v) ? json_string_value(v) : "");
}

/* epoch seconds of member key, 0 when absent; -1 when not a number */
static double number(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    if (!v)
        return 0;
    return json_is_number(v) ? json_number_value(v) : -1;
}

static int32_t read_job(const json_t *j, struct hpolab_sm_job_info *out,
                        const char *where, struct hpolab_error *err)
{
    memset(out, 0, sizeof *out);
    out->billable_s = -1;
    if (!json_is_object(j))
        return hpolab_error_set(err, HPOLAB_ERR_PARSE,
                                "%s: expected a JSON object", where);
    const json_t *name = json_object_get(j, "TrainingJobName");
    const json_t *st = json_object_get(j, "TrainingJobStatus");
    if (!json_is_string(name) || !json_string_value(name)[0] ||
        strlen(json_string_value(name)) > HPOLAB_SM_NAME_MAX)
        return hpolab_error_set(err, HPOLAB_ERR_PARSE,
                                "%s: TrainingJobName: expected a string of "
                                "1-%d characters",
                                where, HPOLAB_SM_NAME_MAX);
    int known = 0;
    for (size_t i = 0; json_is_string(st) && statuses[i]; i++)
        known |= !strcmp(statuses[i], json_string_value(st));
    if (!known)
        return hpolab_error_set(err, HPOLAB_ERR_PARSE,
                                "%s: TrainingJobStatus: expected one of "
                                "InProgress, Completed, Failed, Stopping, "
                                "Stopped, Deleting",
                                where);
    copy(out->name, sizeof out->name, name);
    copy(out->status, sizeof out->status, st);
    copy(out->secondary, sizeof out->secondary,
         json_object_get(j, "SecondaryStatus"));
    copy(out->failure, sizeof out->failure,
         json_object_get(j, "FailureReason"));
    copy(out->instance_type, sizeof out->instance_type,
         json_object_get(json_object_get(j, "ResourceConfig"),
                         "InstanceType"));
    static const char *const times[] = {"CreationTime", "TrainingStartTime",
                                        "TrainingEndTime"};
    double *dst[] = {&out->creation, &out->start, &out->end};
    for (size_t i = 0; i < 3; i++) {
        double t = number(j, times[i]);
        if (t < 0)
            return hpolab_error_set(err, HPOLAB_ERR_PARSE,
                                    "%s: %s: expected epoch seconds (a "
                                    "number >= 0)",
                                    where, times[i]);
        *dst[i] = t;
    }
    const json_t *b = json_object_get(j, "BillableTimeInSeconds");
    if (b) {
        double v = json_is_number(b) ? json_number_value(b) : -1;
        if (!(v >= 0 && v < 1e12))
            return hpolab_error_set(err, HPOLAB_ERR_PARSE,
                                    "%s: BillableTimeInSeconds: expected a "
                                    "number >= 0",
                                    where);
        out->billable_s = (int64_t)v;
    }
    return HPOLAB_OK;
}

int32_t hpolab_sm_parse_describe_json(const json_t *j,
                                      struct hpolab_sm_job_info *out,
                                      struct hpolab_error *err)
{
    return read_job(j, out, "DescribeTrainingJob answer", err);
}

static json_t *load(const char *text, size_t len, const char *what,
                    struct hpolab_error *err)
{
    json_error_t je;
    json_t *j = json_loadb(text, len, 0, &je);
    if (!j)
        hpolab_error_set(err, HPOLAB_ERR_PARSE, "%s: line %d: %s", what,
                         je.line, je.text);
    return j;
}

int32_t hpolab_sm_parse_describe(const char *text, size_t len,
                                 struct hpolab_sm_job_info *out,
                                 struct hpolab_error *err)
{
    json_t *j = load(text, len, "DescribeTrainingJob answer", err);
    if (!j)
        return HPOLAB_ERR_PARSE;
    int32_t st = hpolab_sm_parse_describe_json(j, out, err);
    json_decref(j);
    return st;
}

int32_t hpolab_sm_parse_list_json(const json_t *j,
                                  struct hpolab_sm_job_list *list,
                                  char **next_token, struct hpolab_error *err)
{
    *next_token = NULL;
    const json_t *arr = json_object_get(j, "TrainingJobSummaries");
    if (!json_is_array(arr))
        return hpolab_error_set(err, HPOLAB_ERR_PARSE,
                                "ListTrainingJobs answer: "
                                "TrainingJobSummaries: expected an array");
    const json_t *tok = json_object_get(j, "NextToken");
    if (tok && !json_is_string(tok) && !json_is_null(tok))
        return hpolab_error_set(err, HPOLAB_ERR_PARSE,
                                "ListTrainingJobs answer: NextToken: "
                                "expected a string");
    size_t i;
    const json_t *v;
    json_array_foreach(arr, i, v)
    {
        if (list->n == list->cap) {
            size_t cap = list->cap ? 2 * list->cap : 16;
            void *p = realloc(list->items, cap * sizeof *list->items);
            if (!p)
                return hpolab_error_set(err, HPOLAB_ERR_NOMEM,
                                        "out of memory");
            list->items = p;
            list->cap = cap;
        }
        char where[96];
        snprintf(where, sizeof where,
                 "ListTrainingJobs answer: TrainingJobSummaries[%zu]", i);
        int32_t st = read_job(v, &list->items[list->n], where, err);
        if (st != HPOLAB_OK)
            return st;
        list->n++;
    }
    if (json_is_string(tok) && json_string_value(tok)[0]) {
        *next_token = strdup(json_string_value(tok));
        if (!*next_token)
            return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    }
    return HPOLAB_OK;
}

int32_t hpolab_sm_parse_list(const char *text, size_t len,
                             struct hpolab_sm_job_list *list,
                             char **next_token, struct hpolab_error *err)
{
    *next_token = NULL;
    json_t *j = load(text, len, "ListTrainingJobs answer", err);
    if (!j)
        return HPOLAB_ERR_PARSE;
    int32_t st = hpolab_sm_parse_list_json(j, list, next_token, err);
    json_decref(j);
    return st;
}

void hpolab_sm_job_list_free(struct hpolab_sm_job_list *list)
{
    free(list->items);
    memset(list, 0, sizeof *list);
}
