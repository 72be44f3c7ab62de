/* The C reporter for training scripts (sdk/include/hpolab/reporter.h): the
 * exact [tune-metric] line, number forms, refused reports, the counter,
 * timestamps, the argument helpers and checkpoints. */
#include <hpolab/reporter.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- helpers ------------------------------------------------------------ */

/* A reporter writing into a temporary file. */
static void init_tmp(struct hpolab_reporter *r)
{
    hpolab_reporter_init(r);
    r->out = tmpfile();
    assert_non_null(r->out);
}

/* Everything written to r->out so far (static buffer). */
static const char *written(struct hpolab_reporter *r)
{
    static char buf[2 * HPOLAB_REPORT_LINE_MAX];
    size_t n;
    long pos = ftell(r->out);
    assert_true(pos >= 0 && (size_t)pos < sizeof buf);
    rewind(r->out);
    n = fread(buf, 1, (size_t)pos, r->out);
    assert_int_equal(n, (size_t)pos);
    buf[n] = '\0';
    assert_int_equal(fseek(r->out, pos, SEEK_SET), 0);
    return buf;
}

struct tail {
    double timestamp, time;
    long long iter;
};

/* Checks that line (one line, with its newline) is prefix followed by the
 * three st_worker_* fields, and returns them. */
static struct tail check_line(const char *line, const char *prefix)
{
    struct tail t;
    int used = -1;
    size_t n = strlen(prefix);
    assert_true(strncmp(line, prefix, n) == 0);
    assert_int_equal(sscanf(line + n,
                            "\"st_worker_timestamp\": %lf, \"st_worker_time\""
                            ": %lf, \"st_worker_iter\": %lld}\n%n",
                            &t.timestamp, &t.time, &t.iter, &used),
                     3);
    assert_int_equal(used, (int)strlen(line + n));
    return t;
}

static double now_wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- numbers ------------------------------------------------------------- */

static void test_format_double_python_repr(void **state)
{
    /* expected: repr() / json.dumps of Python 3 */
    static const struct {
        double x;
        const char *text;
    } cases[] = {
        {0.1, "0.1"},
        {1e-05, "1e-05"},
        {2.0, "2.0"},
        {0.0, "0.0"},
        {-0.0, "-0.0"},
        {6.12, "6.12"},
        {0.0001, "0.0001"},
        {0.00012, "0.00012"},
        {1.5e-07, "1.5e-07"},
        {100.0, "100.0"},
        {123.456, "123.456"},
        {-2.5, "-2.5"},
        {1e15, "1000000000000000.0"},
        {1e16, "1e+16"},
        {1e22, "1e+22"},
        {12345678901234567.0, "1.2345678901234568e+16"},
        {0.30000000000000004, "0.30000000000000004"},
        {1.0 / 3.0, "0.3333333333333333"},
        {5e-324, "5e-324"},
        {1.7976931348623157e308, "1.7976931348623157e+308"},
        {1700000123.456, "1700000123.456"},
        {1e100, "1e+100"},
        {-1e-100, "-1e-100"},
    };
    char buf[HPOLAB_DOUBLE_BUFSIZE];
    size_t i;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_string_equal(hpolab_format_double(cases[i].x, buf),
                            cases[i].text);
    assert_string_equal(hpolab_format_double(NAN, buf), "NaN");
    assert_string_equal(hpolab_format_double(INFINITY, buf), "Infinity");
    assert_string_equal(hpolab_format_double(-INFINITY, buf), "-Infinity");
}

/* Any double reads back as itself, and no shorter text would. */
static void test_format_double_round_trips(void **state)
{
    char buf[HPOLAB_DOUBLE_BUFSIZE];
    uint64_t s = 12345;
    int i;
    (void)state;
    for (i = 0; i < 20000; i++) {
        uint64_t b;
        double x;
        s = s * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
        b = s;
        memcpy(&x, &b, sizeof x);
        if (isnan(x) || isinf(x))
            continue;
        hpolab_format_double(x, buf);
        assert_true(strlen(buf) < HPOLAB_DOUBLE_BUFSIZE);
        assert_true(strtod(buf, NULL) == x);
    }
    for (i = 1; i < 1000; i++) {
        double x = i / 1000.0; /* 0.001 .. 0.999: at most 3 digits */
        hpolab_format_double(x, buf);
        assert_true(strlen(buf) <= 5);
        assert_true(strtod(buf, NULL) == x);
    }
}

/* ---- the line ------------------------------------------------------------ */

static void test_line_format_exact(void **state)
{
    static struct hpolab_reporter r;
    double before = now_wall(), after;
    struct tail t;
    (void)state;
    init_tmp(&r);
    hpolab_report_begin(&r);
    assert_int_equal(hpolab_report_int(&r, "epoch", 1), 0);
    assert_int_equal(hpolab_report_double(&r, "val_loss", 6.12), 0);
    assert_int_equal(hpolab_report_double(&r, "lr", 1e-05), 0);
    assert_int_equal(hpolab_report_double(&r, "two", 2.0), 0);
    assert_int_equal(hpolab_report_double(&r, "tenth", 0.1), 0);
    assert_int_equal(hpolab_report_double(&r, "bad", NAN), 0);
    assert_int_equal(hpolab_report_double(&r, "inf", -INFINITY), 0);
    assert_int_equal(hpolab_report_int(&r, "neg", -42), 0);
    assert_int_equal(hpolab_report_bool(&r, "ok", 1), 0);
    assert_int_equal(hpolab_report_bool(&r, "no", 0), 0);
    assert_int_equal(hpolab_report_string(&r, "name",
                                          "a \"b\" \\ c\n\t\x01\b\f\r\x7f~ \xc3\xa4"
                                          "\xe2\x82\xac\xf0\x9f\x98\x80"),
                     0);
    assert_int_equal(hpolab_report_end(&r), 0);
    after = now_wall();
    /* json.dumps({"epoch": 1, "val_loss": 6.12, ..., "name": "a \"b\" \\ c
     * \n\t\x01\b\f\r\x7f~ ä€😀"}) */
    t = check_line(written(&r),
                   "[tune-metric]: {\"epoch\": 1, \"val_loss\": 6.12, "
                   "\"lr\": 1e-05, \"two\": 2.0, \"tenth\": 0.1, \"bad\": NaN, "
                   "\"inf\": -Infinity, \"neg\": -42, \"ok\": true, "
                   "\"no\": false, \"name\": \"a \\\"b\\\" \\\\ c\\n\\t"
                   "\\u0001\\b\\f\\r\\u007f~ \\u00e4\\u20ac\\ud83d\\ude00\", ");
    assert_int_equal(t.iter, 0);
    assert_true(t.timestamp >= before - 0.001 && t.timestamp <= after + 0.001);
    assert_true(t.time >= 0.0 && t.time < 5.0);
    fclose(r.out);
}

static void test_report_macro_and_empty_report(void **state)
{
    static struct hpolab_reporter r;
    (void)state;
    init_tmp(&r);
    assert_int_equal(HPOLAB_REPORT(&r, hpolab_kv_int("epoch", 3),
                                   hpolab_kv_double("val_loss", 0.5),
                                   hpolab_kv_string("opt", "adam"),
                                   hpolab_kv_bool("done", 0)),
                     0);
    check_line(written(&r), "[tune-metric]: {\"epoch\": 3, \"val_loss\": 0.5, "
                            "\"opt\": \"adam\", \"done\": false, ");
    fclose(r.out);

    /* no user key: only the reporter's fields */
    init_tmp(&r);
    hpolab_report_begin(&r);
    assert_int_equal(hpolab_report_end(&r), 0);
    check_line(written(&r), "[tune-metric]: {");
    fclose(r.out);
}

static void test_counter_and_clock(void **state)
{
    static struct hpolab_reporter r;
    struct timespec pause = {0, 50 * 1000 * 1000};
    struct tail t[3];
    const char *all, *p;
    int i;
    (void)state;
    init_tmp(&r);
    for (i = 0; i < 3; i++) {
        if (i == 2)
            nanosleep(&pause, NULL);
        /* a refused report in between does not count */
        assert_int_equal(HPOLAB_REPORT(&r, hpolab_kv_int("st_epoch", i)),
                         HPOLAB_REPORT_ERESERVED);
        assert_int_equal(HPOLAB_REPORT(&r, hpolab_kv_int("epoch", i + 1)), 0);
    }
    all = written(&r);
    for (i = 0, p = all; i < 3; i++) {
        char prefix[64], line[256];
        const char *nl = strchr(p, '\n');
        assert_non_null(nl);
        memcpy(line, p, (size_t)(nl - p + 1));
        line[nl - p + 1] = '\0';
        snprintf(prefix, sizeof prefix, "[tune-metric]: {\"epoch\": %d, ",
                 i + 1);
        t[i] = check_line(line, prefix);
        assert_int_equal(t[i].iter, i);
        p = nl + 1;
    }
    assert_int_equal(*p, '\0');
    assert_true(t[0].time <= t[1].time && t[1].time <= t[2].time);
    assert_true(t[2].time - t[1].time >= 0.045);
    assert_true(t[2].timestamp - t[1].timestamp >= 0.045);
    assert_true(t[2].timestamp - t[1].timestamp < 5.0);
    fclose(r.out);
}

/* ---- refused reports ------------------------------------------------------ */

static void expect_refused(struct hpolab_reporter *r, int status)
{
    assert_int_equal(hpolab_report_end(r), status);
    assert_string_equal(written(r), "");
    assert_int_equal(r->iter, 0);
}

static void test_refused_reports(void **state)
{
    static struct hpolab_reporter r;
    static char big[HPOLAB_REPORT_LINE_MAX];
    (void)state;
    init_tmp(&r);

    hpolab_report_begin(&r);
    hpolab_report_int(&r, "epoch", 1);
    assert_int_equal(hpolab_report_double(&r, "st_worker_time", 1.0),
                     HPOLAB_REPORT_ERESERVED);
    /* errors stick: a later valid key does not clear them */
    assert_int_equal(hpolab_report_int(&r, "x", 1), HPOLAB_REPORT_ERESERVED);
    expect_refused(&r, HPOLAB_REPORT_ERESERVED);

    hpolab_report_begin(&r);
    hpolab_report_int(&r, "epoch", 1);
    assert_int_equal(hpolab_report_int(&r, "epoch", 2),
                     HPOLAB_REPORT_EDUPLICATE);
    expect_refused(&r, HPOLAB_REPORT_EDUPLICATE);

    hpolab_report_begin(&r);
    assert_int_equal(hpolab_report_int(&r, NULL, 1), HPOLAB_REPORT_EKEY);
    expect_refused(&r, HPOLAB_REPORT_EKEY);

    hpolab_report_begin(&r);
    assert_int_equal(hpolab_report_int(&r, "", 1), HPOLAB_REPORT_EKEY);
    expect_refused(&r, HPOLAB_REPORT_EKEY);

    hpolab_report_begin(&r);
    assert_int_equal(hpolab_report_int(&r, "bad\xff", 1), HPOLAB_REPORT_EKEY);
    expect_refused(&r, HPOLAB_REPORT_EKEY);

    hpolab_report_begin(&r);
    assert_int_equal(hpolab_report_string(&r, "s", NULL), HPOLAB_REPORT_EVALUE);
    expect_refused(&r, HPOLAB_REPORT_EVALUE);

    /* overlong form of '/', a lone surrogate, a truncated sequence */
    hpolab_report_begin(&r);
    assert_int_equal(hpolab_report_string(&r, "s", "\xc0\xaf"),
                     HPOLAB_REPORT_EVALUE);
    expect_refused(&r, HPOLAB_REPORT_EVALUE);
    hpolab_report_begin(&r);
    assert_int_equal(hpolab_report_string(&r, "s", "\xed\xa0\x80"),
                     HPOLAB_REPORT_EVALUE);
    expect_refused(&r, HPOLAB_REPORT_EVALUE);
    hpolab_report_begin(&r);
    assert_int_equal(hpolab_report_string(&r, "s", "\xe2\x82"),
                     HPOLAB_REPORT_EVALUE);
    expect_refused(&r, HPOLAB_REPORT_EVALUE);

    memset(big, 'a', sizeof big - 1);
    hpolab_report_begin(&r);
    assert_int_equal(hpolab_report_string(&r, "s", big),
                     HPOLAB_REPORT_ETOOLONG);
    expect_refused(&r, HPOLAB_REPORT_ETOOLONG);
    /* the fields of the reporter count too: fits alone, not with them */
    big[HPOLAB_REPORT_LINE_MAX - 40] = '\0';
    hpolab_report_begin(&r);
    assert_int_equal(hpolab_report_string(&r, "s", big), 0);
    expect_refused(&r, HPOLAB_REPORT_ETOOLONG);

    /* add or end without begin; end twice */
    assert_int_equal(hpolab_report_int(&r, "x", 1), HPOLAB_REPORT_ESTATE);
    assert_int_equal(hpolab_report_end(&r), HPOLAB_REPORT_ESTATE);
    assert_string_equal(written(&r), "");

    /* ...and the reporter still works, starting at st_worker_iter 0 */
    big[40000] = '\0';
    hpolab_report_begin(&r);
    hpolab_report_string(&r, "s", big);
    assert_int_equal(hpolab_report_end(&r), 0);
    assert_int_equal(hpolab_report_end(&r), HPOLAB_REPORT_ESTATE);
    {
        static char prefix[HPOLAB_REPORT_LINE_MAX];
        snprintf(prefix, sizeof prefix, "[tune-metric]: {\"s\": \"%s\", ", big);
        assert_int_equal(check_line(written(&r), prefix).iter, 0);
    }
    fclose(r.out);

    assert_string_equal(hpolab_report_strerror(HPOLAB_REPORT_ERESERVED),
                        "keys starting with 'st_' are reserved for the "
                        "reporter");
}

static void test_write_error(void **state)
{
    static struct hpolab_reporter r;
    (void)state;
    hpolab_reporter_init(&r);
    r.out = fopen("/dev/full", "w");
    if (!r.out)
        skip();
    assert_int_equal(HPOLAB_REPORT(&r, hpolab_kv_int("epoch", 1)),
                     HPOLAB_REPORT_EIO);
    assert_int_equal(r.iter, 0);
    fclose(r.out);
}

/* ---- arguments ------------------------------------------------------------ */

static void test_args(void **state)
{
    char *argv[] = {(char *)"train", (char *)"--lr", (char *)"0.001",
                    (char *)"--batch_size", (char *)"32",
                    (char *)"--optimizer=adam", (char *)"--lrx",
                    (char *)"9", (char *)"--lr", (char *)"1e-05",
                    (char *)"--flag", (char *)"True", (char *)"--neg",
                    (char *)"-3", (char *)"--st_checkpoint_dir",
                    (char *)"/tmp/ck", (char *)"--", (char *)"--epochs",
                    (char *)"7", NULL};
    int argc = (int)(sizeof argv / sizeof argv[0]) - 1;
    const char *s = NULL;
    double d = 0;
    long l = 0;
    int b = -1;
    (void)state;
    /* the last occurrence wins; --lrx is another option */
    assert_true(hpolab_arg_double(argc, argv, "lr", 0.5) == 1e-05);
    assert_int_equal(hpolab_arg_int(argc, argv, "batch_size", 1), 32);
    assert_int_equal(hpolab_arg_int(argc, argv, "lrx", 1), 9);
    assert_int_equal(hpolab_arg_int(argc, argv, "neg", 1), -3);
    assert_string_equal(hpolab_arg_string(argc, argv, "optimizer", "sgd"),
                        "adam");
    assert_int_equal(hpolab_arg_bool(argc, argv, "flag", 0), 1);
    assert_string_equal(hpolab_arg_checkpoint_dir(argc, argv), "/tmp/ck");
    /* absent (and after "--"): the default */
    assert_int_equal(hpolab_arg_int(argc, argv, "epochs", 10), 10);
    assert_true(hpolab_arg_double(argc, argv, "momentum", 0.9) == 0.9);
    assert_string_equal(hpolab_arg_string(argc, argv, "x", "dflt"), "dflt");
    assert_null(hpolab_arg_checkpoint_dir(3, argv));
    assert_int_equal(hpolab_arg_get_string(argc, argv, "epochs", &s),
                     HPOLAB_REPORT_ENOENT);
    /* "--lr" as the last argument has no value */
    assert_int_equal(hpolab_arg_get_string(2, argv, "lr", &s),
                     HPOLAB_REPORT_EVALUE);
    assert_int_equal(hpolab_arg_get_double(2, argv, "lr", &d),
                     HPOLAB_REPORT_EVALUE);
    /* "--batch_size 32" as a double, "--optimizer adam" as anything else */
    assert_int_equal(hpolab_arg_get_double(argc, argv, "batch_size", &d), 0);
    assert_true(d == 32.0);
    assert_int_equal(hpolab_arg_get_double(argc, argv, "optimizer", &d),
                     HPOLAB_REPORT_EVALUE);
    assert_int_equal(hpolab_arg_get_int(argc, argv, "lr", &l),
                     HPOLAB_REPORT_EVALUE);
    assert_int_equal(hpolab_arg_get_bool(argc, argv, "lr", &b),
                     HPOLAB_REPORT_EVALUE);
}

static void test_arg_values(void **state)
{
    static const struct {
        const char *text;
        int d_ok, i_ok, b_ok;
        double d;
        long i;
        int b;
    } cases[] = {
        {"3", 1, 1, 0, 3.0, 3, 0},       {"-2", 1, 1, 0, -2.0, -2, 0},
        {"+7", 1, 1, 0, 7.0, 7, 0},      {"3.0", 1, 0, 0, 3.0, 0, 0},
        {"1e3", 1, 0, 0, 1000.0, 0, 0},  {"0x10", 0, 0, 0, 0, 0, 0},
        {"", 0, 0, 0, 0, 0, 0},          {" 1", 0, 0, 0, 0, 0, 0},
        {"1.5x", 0, 0, 0, 0, 0, 0},      {"abc", 0, 0, 0, 0, 0, 0},
        {"1e999", 0, 0, 0, 0, 0, 0},     {"99999999999999999999", 1, 0, 0,
                                          1e20, 0, 0},
        {"True", 0, 0, 1, 0, 0, 1},      {"False", 0, 0, 1, 0, 0, 0},
        {"yes", 0, 0, 1, 0, 0, 1},       {"N", 0, 0, 1, 0, 0, 0},
        {"1", 1, 1, 1, 1.0, 1, 1},       {"0", 1, 1, 1, 0.0, 0, 0},
        {"maybe", 0, 0, 0, 0, 0, 0},     {"truest", 0, 0, 0, 0, 0, 0},
    };
    size_t k;
    (void)state;
    for (k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char *argv[] = {(char *)"p", (char *)"--v", (char *)cases[k].text,
                        NULL};
        double d = -1;
        long i = -1;
        int b = -1;
        int sd = hpolab_arg_get_double(3, argv, "v", &d);
        int si = hpolab_arg_get_int(3, argv, "v", &i);
        int sb = hpolab_arg_get_bool(3, argv, "v", &b);
        print_message("'%s'\n", cases[k].text);
        assert_int_equal(sd, cases[k].d_ok ? 0 : HPOLAB_REPORT_EVALUE);
        assert_int_equal(si, cases[k].i_ok ? 0 : HPOLAB_REPORT_EVALUE);
        assert_int_equal(sb, cases[k].b_ok ? 0 : HPOLAB_REPORT_EVALUE);
        if (cases[k].d_ok)
            assert_true(d == cases[k].d);
        if (cases[k].i_ok)
            assert_int_equal(i, cases[k].i);
        if (cases[k].b_ok)
            assert_int_equal(b, cases[k].b);
    }
}

/* A malformed value: message on stderr, exit status 2 (like argparse). */
static void test_arg_malformed_exits(void **state)
{
    int fds[2], status;
    char msg[256];
    ssize_t n;
    pid_t pid;
    (void)state;
    assert_int_equal(pipe(fds), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char *argv[] = {(char *)"train", (char *)"--epochs", (char *)"ten",
                        NULL};
        dup2(fds[1], 2);
        close(fds[0]);
        (void)hpolab_arg_int(3, argv, "epochs", 10);
        _exit(0);
    }
    close(fds[1]);
    n = read(fds[0], msg, sizeof msg - 1);
    close(fds[0]);
    assert_true(n > 0);
    msg[n] = '\0';
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 2);
    assert_string_equal(msg,
                        "train: --epochs: expected an integer, got 'ten'\n");
}

/* ---- checkpoints ----------------------------------------------------------- */

static char *tmp_dir(void)
{
    char tmpl[] = "/tmp/hpolab-test-reporter-XXXXXX";
    char *d = mkdtemp(tmpl);
    assert_non_null(d);
    return strdup(d);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void read_file(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "r");
    size_t n;
    assert_non_null(f);
    n = fread(buf, 1, size - 1, f);
    buf[n] = '\0';
    fclose(f);
}

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[512];
    if (!d)
        return;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (remove(path) != 0)
            remove_tree(path);
    }
    closedir(d);
    rmdir(dir);
}

static void test_checkpoint_round_trip(void **state)
{
    char *root = tmp_dir();
    char dir[512], path[600], text[256], st[64];
    long long epoch = -1;
    DIR *d;
    struct dirent *e;
    int files = 0;
    (void)state;
    /* the folder (and its parent) do not exist yet */
    snprintf(dir, sizeof dir, "%s/trial/checkpoints", root);
    assert_int_equal(hpolab_checkpoint_load(dir, &epoch, st, sizeof st),
                     HPOLAB_REPORT_ENOENT);
    assert_int_equal(hpolab_checkpoint_save(dir, 2, "{\"w\": [1, 2]}"), 0);
    assert_int_equal(hpolab_checkpoint_save(dir, 7, "{\"w\": [3, 4]}"), 0);
    snprintf(path, sizeof path, "%s/checkpoint.json", dir);
    read_file(path, text, sizeof text);
    assert_string_equal(text, "{\"epoch\": 7, \"state\": {\"w\": [3, 4]}}\n");
    assert_int_equal(hpolab_checkpoint_load(dir, &epoch, st, sizeof st), 0);
    assert_int_equal(epoch, 7);
    assert_string_equal(st, "{\"w\": [3, 4]}");
    /* only checkpoint.json is left: no temporary file */
    d = opendir(dir);
    assert_non_null(d);
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.') {
            assert_string_equal(e->d_name, "checkpoint.json");
            files++;
        }
    closedir(d);
    assert_int_equal(files, 1);
    /* the state must fit; a NULL buffer skips it */
    assert_int_equal(hpolab_checkpoint_load(dir, &epoch, st, 5),
                     HPOLAB_REPORT_ETOOLONG);
    epoch = -1;
    assert_int_equal(hpolab_checkpoint_load(dir, &epoch, NULL, 0), 0);
    assert_int_equal(epoch, 7);
    /* NULL state is written as null */
    assert_int_equal(hpolab_checkpoint_save(dir, 8, NULL), 0);
    assert_int_equal(hpolab_checkpoint_load(dir, &epoch, st, sizeof st), 0);
    assert_int_equal(epoch, 8);
    assert_string_equal(st, "null");
    /* a folder that cannot be made */
    snprintf(path, sizeof path, "%s/file", root);
    write_file(path, "x");
    snprintf(dir, sizeof dir, "%s/file/checkpoints", root);
    assert_int_equal(hpolab_checkpoint_save(dir, 1, NULL), HPOLAB_REPORT_EIO);
    remove_tree(root);
    free(root);
}

static void test_checkpoint_foreign_files(void **state)
{
    static const struct {
        const char *text;
        int status;
        long long epoch;
        const char *state;
    } cases[] = {
        /* what Python's json.dumps writes, with and without state */
        {"{\"epoch\": 3, \"state\": {\"val_loss\": 0.5}}",
         HPOLAB_REPORT_OK, 3, "{\"val_loss\": 0.5}"},
        {"{\"epoch\": 3}", HPOLAB_REPORT_OK, 3, "null"},
        {" {\n \"epoch\" : 12 ,\n \"state\" : [1, \"}\"] \n}\n",
         HPOLAB_REPORT_OK, 12, "[1, \"}\"]"},
        {"{\"epoch\": 4, \"state\": {\"a\": [1, {\"b\": \"x\\\"}\"}], "
         "\"c\": null}}", HPOLAB_REPORT_OK, 4,
         "{\"a\": [1, {\"b\": \"x\\\"}\"}], \"c\": null}"},
        {"{\"epoch\": 3, \"state\": [1, 2]} trailing", HPOLAB_REPORT_EPARSE, 0,
         NULL},
        {"{\"epoch\": 3, \"state\": [1, 2,]}", HPOLAB_REPORT_EPARSE, 0, NULL},
        {"{\"epoch\": 3, \"state\": [1: 2]}", HPOLAB_REPORT_EPARSE, 0, NULL},
        {"{\"epoch\": 3, \"state\": [1, 2}}", HPOLAB_REPORT_EPARSE, 0, NULL},
        {"", HPOLAB_REPORT_EPARSE, 0, NULL},
        {"{\"st_resource\": 3}", HPOLAB_REPORT_EPARSE, 0, NULL},
        {"{\"epoch\": \"3\"}", HPOLAB_REPORT_EPARSE, 0, NULL},
        {"{\"epoch\": 3, \"state\": }", HPOLAB_REPORT_EPARSE, 0, NULL},
        {"{\"epoch\": 3, \"state\": {\"a\": 1}", HPOLAB_REPORT_EPARSE, 0,
         NULL},
        {"garbage", HPOLAB_REPORT_EPARSE, 0, NULL},
    };
    char *root = tmp_dir();
    char path[600], st[64];
    size_t k;
    (void)state;
    snprintf(path, sizeof path, "%s/checkpoint.json", root);
    for (k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        long long epoch = -1;
        write_file(path, cases[k].text);
        print_message("%s\n", cases[k].text);
        assert_int_equal(hpolab_checkpoint_load(root, &epoch, st, sizeof st),
                         cases[k].status);
        if (cases[k].status == HPOLAB_REPORT_OK) {
            assert_int_equal(epoch, cases[k].epoch);
            assert_string_equal(st, cases[k].state);
        } else {
            assert_int_equal(epoch, -1);
        }
    }
    remove_tree(root);
    free(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_double_python_repr),
        cmocka_unit_test(test_format_double_round_trips),
        cmocka_unit_test(test_line_format_exact),
        cmocka_unit_test(test_report_macro_and_empty_report),
        cmocka_unit_test(test_counter_and_clock),
        cmocka_unit_test(test_refused_reports),
        cmocka_unit_test(test_write_error),
        cmocka_unit_test(test_args),
        cmocka_unit_test(test_arg_values),
        cmocka_unit_test(test_arg_malformed_exits),
        cmocka_unit_test(test_checkpoint_round_trip),
        cmocka_unit_test(test_checkpoint_foreign_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
