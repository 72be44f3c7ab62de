/* aws_ini.c: reader of the AWS shared config files (aws_ini.h). */
#include "aws_ini.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"

static char *trimmed(const char *s, size_t n)
{
    while (n > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        n--;
    return strndup(s, n);
}

int32_t hpolab_aws_ini_parse(const char *text, const char *what, json_t **out,
                             struct hpolab_error *err)
{
    json_t *root = json_object();
    json_t *section = NULL; /* borrowed */
    json_t *sub = NULL;     /* borrowed: the open "key =" sub-section */
    int32_t st = HPOLAB_OK;
    int line_no = 0;
    const char *p = text;
    while (root && *p && st == HPOLAB_OK) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        line_no++;
        int indented = len > 0 && (p[0] == ' ' || p[0] == '\t');
        char *line = trimmed(p, len);
        if (!line) {
            st = HPOLAB_ERR_NOMEM;
            break;
        }
        if (line[0] == '\0' || line[0] == '#' || line[0] == ';') {
            /* blank or comment */
        } else if (line[0] == '[') {
            char *close = strrchr(line, ']');
            if (!close) {
                st = hpolab_error_set(err, HPOLAB_ERR_PARSE,
                                      "%s: line %d: expected '[section]'",
                                      what, line_no);
            } else {
                char *name = trimmed(line + 1, (size_t)(close - line - 1));
                /* "profile   dev" and "profile dev" name the same section */
                if (name && strncmp(name, "profile", 7) == 0 &&
                    (name[7] == ' ' || name[7] == '\t')) {
                    char *rest = trimmed(name + 8, strlen(name + 8));
                    if (rest) {
                        snprintf(name, strlen(name) + 1, "profile %s", rest);
                        free(rest);
                    }
                }
                section = name ? json_object_get(root, name) : NULL;
                if (name && !section) {
                    section = json_object();
                    json_object_set_new(root, name, section);
                }
                sub = NULL;
                free(name);
            }
        } else {
            char *eq = strchr(line, '=');
            if (!eq || !section) {
                st = hpolab_error_set(
                    err, HPOLAB_ERR_PARSE,
                    "%s: line %d: expected 'key = value' inside a "
                    "[section]",
                    what, line_no);
            } else {
                char *key = trimmed(line, (size_t)(eq - line));
                char *val = trimmed(eq + 1, strlen(eq + 1));
                if (!key || !val) {
                    st = HPOLAB_ERR_NOMEM;
                } else if (indented && sub) {
                    json_object_set_new(sub, key, json_string(val));
                } else if (val[0] == '\0') {
                    sub = json_object();
                    json_object_set_new(section, key, sub);
                } else {
                    sub = NULL;
                    json_object_set_new(section, key, json_string(val));
                }
                free(key);
                free(val);
            }
        }
        free(line);
        p = e ? e + 1 : p + len;
    }
    if (!root || st == HPOLAB_ERR_NOMEM) {
        json_decref(root);
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "%s: out of memory",
                                what);
    }
    if (st != HPOLAB_OK) {
        json_decref(root);
        return st;
    }
    *out = root;
    return HPOLAB_OK;
}

int32_t hpolab_aws_ini_load(const char *path, json_t **out,
                            struct hpolab_error *err)
{
    char *data = NULL;
    size_t len = 0;
    struct hpolab_error rerr;
    if (hpolab_read_file(path, &data, &len, &rerr) != HPOLAB_OK) {
        if (access(path, F_OK) != 0) {
            *out = json_object();
            return *out ? HPOLAB_OK
                        : hpolab_error_set(err, HPOLAB_ERR_NOMEM,
                                           "out of memory");
        }
        return hpolab_error_set(err, HPOLAB_ERR_IO, "%s", rerr.message);
    }
    int32_t st = hpolab_aws_ini_parse(data, path, out, err);
    free(data);
    return st;
}
