/* sm_json.h: the little JSON the sagemaker backend needs, without jansson
 * (plugins link only libc): a parser into a tree for the answers of
 * SageMaker and CloudWatch Logs, and a text builder for requests. */
#ifndef HPOLAB_SM_JSON_H
#define HPOLAB_SM_JSON_H

#include <stddef.h>
#include <stdint.h>

#define SM_JSON_NULL 0
#define SM_JSON_BOOL 1
#define SM_JSON_NUMBER 2
#define SM_JSON_STRING 3
#define SM_JSON_ARRAY 4
#define SM_JSON_OBJECT 5

struct sm_json {
    int type;
    double number;       /* NUMBER; BOOL: 0 or 1 */
    char *string;        /* STRING (UTF-8, NUL-terminated); owned */
    char **keys;         /* OBJECT: n keys; owned */
    struct sm_json *items; /* ARRAY / OBJECT: n values; owned */
    size_t n;
};

/* Parse text (one JSON value, surrounding whitespace allowed). Returns 0,
 * or -1 with a short reason in why (why_size bytes). *out is always
 * initialised; free it with sm_json_free. */
int sm_json_parse(const char *text, struct sm_json *out, char *why,
                  size_t why_size);
void sm_json_free(struct sm_json *v);
/* Member of an object, NULL when absent or v is not an object. */
const struct sm_json *sm_json_get(const struct sm_json *v, const char *key);
/* The string of member key, NULL when absent or not a string. */
const char *sm_json_str(const struct sm_json *v, const char *key);

/* A growing text buffer; on out of memory it stays failed (oom = 1) and
 * every later append is a no-op, so callers check once at the end. */
struct sm_buf {
    char *data; /* owned, NUL-terminated when len > 0 */
    size_t len, cap;
    int oom;
};
void sm_buf_add(struct sm_buf *b, const char *s, size_t n);
void sm_buf_puts(struct sm_buf *b, const char *s);
void sm_buf_printf(struct sm_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* s as a JSON string literal, quotes included. */
void sm_buf_json_str(struct sm_buf *b, const char *s);
void sm_buf_free(struct sm_buf *b);

#endif
