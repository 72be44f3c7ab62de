/* cli_options.h: the option parser of hpolab's subcommands: "--name value"
 * and "--name=value", strict (unknown options are errors unless the command
 * collects them as extras), one positional argument. */
#ifndef HPOLAB_TOOLS_CLI_OPTIONS_H
#define HPOLAB_TOOLS_CLI_OPTIONS_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#define CLI_STRING 0
#define CLI_INT 1
#define CLI_DOUBLE 2
#define CLI_BOOL 3 /* yes/true/t/y/1, no/false/f/n/0 (any case) */
#define CLI_FLAG 4 /* no value */

struct cli_option {
    const char *name; /* without "--" */
    int type;
    const char *metavar;
    const char *help;
};

struct cli_parser {
    const struct cli_option *options; /* ends with {NULL} */
    json_t *extra;      /* unknown --name value pairs go here (name ->
                           string); NULL: unknown options are errors */
    const char *command; /* for messages, e.g. "hpolab run" */
    /* results */
    json_t *values;     /* owned: name -> typed value */
    const char *positional;
    int help;
};

/* Returns 0, or 2 after printing one line naming the bad option. */
int cli_parse(struct cli_parser *p, int argc, char **argv);
/* 0 when absent (out unchanged). Valid until cli_free. */
int cli_get_string(const struct cli_parser *p, const char *name,
                   const char **out);
int cli_get_int(const struct cli_parser *p, const char *name, int64_t *out);
int cli_get_double(const struct cli_parser *p, const char *name, double *out);
int cli_get_bool(const struct cli_parser *p, const char *name, int64_t *out);
/* Options that must not be negative; returns 0 or 2 after a message. */
int cli_check_ranges(const struct cli_parser *p);
void cli_options_print(FILE *out, const struct cli_option *options);
/* Parses a boolean word; -1 if it is none. */
int cli_parse_bool(const char *text);
void cli_free(struct cli_parser *p);
/* The log level of a command: HPOLAB_LOG_LEVEL (error, warn, info or
 * debug) when set, so a launched job inherits it; else info with --verbose,
 * warn without. An unknown value is said once on stderr and ignored. */
int32_t cli_log_level(int64_t verbose);

#endif
