/* Metric report lines: Syne Tune's regex \[tune-metric\]: (\{.*\}) and
 * Python's json.loads as the reference for what is accepted. Every input is
 * copied into a buffer of exactly its length (no terminator), so a read past
 * len is caught by the sanitizer build. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "metric_line.h"

struct parsed {
    int32_t status;
    int found;
    struct hpolab_record rec;
    struct hpolab_error err;
};

static struct parsed parse_n(const char *text, size_t len)
{
    struct parsed r;
    char *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    memcpy(copy, text, len);
    r.found = -1;
    hpolab_error_clear(&r.err);
    r.status = hpolab_metric_line_parse(copy, len, &r.rec, &r.found, &r.err);
    free(copy);
    return r;
}

static struct parsed parse(const char *text)
{
    return parse_n(text, strlen(text));
}

static const struct hpolab_value *get(const struct parsed *r, const char *k)
{
    const struct hpolab_value *v = hpolab_record_get(&r->rec, k);
    assert_non_null(v);
    return v;
}

/* The line must be a malformed report whose message contains each of the
 * given fragments (NULL-terminated). */
static void expect_malformed(const char *text, ...)
{
    struct parsed r = parse(text);
    assert_int_equal(r.found, 1);
    if (r.status != HPOLAB_ERR_PARSE)
        fail_msg("accepted: %s", text);
    assert_int_equal(r.rec.count, 0);
    va_list ap;
    va_start(ap, text);
    for (const char *frag; (frag = va_arg(ap, const char *));)
        if (!strstr(r.err.message, frag))
            fail_msg("line %s: message '%s' lacks '%s'", text, r.err.message,
                     frag);
    va_end(ap);
    hpolab_record_free(&r.rec);
}

static void test_syne_tune_report_line(void **state)
{
    struct parsed r = parse(
        "[tune-metric]: {\"epoch\": 1, \"val_loss\": 6.12, "
        "\"st_worker_timestamp\": 1700000123.456, \"st_worker_time\": 41.7, "
        "\"st_worker_iter\": 0}");
    assert_int_equal(r.status, HPOLAB_OK);
    assert_int_equal(r.found, 1);
    assert_int_equal(r.rec.count, 5);
    static const char *names[] = {"epoch", "val_loss", "st_worker_timestamp",
                                  "st_worker_time", "st_worker_iter"};
    for (int i = 0; i < 5; i++)
        assert_string_equal(r.rec.entries[i].name, names[i]);
    assert_int_equal(get(&r, "epoch")->type, HPOLAB_VALUE_INT);
    assert_int_equal(get(&r, "epoch")->u.i, 1);
    assert_int_equal(get(&r, "val_loss")->type, HPOLAB_VALUE_DOUBLE);
    assert_true(get(&r, "val_loss")->u.d == 6.12);
    assert_true(get(&r, "st_worker_timestamp")->u.d == 1700000123.456);
    assert_int_equal(get(&r, "st_worker_iter")->type, HPOLAB_VALUE_INT);
    hpolab_record_free(&r.rec);
}

static void test_no_tag_is_not_a_report(void **state)
{
    static const char *lines[] = {
        "", "epoch 1 loss 0.5", "{\"a\": 1}",
        "[tune-metric]:{\"a\": 1}",   /* no space */
        "[tune-metric] : {\"a\": 1}", "[TUNE-METRIC]: {\"a\": 1}",
        "tune-metric]: {\"a\": 1}",
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        struct parsed r = parse(lines[i]);
        assert_int_equal(r.status, HPOLAB_OK);
        assert_int_equal(r.found, 0);
        assert_int_equal(r.rec.count, 0);
        hpolab_record_free(&r.rec);
    }
}

static void test_text_before_the_tag(void **state)
{
    struct parsed r =
        parse("2024-01-01 12:00:00 INFO worker-3 [tune-metric]: {\"a\": 2}");
    assert_int_equal(r.status, HPOLAB_OK);
    assert_int_equal(r.found, 1);
    assert_int_equal(get(&r, "a")->u.i, 2);
    hpolab_record_free(&r.rec);
}

/* The capture is greedy to the last '}' of the line, as the regex is. */
static void test_greedy_capture(void **state)
{
    /* "[tune-metric]: " is 15 bytes; the object fills 15..22; 't' is 24 */
    expect_malformed("[tune-metric]: {\"a\": 1} trailing }",
                     "unexpected text after the end of the report object",
                     "at byte 24", NULL);
    expect_malformed("[tune-metric]: {\"a\": 1}}", "unexpected text",
                     "at byte 23", NULL);
    /* two reports on one line: json.loads fails with "Extra data" */
    expect_malformed("[tune-metric]: {\"a\": 1} [tune-metric]: {\"b\": 2}",
                     "unexpected text", "at byte 24", NULL);
    /* text after the last '}' is outside the capture */
    struct parsed r = parse("[tune-metric]: {\"a\": \"}\"} done.");
    assert_int_equal(r.status, HPOLAB_OK);
    assert_string_equal(get(&r, "a")->u.s, "}");
    hpolab_record_free(&r.rec);
}

/* The regex matches at the first tag that is followed by "{...}". */
static void test_first_matching_tag(void **state)
{
    struct parsed r =
        parse("[tune-metric]: none here, [tune-metric]: {\"b\": 2}");
    assert_int_equal(r.status, HPOLAB_OK);
    assert_int_equal(r.found, 1);
    assert_int_equal(r.rec.count, 1);
    assert_int_equal(get(&r, "b")->u.i, 2);
    hpolab_record_free(&r.rec);
    /* '.' does not cross a newline */
    r = parse("[tune-metric]: {\"a\": 1}\n}");
    assert_int_equal(r.status, HPOLAB_OK);
    assert_int_equal(get(&r, "a")->u.i, 1);
    hpolab_record_free(&r.rec);
    r = parse("[tune-metric]: {\"a\": 1\n[tune-metric]: {\"c\": 3}");
    assert_int_equal(r.status, HPOLAB_OK);
    assert_int_equal(r.rec.count, 1);
    assert_int_equal(get(&r, "c")->u.i, 3);
    hpolab_record_free(&r.rec);
}

/* A tag the regex would not match is reported, not dropped silently. */
static void test_tag_without_object(void **state)
{
    expect_malformed("[tune-metric]: ", "expected '{'", "at byte 15",
                     "end of the line", NULL);
    expect_malformed("x [tune-metric]: hello", "expected '{'", "at byte 17",
                     "got 'h'", NULL);
    expect_malformed("[tune-metric]: [1, 2]", "expected '{'", "got '['",
                     NULL);
    expect_malformed("[tune-metric]: {\"a\": 1", "no closing '}'",
                     "at byte 15", NULL);
    expect_malformed("[tune-metric]: {\"a\": 1\n}", "no closing '}'", NULL);
}

static void test_non_finite_numbers(void **state)
{
    struct parsed r = parse("[tune-metric]: {\"n\": NaN, \"p\": Infinity, "
                            "\"m\": -Infinity, \"x\": 1e400, \"y\": -1e400}");
    assert_int_equal(r.status, HPOLAB_OK);
    assert_int_equal(get(&r, "n")->type, HPOLAB_VALUE_DOUBLE);
    assert_true(isnan(get(&r, "n")->u.d));
    assert_true(isinf(get(&r, "p")->u.d) && get(&r, "p")->u.d > 0);
    assert_true(isinf(get(&r, "m")->u.d) && get(&r, "m")->u.d < 0);
    /* float('1e400') is inf in Python too */
    assert_true(isinf(get(&r, "x")->u.d) && get(&r, "x")->u.d > 0);
    assert_true(isinf(get(&r, "y")->u.d) && get(&r, "y")->u.d < 0);
    hpolab_record_free(&r.rec);
    expect_malformed("[tune-metric]: {\"n\": nan}", "expected a value",
                     "at byte 21", NULL);
    expect_malformed("[tune-metric]: {\"n\": -NaN}", "invalid number", NULL);
    expect_malformed("[tune-metric]: {\"n\": inf}", "expected a value", NULL);
    expect_malformed("[tune-metric]: {\"n\": NaNx}", "expected ',' or '}'",
                     NULL);
}

static void test_ints_and_doubles(void **state)
{
    struct parsed r = parse(
        "[tune-metric]: {\"a\": 1, \"b\": 1.0, \"c\": 1e2, \"d\": -0, "
        "\"e\": -0.0, \"f\": 9223372036854775807, "
        "\"g\": -9223372036854775808, \"h\": 9223372036854775808, "
        "\"i\": 2.5E-3, \"j\": 0, \"k\": -12, \"l\": 1E+2, "
        "\"m\": 123456789012345678901234567890}");
    assert_int_equal(r.status, HPOLAB_OK);
    assert_int_equal(get(&r, "a")->type, HPOLAB_VALUE_INT);
    assert_int_equal(get(&r, "b")->type, HPOLAB_VALUE_DOUBLE);
    assert_true(get(&r, "b")->u.d == 1.0);
    assert_int_equal(get(&r, "c")->type, HPOLAB_VALUE_DOUBLE);
    assert_true(get(&r, "c")->u.d == 100.0);
    assert_int_equal(get(&r, "d")->type, HPOLAB_VALUE_INT);
    assert_int_equal(get(&r, "d")->u.i, 0);
    assert_int_equal(get(&r, "e")->type, HPOLAB_VALUE_DOUBLE);
    assert_true(get(&r, "e")->u.d == 0.0 && signbit(get(&r, "e")->u.d));
    assert_int_equal(get(&r, "f")->type, HPOLAB_VALUE_INT);
    assert_true(get(&r, "f")->u.i == INT64_MAX);
    assert_int_equal(get(&r, "g")->type, HPOLAB_VALUE_INT);
    assert_true(get(&r, "g")->u.i == INT64_MIN);
    /* beyond int64: kept as the nearest double */
    assert_int_equal(get(&r, "h")->type, HPOLAB_VALUE_DOUBLE);
    assert_true(get(&r, "h")->u.d == 9223372036854775808.0);
    assert_true(get(&r, "i")->u.d == 0.0025);
    assert_int_equal(get(&r, "j")->u.i, 0);
    assert_int_equal(get(&r, "k")->u.i, -12);
    assert_true(get(&r, "l")->u.d == 100.0);
    assert_int_equal(get(&r, "m")->type, HPOLAB_VALUE_DOUBLE);
    assert_true(get(&r, "m")->u.d == 1.2345678901234568e29);
    hpolab_record_free(&r.rec);
}

static void test_strings_bools_null(void **state)
{
    struct parsed r = parse(
        "[tune-metric]: {\"s\": \"a b\", \"t\": true, \"f\": false, "
        "\"z\": null, \"e\": \"q\\\"b\\\\s\\/n\\nt\\tr\\rb\\bf\\f\", "
        "\"u\": \"\\u00e9\\u20ac\\ud83d\\ude00\", \"raw\": \"\xc3\xa9\", "
        "\"\\u006bey\": 1, \"\": \"\"}");
    assert_int_equal(r.status, HPOLAB_OK);
    assert_int_equal(get(&r, "s")->type, HPOLAB_VALUE_STRING);
    assert_string_equal(get(&r, "s")->u.s, "a b");
    assert_int_equal(get(&r, "t")->type, HPOLAB_VALUE_BOOL);
    assert_int_equal(get(&r, "t")->u.b, 1);
    assert_int_equal(get(&r, "f")->u.b, 0);
    assert_int_equal(get(&r, "z")->type, HPOLAB_VALUE_NULL);
    assert_string_equal(get(&r, "e")->u.s, "q\"b\\s/n\nt\tr\rb\bf\f");
    assert_string_equal(get(&r, "u")->u.s,
                        "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
    assert_string_equal(get(&r, "raw")->u.s, "\xc3\xa9");
    assert_int_equal(get(&r, "key")->u.i, 1);
    assert_string_equal(get(&r, "")->u.s, "");
    hpolab_record_free(&r.rec);
}

static void test_nested_values_kept_as_json(void **state)
{
    struct parsed r = parse(
        "[tune-metric]: {\"l\": [1, 2.5, NaN, -Infinity, {\"x\": [true, "
        "null]}], \"o\": {\"k\": \"v w\", \"q\": \"a\\\"] }\"}, "
        "\"e\": [], \"eo\": {}, \"after\": 7}");
    assert_int_equal(r.status, HPOLAB_OK);
    assert_int_equal(r.rec.count, 5);
    assert_int_equal(get(&r, "l")->type, HPOLAB_VALUE_JSON);
    assert_string_equal(get(&r, "l")->u.s,
                        "[1,2.5,NaN,-Infinity,{\"x\":[true,null]}]");
    assert_int_equal(get(&r, "o")->type, HPOLAB_VALUE_JSON);
    assert_string_equal(get(&r, "o")->u.s,
                        "{\"k\":\"v w\",\"q\":\"a\\\"] }\"}");
    assert_string_equal(get(&r, "e")->u.s, "[]");
    assert_string_equal(get(&r, "eo")->u.s, "{}");
    assert_int_equal(get(&r, "after")->u.i, 7);
    hpolab_record_free(&r.rec);
    expect_malformed("[tune-metric]: {\"l\": [1, 2}", "expected ',' or ']'",
                     "at byte 26", NULL);
    expect_malformed("[tune-metric]: {\"l\": [1,]}", "expected a value",
                     NULL);
    expect_malformed("[tune-metric]: {\"o\": {\"a\" 1}}",
                     "expected ':' after a key", NULL);
    expect_malformed("[tune-metric]: {\"o\": {1: 1}}", "expected a string key",
                     NULL);
    expect_malformed("[tune-metric]: {\"l\": [\"\\ud800\"]}",
                     "unpaired surrogate", NULL);
}

static void test_duplicate_keys_last_wins(void **state)
{
    struct parsed r =
        parse("[tune-metric]: {\"a\": 1, \"b\": 2, \"a\": \"three\"}");
    assert_int_equal(r.status, HPOLAB_OK);
    assert_int_equal(r.rec.count, 2);
    /* Python's dict keeps the first position and the last value */
    assert_string_equal(r.rec.entries[0].name, "a");
    assert_int_equal(r.rec.entries[0].value.type, HPOLAB_VALUE_STRING);
    assert_string_equal(r.rec.entries[0].value.u.s, "three");
    assert_string_equal(r.rec.entries[1].name, "b");
    hpolab_record_free(&r.rec);
}

static void test_empty_object_and_whitespace(void **state)
{
    struct parsed r = parse("[tune-metric]: {}");
    assert_int_equal(r.status, HPOLAB_OK);
    assert_int_equal(r.found, 1);
    assert_int_equal(r.rec.count, 0);
    hpolab_record_free(&r.rec);
    r = parse("[tune-metric]: { \t\"a\"\r :\t1 , \"b\" : [ 1 , 2 ] \t}\r");
    assert_int_equal(r.status, HPOLAB_OK);
    assert_int_equal(r.rec.count, 2);
    assert_string_equal(get(&r, "b")->u.s, "[1,2]");
    hpolab_record_free(&r.rec);
}

static void test_malformed_reports(void **state)
{
    /* offsets: the object starts at byte 15 */
    expect_malformed("[tune-metric]: {\"a\": }", "expected a value",
                     "at byte 21", "got '}'", NULL);
    expect_malformed("[tune-metric]: {\"a\" 1}", "expected ':' after a key",
                     "at byte 20", "got '1'", NULL);
    expect_malformed("[tune-metric]: {a: 1}", "expected a string key",
                     "at byte 16", "got 'a'", NULL);
    expect_malformed("[tune-metric]: {\"a\": 1,}", "expected a string key",
                     "at byte 23", NULL);
    expect_malformed("[tune-metric]: {\"a\": 1 \"b\": 2}",
                     "expected ',' or '}'", "at byte 23", NULL);
    expect_malformed("[tune-metric]: {,}", "expected a string key", NULL);
    expect_malformed("[tune-metric]: {\"a\": 01}", "invalid number '01'",
                     "at byte 21", NULL);
    expect_malformed("[tune-metric]: {\"a\": 1.}", "invalid number '1.'",
                     NULL);
    expect_malformed("[tune-metric]: {\"a\": 1e}", "invalid number '1e'",
                     NULL);
    expect_malformed("[tune-metric]: {\"a\": 1.5.2}", "invalid number",
                     NULL);
    expect_malformed("[tune-metric]: {\"a\": -}", "invalid number",
                     "a digit must follow '-'", NULL);
    expect_malformed("[tune-metric]: {\"a\": .5}", "expected a value", NULL);
    expect_malformed("[tune-metric]: {\"a\": +1}", "expected a value", NULL);
    expect_malformed("[tune-metric]: {\"a\": tru}", "expected a value", NULL);
    expect_malformed("[tune-metric]: {\"a\": True}", "expected a value", NULL);
    expect_malformed("[tune-metric]: {\"a\": None}", "expected a value", NULL);
    expect_malformed("[tune-metric]: {\"a\": 'x'}", "expected a value", NULL);
    expect_malformed("[tune-metric]: {\"a\": \"x}", "unterminated string",
                     "at byte 21", NULL);
    expect_malformed("[tune-metric]: {\"a\": \"x\\q\"}", "invalid escape",
                     "at byte 23", "followed by 'q'", NULL);
    expect_malformed("[tune-metric]: {\"a\": \"\\u12\"}", "invalid \\u escape",
                     "at byte 22", NULL);
    expect_malformed("[tune-metric]: {\"a\": \"\\ud800\"}", "unpaired surrogate",
                     NULL);
    expect_malformed("[tune-metric]: {\"a\": \"\\ud800\\u0041\"}",
                     "unpaired surrogate", NULL);
    expect_malformed("[tune-metric]: {\"a\": \"\\udc00x\"}",
                     "unpaired surrogate \\udc00", NULL);
    expect_malformed("[tune-metric]: {\"a\": \"\\u0000\"}", "\\u0000", NULL);
    expect_malformed("[tune-metric]: {\"a\": \"tab\there\"}",
                     "control character 0x09", "at byte 25", NULL);
    expect_malformed("[tune-metric]: {\"a\\", "no closing '}'", NULL);
    expect_malformed("[tune-metric]: {\"a\": \"x\\}", "unterminated string",
                     NULL);
}

static void test_invalid_utf8_in_strings(void **state)
{
    static const char *bad[] = {
        "[tune-metric]: {\"a\": \"\xff\"}",          /* never valid */
        "[tune-metric]: {\"a\": \"\xc0\xaf\"}",      /* overlong '/' */
        "[tune-metric]: {\"a\": \"\xe0\x80\xaf\"}",  /* overlong */
        "[tune-metric]: {\"a\": \"\xed\xa0\x80\"}",  /* UTF-16 surrogate */
        "[tune-metric]: {\"a\": \"\xf4\x90\x80\x80\"}", /* > U+10FFFF */
        "[tune-metric]: {\"a\": \"\xe2\x82\"}",      /* cut short */
        "[tune-metric]: {\"a\": \"\x80\"}",          /* lone continuation */
        "[tune-metric]: {\"\xfe\": 1}",              /* in a key */
        "[tune-metric]: {\"a\": [\"\xff\"]}",        /* nested */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_malformed(bad[i], "invalid UTF-8 byte", NULL);
    expect_malformed("[tune-metric]: {\"a\": \"\xff\"}", "0xff", "at byte 22",
                     NULL);
    /* invalid UTF-8 outside the report does not matter */
    struct parsed r = parse("\xff\xfe [tune-metric]: {\"a\": \"\xf0\x9f\x98\x80\"} \xff");
    assert_int_equal(r.status, HPOLAB_OK);
    assert_string_equal(get(&r, "a")->u.s, "\xf0\x9f\x98\x80");
    hpolab_record_free(&r.rec);
}

static void test_embedded_nul_bytes(void **state)
{
    static const char before[] = "a\0b [tune-metric]: {\"a\": 1}";
    struct parsed r = parse_n(before, sizeof before - 1);
    assert_int_equal(r.status, HPOLAB_OK);
    assert_int_equal(r.found, 1);
    assert_int_equal(get(&r, "a")->u.i, 1);
    hpolab_record_free(&r.rec);

    static const char in_tag[] = "[tune-\0metric]: {\"a\": 1}";
    r = parse_n(in_tag, sizeof in_tag - 1);
    assert_int_equal(r.status, HPOLAB_OK);
    assert_int_equal(r.found, 0);
    hpolab_record_free(&r.rec);

    static const char in_obj[] = "[tune-metric]: {\"a\":\0 1}";
    r = parse_n(in_obj, sizeof in_obj - 1);
    assert_int_equal(r.status, HPOLAB_ERR_PARSE);
    assert_non_null(strstr(r.err.message, "got byte 0x00"));
    assert_non_null(strstr(r.err.message, "at byte 20"));
    hpolab_record_free(&r.rec);

    static const char in_str[] = "[tune-metric]: {\"a\": \"x\0y\"}";
    r = parse_n(in_str, sizeof in_str - 1);
    assert_int_equal(r.status, HPOLAB_ERR_PARSE);
    assert_non_null(strstr(r.err.message, "control character 0x00"));
    hpolab_record_free(&r.rec);

    /* the report ends where len says, not at a NUL or beyond */
    static const char cut[] = "[tune-metric]: {\"a\": 1}";
    r = parse_n(cut, sizeof cut - 2);
    assert_int_equal(r.status, HPOLAB_ERR_PARSE);
    assert_non_null(strstr(r.err.message, "no closing '}'"));
    hpolab_record_free(&r.rec);
}

/* A line of depth levels: {"a": [[...[1]...]]} with depth-1 arrays. */
static char *nested_line(int depth)
{
    size_t size = 64 + 2 * (size_t)depth;
    char *s = malloc(size);
    assert_non_null(s);
    size_t n = (size_t)snprintf(s, size, "[tune-metric]: {\"a\": ");
    for (int i = 1; i < depth; i++)
        s[n++] = '[';
    s[n++] = '1';
    for (int i = 1; i < depth; i++)
        s[n++] = ']';
    s[n++] = '}';
    s[n] = '\0';
    return s;
}

static void test_nesting_cap(void **state)
{
    char *ok = nested_line(HPOLAB_METRIC_MAX_DEPTH);
    struct parsed r = parse(ok);
    assert_int_equal(r.status, HPOLAB_OK);
    assert_int_equal(get(&r, "a")->type, HPOLAB_VALUE_JSON);
    hpolab_record_free(&r.rec);
    free(ok);

    char *deep = nested_line(HPOLAB_METRIC_MAX_DEPTH + 1);
    r = parse(deep);
    assert_int_equal(r.status, HPOLAB_ERR_PARSE);
    assert_non_null(strstr(r.err.message, "nesting deeper than 64"));
    hpolab_record_free(&r.rec);
    free(deep);

    /* a million open brackets: refused at the cap, no stack blow-up */
    char *huge = nested_line(1000000);
    r = parse(huge);
    assert_int_equal(r.status, HPOLAB_ERR_PARSE);
    assert_non_null(strstr(r.err.message, "nesting deeper"));
    hpolab_record_free(&r.rec);
    free(huge);
}

/* Hostile sizes stay linear: many tags without a closing brace, and many
 * (also duplicate) keys. A quadratic scan would run into the test timeout. */
static void test_long_hostile_lines(void **state)
{
    const char unit[] = "[tune-metric]: {";
    size_t reps = 1u << 16;
    size_t len = reps * (sizeof unit - 1);
    char *s = malloc(len);
    assert_non_null(s);
    for (size_t i = 0; i < reps; i++)
        memcpy(s + i * (sizeof unit - 1), unit, sizeof unit - 1);
    struct parsed r = parse_n(s, len);
    assert_int_equal(r.status, HPOLAB_ERR_PARSE);
    assert_int_equal(r.found, 1);
    hpolab_record_free(&r.rec);
    free(s);

    size_t keys = 100000;
    s = malloc(32 + keys * 24);
    assert_non_null(s);
    size_t n = (size_t)sprintf(s, "[tune-metric]: {");
    for (size_t i = 0; i < keys; i++)
        n += (size_t)sprintf(s + n, "%s\"k%zu\": %zu", i ? ", " : "",
                             i % (keys / 2), i);
    s[n++] = '}';
    r = parse_n(s, n);
    assert_int_equal(r.status, HPOLAB_OK);
    assert_int_equal(r.rec.count, keys / 2);
    assert_string_equal(r.rec.entries[3].name, "k3");
    assert_int_equal(r.rec.entries[3].value.u.i, (int64_t)(keys / 2 + 3));
    hpolab_record_free(&r.rec);
    free(s);
}

static void test_json_parse_of_bare_objects(void **state)
{
    struct hpolab_record rec;
    struct hpolab_error err;
    const char ok[] = " \n{\"a\": NaN, \"b\": [Infinity]}\t";
    assert_int_equal(hpolab_metric_json_parse(ok, sizeof ok - 1, &rec, &err),
                     HPOLAB_OK);
    assert_int_equal(rec.count, 2);
    assert_true(isnan(rec.entries[0].value.u.d));
    assert_string_equal(rec.entries[1].value.u.s, "[Infinity]");
    hpolab_record_free(&rec);
    const char extra[] = "{\"a\": 1} x";
    assert_int_equal(
        hpolab_metric_json_parse(extra, sizeof extra - 1, &rec, &err),
        HPOLAB_ERR_PARSE);
    assert_non_null(strstr(err.message, "at byte 9"));
    assert_int_equal(rec.count, 0);
    const char list[] = "[1]";
    assert_int_equal(hpolab_metric_json_parse(list, sizeof list - 1, &rec, &err),
                     HPOLAB_ERR_PARSE);
    assert_non_null(strstr(err.message, "expected '{'"));
    assert_int_equal(hpolab_metric_json_parse("", 0, &rec, &err),
                     HPOLAB_ERR_PARSE);
    assert_non_null(strstr(err.message, "end of the report"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_syne_tune_report_line),
        cmocka_unit_test(test_no_tag_is_not_a_report),
        cmocka_unit_test(test_text_before_the_tag),
        cmocka_unit_test(test_greedy_capture),
        cmocka_unit_test(test_first_matching_tag),
        cmocka_unit_test(test_tag_without_object),
        cmocka_unit_test(test_non_finite_numbers),
        cmocka_unit_test(test_ints_and_doubles),
        cmocka_unit_test(test_strings_bools_null),
        cmocka_unit_test(test_nested_values_kept_as_json),
        cmocka_unit_test(test_duplicate_keys_last_wins),
        cmocka_unit_test(test_empty_object_and_whitespace),
        cmocka_unit_test(test_malformed_reports),
        cmocka_unit_test(test_invalid_utf8_in_strings),
        cmocka_unit_test(test_embedded_nul_bytes),
        cmocka_unit_test(test_nesting_cap),
        cmocka_unit_test(test_long_hostile_lines),
        cmocka_unit_test(test_json_parse_of_bare_objects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
