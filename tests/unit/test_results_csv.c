/* The results table and its CSV text: exactly what pandas'
 * DataFrame.to_csv(index=False) writes, and a reader that gets the typed
 * values back. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "results_csv.h"
#include "results_table.h"

static struct hpolab_results *new_table(void)
{
    struct hpolab_results *r;
    struct hpolab_error err;
    assert_int_equal(hpolab_results_create(&r, &err), HPOLAB_OK);
    return r;
}

static void append(struct hpolab_results *r, struct hpolab_record *row)
{
    struct hpolab_error err;
    assert_int_equal(hpolab_results_append(r, row, &err), HPOLAB_OK);
    hpolab_record_free(row);
}

static char *to_csv(const struct hpolab_results *r)
{
    char *text;
    size_t len;
    struct hpolab_error err;
    assert_int_equal(hpolab_results_to_csv(r, &text, &len, &err), HPOLAB_OK);
    assert_int_equal(strlen(text), len);
    return text;
}

static struct hpolab_results *from_csv(const char *text)
{
    struct hpolab_results *r;
    struct hpolab_error err = {0};
    int32_t st = hpolab_results_from_csv(text, strlen(text), "t.csv", &r, &err);
    if (st != HPOLAB_OK)
        fail_msg("from_csv: %s", err.message);
    return r;
}

static void set_json(struct hpolab_record *row, const char *name,
                     const char *json)
{
    struct hpolab_value v = {.type = HPOLAB_VALUE_JSON, .u.s = (char *)json};
    assert_int_equal(hpolab_record_set(row, name, &v), HPOLAB_OK);
}

static void set_null(struct hpolab_record *row, const char *name)
{
    struct hpolab_value v = {.type = HPOLAB_VALUE_NULL};
    assert_int_equal(hpolab_record_set(row, name, &v), HPOLAB_OK);
}

/* Three rows with late columns, missing cells and every cell kind. */
static struct hpolab_results *sample_table(void)
{
    struct hpolab_results *r = new_table();
    struct hpolab_record row;
    hpolab_record_init(&row);
    hpolab_record_set_int(&row, "epoch", 1);
    hpolab_record_set_double(&row, "val_loss", 0.1);
    hpolab_record_set_string(&row, "st_decision", "CONTINUE");
    hpolab_record_set_int(&row, "trial_id", 0);
    hpolab_record_set_double(&row, "config_lr", 1e-05);
    hpolab_record_set_string(&row, "config_opt", "adam,w");
    hpolab_record_set_bool(&row, "ok", 1);
    append(r, &row);
    hpolab_record_set_int(&row, "epoch", 2);
    hpolab_record_set_double(&row, "val_loss", NAN);
    hpolab_record_set_string(&row, "st_decision", "STOP");
    hpolab_record_set_int(&row, "trial_id", 0);
    hpolab_record_set_double(&row, "config_lr", 1e16);
    hpolab_record_set_string(&row, "config_opt", "say \"hi\"");
    hpolab_record_set_bool(&row, "ok", 0);
    hpolab_record_set_string(&row, "note", "line1\nline2");
    append(r, &row);
    /* other key order, a null, a late column */
    hpolab_record_set_int(&row, "trial_id", 1);
    hpolab_record_set_double(&row, "val_loss", INFINITY);
    hpolab_record_set_int(&row, "epoch", 3);
    hpolab_record_set_string(&row, "config_opt", " padded ");
    set_null(&row, "extra");
    hpolab_record_set_string(&row, "note", "cr\rhere");
    set_json(&row, "config_list", "[1,2]");
    append(r, &row);
    return r;
}

/* Derived from pandas' rules (csv.QUOTE_MINIMAL, na_rep "", repr floats)
 * and checked against CPython's csv.writer(lineterminator="\n"); CPython
 * >= 3.11.9/3.12.3 also quotes a field with a bare '\r' (gh-67044). */
static const char SAMPLE_CSV[] =
    "epoch,val_loss,st_decision,trial_id,config_lr,config_opt,ok,note,extra,"
    "config_list\n"
    "1,0.1,CONTINUE,0,1e-05,\"adam,w\",True,,,\n"
    "2,,STOP,0,1e+16,\"say \"\"hi\"\"\",False,\"line1\nline2\",,\n"
    "3,inf,,1,, padded ,,\"cr\rhere\",,\"[1, 2]\"\n";

static void test_exact_csv_text(void **state)
{
    struct hpolab_results *r = sample_table();
    assert_int_equal(hpolab_results_row_count(r), 3);
    assert_int_equal(hpolab_results_column_count(r), 10);
    assert_string_equal(hpolab_results_column(r, 7), "note");
    assert_int_equal(hpolab_results_column_index(r, "extra"), 8);
    assert_int_equal(hpolab_results_column_index(r, "nope"), -1);
    assert_null(hpolab_results_column(r, 10));
    char *text = to_csv(r);
    assert_string_equal(text, SAMPLE_CSV);
    free(text);
    hpolab_results_free(r);
}

/* Rows keep their cached text; a column added later only appends empty
 * cells to them. */
static void test_columns_growing(void **state)
{
    struct hpolab_results *r = new_table();
    struct hpolab_record row;
    hpolab_record_init(&row);
    hpolab_record_set_string(&row, "a", "");
    append(r, &row);
    char *text = to_csv(r);
    /* one empty field on a line is quoted, as Python's csv does */
    assert_string_equal(text, "a\n\"\"\n");
    free(text);
    hpolab_record_set_int(&row, "b", 5);
    hpolab_record_set_int(&row, "a", 4);
    append(r, &row);
    text = to_csv(r);
    assert_string_equal(text, "a,b\n,\n4,5\n");
    free(text);
    hpolab_record_set_double(&row, "c", 2.5);
    append(r, &row);
    text = to_csv(r);
    assert_string_equal(text, "a,b,c\n,,\n4,5,\n,,2.5\n");
    free(text);
    /* the rows are copies, in the caller's key order */
    const struct hpolab_record *r1 = hpolab_results_row(r, 1);
    assert_int_equal(r1->count, 2);
    assert_string_equal(r1->entries[0].name, "b");
    assert_null(hpolab_results_row(r, 3));
    hpolab_results_free(r);

    r = new_table();
    text = to_csv(r);
    assert_string_equal(text, "\n"); /* pandas: empty DataFrame */
    free(text);
    hpolab_results_free(r);
}

static void assert_int_cell(const struct hpolab_record *row, const char *name,
                            int64_t v)
{
    const struct hpolab_value *val = hpolab_record_get(row, name);
    assert_non_null(val);
    assert_int_equal(val->type, HPOLAB_VALUE_INT);
    assert_int_equal(val->u.i, v);
}

static void assert_double_cell(const struct hpolab_record *row,
                               const char *name, double v)
{
    const struct hpolab_value *val = hpolab_record_get(row, name);
    assert_non_null(val);
    assert_int_equal(val->type, HPOLAB_VALUE_DOUBLE);
    if (isnan(v))
        assert_true(isnan(val->u.d));
    else
        assert_true(val->u.d == v); /* exact: repr round-trips */
}

static void assert_string_cell(const struct hpolab_record *row,
                               const char *name, const char *v)
{
    const struct hpolab_value *val = hpolab_record_get(row, name);
    assert_non_null(val);
    assert_int_equal(val->type, HPOLAB_VALUE_STRING);
    assert_string_equal(val->u.s, v);
}

static void assert_bool_cell(const struct hpolab_record *row, const char *name,
                             int v)
{
    const struct hpolab_value *val = hpolab_record_get(row, name);
    assert_non_null(val);
    assert_int_equal(val->type, HPOLAB_VALUE_BOOL);
    assert_int_equal(val->u.b, v);
}

static void test_round_trip(void **state)
{
    struct hpolab_results *w = sample_table();
    char *text = to_csv(w);
    struct hpolab_results *r = from_csv(text);
    assert_int_equal(hpolab_results_row_count(r), 3);
    assert_int_equal(hpolab_results_column_count(r), 10);
    for (size_t i = 0; i < 10; i++)
        assert_string_equal(hpolab_results_column(r, i),
                            hpolab_results_column(w, i));
    const struct hpolab_record *a = hpolab_results_row(r, 0);
    const struct hpolab_record *b = hpolab_results_row(r, 1);
    const struct hpolab_record *c = hpolab_results_row(r, 2);
    assert_int_cell(a, "epoch", 1);
    assert_double_cell(a, "val_loss", 0.1);
    assert_string_cell(a, "st_decision", "CONTINUE");
    assert_double_cell(a, "config_lr", 1e-05);
    assert_string_cell(a, "config_opt", "adam,w");
    assert_bool_cell(a, "ok", 1);
    assert_null(hpolab_record_get(a, "note")); /* missing cells are absent */
    assert_int_equal(a->count, 7);
    assert_null(hpolab_record_get(b, "val_loss")); /* NaN: empty, as pandas */
    assert_double_cell(b, "config_lr", 1e16);
    assert_string_cell(b, "config_opt", "say \"hi\"");
    assert_bool_cell(b, "ok", 0);
    assert_string_cell(b, "note", "line1\nline2");
    assert_double_cell(c, "val_loss", INFINITY);
    assert_int_cell(c, "trial_id", 1);
    assert_string_cell(c, "config_opt", " padded ");
    assert_null(hpolab_record_get(c, "extra"));
    assert_string_cell(c, "note", "cr\rhere");
    assert_string_cell(c, "config_list", "[1, 2]");
    /* and written again, the text is the same */
    char *again = to_csv(r);
    assert_string_equal(again, text);
    free(again);
    free(text);
    hpolab_results_free(r);
    hpolab_results_free(w);
}

static void test_float_round_trip(void **state)
{
    static const double xs[] = {0.1,    1e-05, 1e+16, 2.0,   -0.0,
                                1e-300, 5e-324, 1.7976931348623157e308,
                                0.30000000000000004, -INFINITY, 123456789.125};
    struct hpolab_results *w = new_table();
    struct hpolab_record row;
    hpolab_record_init(&row);
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
        hpolab_record_set_double(&row, "x", xs[i]);
        hpolab_record_set_int(&row, "i", (int64_t)i - 5);
        append(w, &row);
    }
    hpolab_record_set_int(&row, "i", INT64_MIN);
    append(w, &row);
    hpolab_record_set_int(&row, "i", INT64_MAX);
    append(w, &row);
    char *text = to_csv(w);
    struct hpolab_results *r = from_csv(text);
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
        const struct hpolab_record *row_i = hpolab_results_row(r, i);
        assert_double_cell(row_i, "x", xs[i]);
        assert_int_cell(row_i, "i", (int64_t)i - 5);
    }
    assert_true(signbit(hpolab_record_get(hpolab_results_row(r, 4), "x")->u.d));
    size_t n = hpolab_results_row_count(r);
    assert_int_cell(hpolab_results_row(r, n - 2), "i", INT64_MIN);
    assert_int_cell(hpolab_results_row(r, n - 1), "i", INT64_MAX);
    free(text);
    hpolab_results_free(r);
    hpolab_results_free(w);
}

/* Cells hold Python's repr: checked against CPython 3.11 output, including
 * powers of two whose shortest text is not the nearest 16-digit one, and a
 * subnormal. */
static void test_float_cells_are_python_repr(void **state)
{
    static const struct {
        double x;
        const char *text;
    } cases[] = {
        {0x1p-24, "5.960464477539063e-08"},
        {0x1p+89, "6.189700196426902e+26"},
        {0x1p-44, "5.684341886080802e-14"},
        {0x0.044197e55f403p-1022, "3.6993799826786e-310"},
        {1700000000.731, "1700000000.731"},
        {123456789012345680.0, "1.2345678901234568e+17"},
        {0.0001, "0.0001"},
        {1e23, "1e+23"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct hpolab_buffer b;
        hpolab_buffer_init(&b);
        struct hpolab_value v = {.type = HPOLAB_VALUE_DOUBLE, .u.d = cases[i].x};
        assert_int_equal(hpolab_csv_append_value(&b, &v), HPOLAB_OK);
        assert_int_equal(hpolab_buffer_append(&b, "", 1), HPOLAB_OK);
        assert_string_equal((char *)b.data, cases[i].text);
        hpolab_buffer_free(&b);
    }
}

static void test_parse_value(void **state)
{
    static const struct {
        const char *text;
        int32_t type;
    } cases[] = {
        {"", HPOLAB_VALUE_NULL},        {"12", HPOLAB_VALUE_INT},
        {"-3", HPOLAB_VALUE_INT},       {"+4", HPOLAB_VALUE_INT},
        {"1.0", HPOLAB_VALUE_DOUBLE},   {".5", HPOLAB_VALUE_DOUBLE},
        {"5.", HPOLAB_VALUE_DOUBLE},    {"1e5", HPOLAB_VALUE_DOUBLE},
        {"-2.5E-3", HPOLAB_VALUE_DOUBLE}, {"inf", HPOLAB_VALUE_DOUBLE},
        {"-inf", HPOLAB_VALUE_DOUBLE},  {"nan", HPOLAB_VALUE_DOUBLE},
        {"NaN", HPOLAB_VALUE_DOUBLE},   {"Infinity", HPOLAB_VALUE_DOUBLE},
        {"99999999999999999999", HPOLAB_VALUE_DOUBLE},
        {"True", HPOLAB_VALUE_BOOL},    {"False", HPOLAB_VALUE_BOOL},
        {"true", HPOLAB_VALUE_STRING},  {"1e", HPOLAB_VALUE_STRING},
        {"e5", HPOLAB_VALUE_STRING},    {"-", HPOLAB_VALUE_STRING},
        {".", HPOLAB_VALUE_STRING},     {" 1", HPOLAB_VALUE_STRING},
        {"0x10", HPOLAB_VALUE_STRING},  {"1_000", HPOLAB_VALUE_STRING},
        {"InProgress", HPOLAB_VALUE_STRING}, {"infinite", HPOLAB_VALUE_STRING},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct hpolab_value v;
        assert_int_equal(hpolab_csv_parse_value(cases[i].text,
                                                strlen(cases[i].text), &v),
                         HPOLAB_OK);
        if (v.type != cases[i].type)
            fail_msg("'%s': type %d, expected %d", cases[i].text, v.type,
                     cases[i].type);
        hpolab_value_free(&v);
    }
    struct hpolab_value v;
    hpolab_csv_parse_value("-2.5E-3", 7, &v);
    assert_true(v.u.d == -2.5e-3);
    hpolab_csv_parse_value("12x", 2, &v); /* only len bytes count */
    assert_int_equal(v.type, HPOLAB_VALUE_INT);
    assert_int_equal(v.u.i, 12);
    /* a long numeric text still parses */
    const char *longf = "0.1000000000000000055511151231257827021181583404541015625"
                        "00000000000";
    hpolab_csv_parse_value(longf, strlen(longf), &v);
    assert_int_equal(v.type, HPOLAB_VALUE_DOUBLE);
    assert_true(v.u.d == 0.1);
}

static void test_reader_tolerance(void **state)
{
    /* BOM, \r\n, blank lines, quoted newline, short row, no final newline */
    const char *text = "\xEF\xBB\xBF"
                       "a,b,c\r\n"
                       "\r\n"
                       "1,\"x\r\ny\",2.5\r\n"
                       "\n"
                       "2\r\n"
                       "\"\"\n"
                       "3,,\"\"";
    struct hpolab_results *r = from_csv(text);
    assert_int_equal(hpolab_results_column_count(r), 3);
    assert_string_equal(hpolab_results_column(r, 0), "a");
    assert_int_equal(hpolab_results_row_count(r), 4);
    assert_string_cell(hpolab_results_row(r, 0), "b", "x\r\ny");
    assert_double_cell(hpolab_results_row(r, 0), "c", 2.5);
    assert_int_cell(hpolab_results_row(r, 1), "a", 2);
    assert_int_equal(hpolab_results_row(r, 1)->count, 1);
    assert_int_equal(hpolab_results_row(r, 2)->count, 0); /* '""' row */
    assert_int_cell(hpolab_results_row(r, 3), "a", 3);
    assert_int_equal(hpolab_results_row(r, 3)->count, 1);
    hpolab_results_free(r);

    /* a lone '\r' ends a line too; only a header; nothing at all */
    r = from_csv("x,y\r1,2\r");
    assert_int_equal(hpolab_results_row_count(r), 1);
    assert_int_cell(hpolab_results_row(r, 0), "y", 2);
    hpolab_results_free(r);
    r = from_csv("x,y");
    assert_int_equal(hpolab_results_column_count(r), 2);
    assert_int_equal(hpolab_results_row_count(r), 0);
    hpolab_results_free(r);
    r = from_csv("");
    assert_int_equal(hpolab_results_column_count(r), 0);
    hpolab_results_free(r);
    /* a quote inside an unquoted field is an ordinary character */
    r = from_csv("q\nab\"c\n");
    assert_string_cell(hpolab_results_row(r, 0), "q", "ab\"c");
    hpolab_results_free(r);
    /* column order comes from the header even if early rows miss cells */
    r = from_csv("a,b,c\n,,1\n2,,\n");
    assert_string_equal(hpolab_results_column(r, 2), "c");
    char *again = to_csv(r);
    assert_string_equal(again, "a,b,c\n,,1\n2,,\n");
    free(again);
    hpolab_results_free(r);
}

static void expect_error(const char *text, size_t len, int32_t status,
                         const char *message)
{
    struct hpolab_results *r = (struct hpolab_results *)1;
    struct hpolab_error err = {0};
    assert_int_equal(hpolab_results_from_csv(text, len, "dir/results.csv", &r,
                                             &err),
                     status);
    assert_null(r);
    if (strcmp(err.message, message) != 0)
        fail_msg("got    \"%s\"\nwanted \"%s\"", err.message, message);
}

static void test_reader_errors(void **state)
{
    const char *t = "a,b\n1,\"open\nstill open\n";
    expect_error(t, strlen(t), HPOLAB_ERR_PARSE,
                 "dir/results.csv: line 2, column 3: quoted field is not "
                 "closed before the end of the file");
    t = "a,b\n1,2\n\"x\ny\",2,3\n";
    expect_error(t, strlen(t), HPOLAB_ERR_PARSE,
                 "dir/results.csv: line 3: 3 fields, but the header has 2 "
                 "columns");
    t = "a,b\n\"multi\nline\",\"bad\"x\n";
    expect_error(t, strlen(t), HPOLAB_ERR_PARSE,
                 "dir/results.csv: line 3, column 12: expected ',' or a line "
                 "end after the closing quote of the field opened at line 3, "
                 "column 7 (a quote inside a quoted field must be doubled)");
    t = "a,b,a\n";
    expect_error(t, strlen(t), HPOLAB_ERR_PARSE,
                 "dir/results.csv: line 1: column name 'a' appears twice "
                 "(fields 1 and 3)");
    t = "a,b\n1,\xff\n";
    expect_error(t, strlen(t), HPOLAB_ERR_PARSE,
                 "dir/results.csv: line 2, column 3: invalid UTF-8 byte");
    expect_error("a\nx\0y\n", 6, HPOLAB_ERR_PARSE,
                 "dir/results.csv: line 2, column 2: NUL byte in the text");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_csv_text),
        cmocka_unit_test(test_columns_growing),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_float_round_trip),
        cmocka_unit_test(test_float_cells_are_python_repr),
        cmocka_unit_test(test_parse_value),
        cmocka_unit_test(test_reader_tolerance),
        cmocka_unit_test(test_reader_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
