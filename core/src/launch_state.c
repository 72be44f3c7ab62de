/* launch_state.c: see launch_state.h. */
#include "launch_state.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"

static const char *const names[HPOLAB_SLICE_STATE_COUNT] = {
    "pending", "running", "done", "failed", "cancelled", "unknown"};

const char *hpolab_slice_state_name(int32_t state)
{
    return state >= 0 && state < HPOLAB_SLICE_STATE_COUNT ? names[state]
                                                          : "unknown";
}

int hpolab_slice_state_is_final(int32_t state)
{
    return state == HPOLAB_SLICE_DONE || state == HPOLAB_SLICE_FAILED ||
           state == HPOLAB_SLICE_CANCELLED;
}

void hpolab_job_state_init(struct hpolab_job_state *s)
{
    memset(s, 0, sizeof *s);
    s->state = HPOLAB_SLICE_PENDING;
    s->exit_code = -1;
}

static void copy_str(char *dst, size_t size, const json_t *v)
{
    const char *s = json_string_value(v);
    snprintf(dst, size, "%s", s ? s : "");
}

int32_t hpolab_job_state_read(const char *path, struct hpolab_job_state *s,
                              struct hpolab_error *err)
{
    hpolab_job_state_init(s);
    char *text = NULL;
    int32_t st = hpolab_read_file(path, &text, NULL, err);
    if (st != HPOLAB_OK)
        return st;
    json_error_t jerr;
    json_t *doc = json_loads(text, 0, &jerr);
    free(text);
    if (!json_is_object(doc)) {
        json_decref(doc);
        return hpolab_error_set(err, HPOLAB_ERR_PARSE,
                                "%s: expected a JSON object (%s)", path,
                                doc ? "not an object" : jerr.text);
    }
    const char *state = json_string_value(json_object_get(doc, "state"));
    s->state = HPOLAB_SLICE_UNKNOWN;
    for (int32_t i = 0; state && i < HPOLAB_SLICE_STATE_COUNT; i++)
        if (strcmp(state, names[i]) == 0)
            s->state = i;
    s->start = json_number_value(json_object_get(doc, "start"));
    s->end = json_number_value(json_object_get(doc, "end"));
    json_t *code = json_object_get(doc, "exit_code");
    s->exit_code = json_is_integer(code) ? (int32_t)json_integer_value(code)
                                         : -1;
    s->pid = (int64_t)json_integer_value(json_object_get(doc, "pid"));
    s->pid_start =
        (uint64_t)json_integer_value(json_object_get(doc, "pid_start"));
    copy_str(s->host, sizeof s->host, json_object_get(doc, "host"));
    copy_str(s->job_id, sizeof s->job_id, json_object_get(doc, "job_id"));
    copy_str(s->message, sizeof s->message, json_object_get(doc, "message"));
    json_decref(doc);
    return HPOLAB_OK;
}

int32_t hpolab_job_state_write(const char *path,
                               const struct hpolab_job_state *s,
                               struct hpolab_error *err)
{
    json_t *doc = json_pack(
        "{s:s, s:f, s:f, s:i, s:I, s:I, s:s, s:s, s:s}", "state",
        hpolab_slice_state_name(s->state), "start", s->start, "end", s->end,
        "exit_code", s->exit_code, "pid", (json_int_t)s->pid, "pid_start",
        (json_int_t)s->pid_start, "host", s->host, "job_id", s->job_id,
        "message", s->message);
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    if (!text)
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM,
                                "%s: out of memory", path);
    int32_t st = hpolab_write_file_atomic(path, text, strlen(text), err);
    free(text);
    return st;
}

void hpolab_job_state_set_self(struct hpolab_job_state *s)
{
    s->pid = (int64_t)getpid();
    s->pid_start = hpolab_process_start_ticks(s->pid);
    if (gethostname(s->host, sizeof s->host) != 0)
        s->host[0] = '\0';
    s->host[sizeof s->host - 1] = '\0';
}

uint64_t hpolab_process_start_ticks(int64_t pid)
{
    if (pid <= 0)
        return 0;
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%lld/stat", (long long)pid);
    FILE *fp = fopen(path, "re");
    if (!fp)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    /* The command name (field 2) may hold spaces and parentheses: fields
     * are counted after its closing parenthesis. */
    char *p = strrchr(buf, ')');
    if (!p || p[1] != ' ')
        return 0;
    p += 2;
    if (*p == 'Z' || *p == 'X') /* zombie or dead: not running any more */
        return 0;
    unsigned long long ticks = 0;
    /* field 3 is the state; field 22 is starttime */
    int field = 3;
    while (*p && field < 22) {
        if (*p++ == ' ')
            field++;
    }
    if (field != 22 || sscanf(p, "%llu", &ticks) != 1)
        return 0;
    return (uint64_t)ticks;
}

int hpolab_job_state_process_alive(const struct hpolab_job_state *s)
{
    if (s->pid <= 0)
        return -1;
    char host[256];
    if (gethostname(host, sizeof host) != 0)
        return -1;
    host[sizeof host - 1] = '\0';
    if (s->host[0] && strcmp(host, s->host) != 0)
        return -1;
    uint64_t ticks = hpolab_process_start_ticks(s->pid);
    return ticks != 0 && (s->pid_start == 0 || ticks == s->pid_start);
}
