/* cmd_sagemaker_entry.c: `hpolab sagemaker-entry [--ml_root DIR] [--code
 * DIR]`: inside a SageMaker training container (tools/container/entry.sh),
 * turns <ml root>/input/config/hyperparameters.json into the command the job
 * runs and replaces itself with it (exec, so SageMaker's SIGTERM reaches it):
 *   hpolab_mode=run:   hpolab run <code>/<hpolab_study> --key value ...
 *                      --results_dir <ml root>/checkpoints
 *   hpolab_mode=trial: <code>/<hpolab_entry_point> --key value ...
 *                      --st_checkpoint_dir <ml root>/checkpoints
 * Keys starting with hpolab_ or sagemaker_ are not passed on. Values are
 * strings; a value that is itself a JSON string (SageMaker Python SDK's
 * "\"x\"") is decoded. */
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

static const struct cli_option entry_options[] = {
    {"ml_root", CLI_STRING, "DIR",
     "root of the /opt/ml tree (default $HPOLAB_ML_ROOT, else /opt/ml)"},
    {"code", CLI_STRING, "DIR",
     "the unpacked source (default <ml root>/code)"},
    {"dry_run", CLI_FLAG, NULL, "print the command, one token a line"},
    {NULL, 0, NULL, NULL},
};

/* A path inside the unpacked source: relative, no "..". */
static int plain_relative(const char *p)
{
    if (!p[0] || p[0] == '/')
        return 0;
    const char *s = p;
    while (*s) {
        size_t n = strcspn(s, "/");
        if ((n == 2 && s[0] == '.' && s[1] == '.') || n == 0)
            return 0;
        s += n;
        if (*s == '/')
            s++;
    }
    return 1;
}

static int has_suffix(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && strcmp(s + a - b, suf) == 0;
}

/* "\"x\"" -> "x" [owned: free]; anything else copied. */
static char *decode_value(const char *v)
{
    if (v[0] == '"') {
        json_t *j = json_loads(v, JSON_DECODE_ANY, NULL);
        if (json_is_string(j)) {
            char *s = strdup(json_string_value(j));
            json_decref(j);
            return s;
        }
        json_decref(j);
    }
    return strdup(v);
}

struct argv_buf {
    char **v;
    size_t n, cap;
};

static int push(struct argv_buf *a, char *s)
{
    if (!s)
        return -1;
    if (a->n + 2 > a->cap) {
        size_t cap = a->cap ? 2 * a->cap : 32;
        char **p = realloc(a->v, cap * sizeof *p);
        if (!p) {
            free(s);
            return -1;
        }
        a->v = p;
        a->cap = cap;
    }
    a->v[a->n++] = s;
    a->v[a->n] = NULL;
    return 0;
}

static char *join(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 2;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s/%s", a, b);
    return s;
}

static char *dashed(const char *key)
{
    size_t n = strlen(key) + 3;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "--%s", key);
    return s;
}

int hpolab_cmd_sagemaker_entry(int argc, char **argv)
{
    struct cli_parser p = {.options = entry_options,
                           .command = "hpolab sagemaker-entry"};
    struct argv_buf a = {0};
    json_t *hp = NULL;
    int rc = cli_parse(&p, argc, argv);
    if (rc != 0 || p.help) {
        if (p.help) {
            printf("usage: hpolab sagemaker-entry [--ml_root DIR] [--code "
                   "DIR]\n\n(internal) the command of a SageMaker training "
                   "job, from its hyperparameters\n(tools/container/"
                   "README.md).\n\n");
            cli_options_print(stdout, entry_options);
        }
        goto out;
    }
    const char *ml = NULL, *code = NULL;
    cli_get_string(&p, "ml_root", &ml);
    if (!ml)
        ml = getenv("HPOLAB_ML_ROOT");
    if (!ml || !ml[0])
        ml = "/opt/ml";
    char code_buf[PATH_MAX];
    cli_get_string(&p, "code", &code);
    if (!code) {
        snprintf(code_buf, sizeof code_buf, "%s/code", ml);
        code = code_buf;
    }
    int64_t dry = 0;
    cli_get_bool(&p, "dry_run", &dry);
    char path[PATH_MAX], ck[PATH_MAX];
    snprintf(path, sizeof path, "%s/input/config/hyperparameters.json", ml);
    snprintf(ck, sizeof ck, "%s/checkpoints", ml);
    json_error_t jerr;
    hp = json_load_file(path, 0, &jerr);
    if (!json_is_object(hp)) {
        fprintf(stderr, "hpolab sagemaker-entry: %s: %s\n", path,
                hp ? "expected a JSON object of strings" : jerr.text);
        rc = 2;
        goto out;
    }
    const char *key;
    json_t *val;
    json_object_foreach(hp, key, val)
    {
        if (!json_is_string(val)) {
            fprintf(stderr, "hpolab sagemaker-entry: %s: %s: expected a "
                            "string\n",
                    path, key);
            rc = 2;
            goto out;
        }
    }
    const char *mode = json_string_value(json_object_get(hp, "hpolab_mode"));
    if (!mode)
        mode = "run";
    int trial = strcmp(mode, "trial") == 0;
    if (!trial && strcmp(mode, "run") != 0) {
        fprintf(stderr, "hpolab sagemaker-entry: %s: hpolab_mode: expected "
                        "'run' or 'trial', got '%s'\n",
                path, mode);
        rc = 2;
        goto out;
    }
    const char *fkey = trial ? "hpolab_entry_point" : "hpolab_study";
    const char *file = json_string_value(json_object_get(hp, fkey));
    char *file_dec = file ? decode_value(file) : NULL;
    if (!file_dec || !plain_relative(file_dec)) {
        fprintf(stderr, "hpolab sagemaker-entry: %s: %s: expected a path "
                        "relative to the source folder without '..', got "
                        "%s%s%s\n",
                path, fkey, file ? "'" : "", file ? file : "nothing",
                file ? "'" : "");
        free(file_dec);
        rc = 2;
        goto out;
    }
    char *target = join(code, file_dec);
    free(file_dec);
    if (!target) {
        rc = 1;
        goto out;
    }
    /* push() owns what it is given, also when it fails */
    int ok;
    if (trial) {
        /* as the training toolkit: .py through python3, else executable */
        if (has_suffix(target, ".py")) {
            ok = push(&a, strdup("python3")) == 0;
            ok = push(&a, target) == 0 && ok;
        } else {
            struct stat st;
            if (stat(target, &st) == 0 && !(st.st_mode & S_IXUSR))
                chmod(target, st.st_mode | S_IXUSR);
            ok = push(&a, target) == 0;
        }
    } else {
        char self[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
        self[n > 0 ? n : 0] = '\0';
        ok = push(&a, strdup(self)) == 0 && n > 0;
        ok = push(&a, strdup("run")) == 0 && ok;
        ok = push(&a, target) == 0 && ok;
    }
    json_object_foreach(hp, key, val)
    {
        if (!ok)
            break;
        if (strncmp(key, "hpolab_", 7) == 0 ||
            strncmp(key, "sagemaker_", 10) == 0)
            continue;
        ok = push(&a, dashed(key)) == 0 &&
             push(&a, decode_value(json_string_value(val))) == 0;
    }
    if (ok)
        ok = push(&a, strdup(trial ? "--st_checkpoint_dir" : "--results_dir")) ==
                 0 &&
             push(&a, strdup(ck)) == 0;
    if (!ok) {
        fprintf(stderr, "hpolab sagemaker-entry: out of memory\n");
        rc = 1;
        goto out;
    }
    if (dry) {
        for (size_t i = 0; i < a.n; i++)
            printf("%s\n", a.v[i]);
        goto out;
    }
    if (trial && chdir(code) != 0) {
        fprintf(stderr, "hpolab sagemaker-entry: %s: %s\n", code,
                strerror(errno));
        rc = 1;
        goto out;
    }
    fflush(stdout);
    execvp(a.v[0], a.v);
    fprintf(stderr, "hpolab sagemaker-entry: cannot start %s: %s\n", a.v[0],
            strerror(errno));
    rc = 1;
out:
    for (size_t i = 0; i < a.n; i++)
        free(a.v[i]);
    free(a.v);
    json_decref(hp);
    cli_free(&p);
    return rc;
}
