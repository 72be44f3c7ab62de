#include "cli_options.h"

#include <hpolab/types.h>

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int cli_parse_bool(const char *text)
{
    static const char *const yes[] = {"yes", "true", "t", "y", "1"};
    static const char *const no[] = {"no", "false", "f", "n", "0"};
    for (size_t i = 0; i < 5; i++) {
        if (strcasecmp(text, yes[i]) == 0)
            return 1;
        if (strcasecmp(text, no[i]) == 0)
            return 0;
    }
    return -1;
}

static const struct cli_option *find(const struct cli_option *opts,
                                     const char *name, size_t len)
{
    for (; opts->name; opts++)
        if (strlen(opts->name) == len && strncmp(opts->name, name, len) == 0)
            return opts;
    return NULL;
}

static int bad(const struct cli_parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int bad(const struct cli_parser *p, const char *fmt, ...)
{
    fprintf(stderr, "%s: ", p->command ? p->command : "hpolab");
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return 2;
}

static int store(struct cli_parser *p, const struct cli_option *o,
                 const char *value)
{
    char *end;
    json_t *v = NULL;
    switch (o->type) {
    case CLI_STRING: v = json_string(value); break;
    case CLI_INT: {
        errno = 0;
        long long x = strtoll(value, &end, 10);
        if (errno || end == value || *end)
            return bad(p, "--%s: expected an integer, got '%s'", o->name,
                       value);
        v = json_integer(x);
        break;
    }
    case CLI_DOUBLE: {
        errno = 0;
        double x = strtod(value, &end);
        if (errno || end == value || *end || !isfinite(x))
            return bad(p, "--%s: expected a number, got '%s'", o->name, value);
        v = json_real(x);
        break;
    }
    case CLI_BOOL: {
        int b = cli_parse_bool(value);
        if (b < 0)
            return bad(p,
                       "--%s: expected yes/true/t/y/1 or no/false/f/n/0, got "
                       "'%s'",
                       o->name, value);
        v = json_boolean(b);
        break;
    }
    default: v = json_true(); break;
    }
    json_object_set_new(p->values, o->name, v);
    return 0;
}

int cli_parse(struct cli_parser *p, int argc, char **argv)
{
    p->values = json_object();
    p->positional = NULL;
    p->help = 0;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            p->help = 1;
            continue;
        }
        if (strncmp(arg, "--", 2) != 0) {
            if (p->positional)
                return bad(p, "unexpected argument '%s' (after '%s')", arg,
                           p->positional);
            p->positional = arg;
            continue;
        }
        const char *name = arg + 2;
        const char *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        const struct cli_option *o = find(p->options, name, len);
        const char *value = eq ? eq + 1 : NULL;
        if (o && o->type == CLI_FLAG) {
            if (value)
                return bad(p, "--%s takes no value", o->name);
            store(p, o, "");
            continue;
        }
        if (!value) {
            if (i + 1 >= argc)
                return bad(p, "%s needs a value", arg);
            value = argv[++i];
        }
        if (o) {
            int rc = store(p, o, value);
            if (rc)
                return rc;
        } else if (p->extra && len > 0) {
            char key[256];
            snprintf(key, sizeof key, "%.*s", (int)len, name);
            json_object_set_new(p->extra, key, json_string(value));
        } else {
            return bad(p, "unknown option '%s' (see --help)", arg);
        }
    }
    return 0;
}

int cli_get_string(const struct cli_parser *p, const char *name,
                   const char **out)
{
    json_t *v = json_object_get(p->values, name);
    if (!json_is_string(v))
        return 0;
    *out = json_string_value(v);
    return 1;
}

int cli_get_int(const struct cli_parser *p, const char *name, int64_t *out)
{
    json_t *v = json_object_get(p->values, name);
    if (!json_is_integer(v))
        return 0;
    *out = json_integer_value(v);
    return 1;
}

int cli_get_double(const struct cli_parser *p, const char *name, double *out)
{
    json_t *v = json_object_get(p->values, name);
    if (!json_is_number(v))
        return 0;
    *out = json_number_value(v);
    return 1;
}

int cli_get_bool(const struct cli_parser *p, const char *name, int64_t *out)
{
    json_t *v = json_object_get(p->values, name);
    if (!json_is_boolean(v))
        return 0;
    *out = json_is_true(v);
    return 1;
}

int cli_check_ranges(const struct cli_parser *p)
{
    const char *key;
    json_t *v;
    json_object_foreach(p->values, key, v)
    {
        if (json_is_number(v) && json_number_value(v) < 0)
            return bad(p, "--%s must not be negative, got %s", key,
                       json_is_integer(v) ? "a negative integer"
                                          : "a negative number");
    }
    return 0;
}

void cli_options_print(FILE *out, const struct cli_option *options)
{
    for (const struct cli_option *o = options; o->name; o++) {
        char left[64];
        snprintf(left, sizeof left, "--%s%s%s", o->name,
                 o->metavar ? " " : "", o->metavar ? o->metavar : "");
        fprintf(out, "  %-28s %s\n", left, o->help);
    }
    fprintf(out, "  %-28s %s\n", "--help", "show this help");
}

void cli_free(struct cli_parser *p)
{
    json_decref(p->values);
    p->values = NULL;
}

int32_t cli_log_level(int64_t verbose)
{
    static const char *const names[] = {"error", "warn", "info", "debug"};
    const char *env = getenv("HPOLAB_LOG_LEVEL");
    if (env && *env) {
        for (int32_t i = 0; i < 4; i++)
            if (strcmp(env, names[i]) == 0)
                return HPOLAB_LOG_ERROR + i;
        fprintf(stderr, "hpolab: HPOLAB_LOG_LEVEL: expected error, warn, "
                        "info or debug, got '%s'; ignored\n",
                env);
    }
    return verbose ? HPOLAB_LOG_INFO : HPOLAB_LOG_WARN;
}
