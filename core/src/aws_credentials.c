/* aws_credentials.c: the credential chain (aws_credentials.h). */
#include "aws_credentials.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "aws_http.h"
#include "fsutil.h"
#include "log.h"

static void wipe_free(char *s)
{
    if (s) {
        memset(s, 0, strlen(s));
        free(s);
    }
}

void hpolab_aws_credentials_free(struct hpolab_aws_credentials *c)
{
    if (!c)
        return;
    free(c->access_key_id);
    wipe_free(c->secret_access_key);
    wipe_free(c->session_token);
    memset(c, 0, sizeof *c);
}

static int32_t set_keys(struct hpolab_aws_credentials *c, const char *akid,
                        const char *secret, const char *token,
                        const char *source, struct hpolab_error *err)
{
    c->access_key_id = strdup(akid);
    c->secret_access_key = strdup(secret);
    c->session_token = token && token[0] ? strdup(token) : NULL;
    c->source = source;
    if (!c->access_key_id || !c->secret_access_key ||
        (token && token[0] && !c->session_token)) {
        hpolab_aws_credentials_free(c);
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    }
    return HPOLAB_OK;
}

int32_t hpolab_aws_parse_iso8601(const char *s, double *out)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    const char *rest = s ? strptime(s, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;
    if (!rest)
        return HPOLAB_ERR_PARSE;
    double frac = 0;
    if (*rest == '.') {
        char *end;
        frac = strtod(rest, &end);
        rest = end;
    }
    long offset = 0;
    if (*rest == '+' || *rest == '-') {
        int hh = 0, mm = 0;
        if (sscanf(rest + 1, "%2d:%2d", &hh, &mm) < 1)
            return HPOLAB_ERR_PARSE;
        offset = (hh * 3600L + mm * 60L) * (*rest == '-' ? -1 : 1);
    } else if (*rest != 'Z' && *rest != '\0') {
        return HPOLAB_ERR_PARSE;
    }
    *out = (double)timegm(&tm) + frac - (double)offset;
    return HPOLAB_OK;
}

/* Reads {AccessKeyId, SecretAccessKey, Token, Expiration} answers. */
static int32_t from_json(const char *body, const char *what,
                         const char *source,
                         struct hpolab_aws_credentials *c,
                         struct hpolab_error *err)
{
    json_t *j = json_loads(body, 0, NULL);
    const char *akid = json_string_value(json_object_get(j, "AccessKeyId"));
    const char *secret =
        json_string_value(json_object_get(j, "SecretAccessKey"));
    const char *token = json_string_value(json_object_get(j, "Token"));
    const char *exp = json_string_value(json_object_get(j, "Expiration"));
    int32_t st;
    if (!akid || !secret) {
        st = hpolab_error_set(err, HPOLAB_ERR_PARSE,
                              "%s: expected JSON with AccessKeyId and "
                              "SecretAccessKey",
                              what);
    } else {
        st = set_keys(c, akid, secret, token, source, err);
        if (st == HPOLAB_OK && exp &&
            hpolab_aws_parse_iso8601(exp, &c->expiration) != HPOLAB_OK)
            c->expiration = 0;
    }
    json_decref(j);
    return st;
}

static int allowed_container_host(const char *url)
{
    if (strncasecmp(url, "https://", 8) == 0)
        return 1;
    if (strncasecmp(url, "http://", 7) != 0)
        return 0;
    const char *h = url + 7;
    static const char *ok[] = {"127.", "localhost", "[::1]", "169.254.170.2",
                               "169.254.170.23", "[fd00:ec2::23]"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        size_t n = strlen(ok[i]);
        if (strncasecmp(h, ok[i], n) == 0 &&
            (ok[i][n - 1] == '.' || h[n] == '\0' || h[n] == ':' ||
             h[n] == '/'))
            return 1;
    }
    return 0;
}

/* HPOLAB_ERR_NOT_FOUND when no container variable is set. */
static int32_t from_container(struct hpolab_aws_credentials *c,
                              struct hpolab_error *err)
{
    const char *rel = getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    const char *full = getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    char url[2048];
    const char *var;
    if (rel && rel[0]) {
        snprintf(url, sizeof url, "http://169.254.170.2%s", rel);
        var = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI";
    } else if (full && full[0]) {
        if (!allowed_container_host(full))
            return hpolab_error_set(
                err, HPOLAB_ERR_INVALID,
                "AWS_CONTAINER_CREDENTIALS_FULL_URI: plain http is allowed "
                "only to loopback, 169.254.170.2 or 169.254.170.23; use "
                "https or unset it");
        snprintf(url, sizeof url, "%s", full);
        var = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
    } else {
        return HPOLAB_ERR_NOT_FOUND;
    }
    char *token = NULL;
    const char *tfile = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    const char *tenv = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN");
    if (tfile && tfile[0]) {
        size_t len;
        if (hpolab_read_file(tfile, &token, &len, NULL) != HPOLAB_OK)
            return hpolab_error_set(err, HPOLAB_ERR_IO,
                                    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: "
                                    "cannot read the file it names");
        token[strcspn(token, "\r\n")] = '\0';
    } else if (tenv && tenv[0]) {
        token = strdup(tenv);
    }
    struct hpolab_aws_header h = {"Authorization", token ? token : ""};
    struct hpolab_aws_http_request req = {
        .method = "GET", .url = url, .headers = &h,
        .n_headers = token ? 1 : 0, .connect_timeout_ms = 2000,
        .timeout_ms = 2000};
    struct hpolab_aws_http_response resp = {0};
    int32_t st = HPOLAB_ERR_IO;
    for (int attempt = 0; attempt < 3; attempt++) {
        struct hpolab_error herr;
        st = hpolab_aws_http_send(&req, &resp, &herr);
        if (st == HPOLAB_OK && resp.status == 200)
            break;
        if (st == HPOLAB_OK)
            st = HPOLAB_ERR_IO;
        if (attempt < 2)
            usleep(attempt == 0 ? 200000 : 1000000);
    }
    if (st == HPOLAB_OK)
        st = from_json(resp.body.data ? (const char *)resp.body.data : "",
                       var, "container credentials", c, err);
    else
        st = hpolab_error_set(err, HPOLAB_ERR_IO,
                              "container credentials from %s: %s", var,
                              resp.status ? "the endpoint answered an error"
                                          : resp.transport_message);
    if (st == HPOLAB_OK)
        hpolab_logf(HPOLAB_LOG_INFO, "aws: credentials from %s (key id %s)",
                    var, c->access_key_id);
    hpolab_aws_http_response_free(&resp);
    wipe_free(token);
    return st;
}

static int env_true(const char *name)
{
    const char *v = getenv(name);
    return v && strcasecmp(v, "true") == 0;
}

struct imds {
    char base[512];
    char token[512];
    long timeout_ms;
    int attempts;
};

static int32_t imds_send(const struct imds *m, const char *method,
                         const char *path, struct hpolab_aws_header *h,
                         size_t nh, struct hpolab_aws_http_response *resp)
{
    char url[1024];
    snprintf(url, sizeof url, "%s%s", m->base, path);
    struct hpolab_aws_http_request req = {
        .method = method, .url = url, .headers = h, .n_headers = nh,
        .connect_timeout_ms = m->timeout_ms, .timeout_ms = m->timeout_ms};
    int32_t st = HPOLAB_ERR_IO;
    for (int a = 0; a < m->attempts && st != HPOLAB_OK; a++)
        st = hpolab_aws_http_send(&req, resp, NULL);
    return st;
}

static int32_t imds_open(struct imds *m, struct hpolab_error *err)
{
    if (env_true("AWS_EC2_METADATA_DISABLED"))
        return hpolab_error_set(err, HPOLAB_ERR_UNSUPPORTED,
                                "IMDS disabled by AWS_EC2_METADATA_DISABLED");
    const char *ep = getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
    snprintf(m->base, sizeof m->base, "%s",
             ep && ep[0] ? ep : "http://169.254.169.254");
    size_t bl = strlen(m->base);
    while (bl > 0 && m->base[bl - 1] == '/')
        m->base[--bl] = '\0';
    const char *t = getenv("AWS_METADATA_SERVICE_TIMEOUT");
    const char *n = getenv("AWS_METADATA_SERVICE_NUM_ATTEMPTS");
    double ts = t && t[0] ? atof(t) : 1.0;
    m->timeout_ms = ts > 0 ? (long)(ts * 1000) : 1000;
    m->attempts = n && atoi(n) > 0 ? atoi(n) : 1;
    m->token[0] = '\0';
    struct hpolab_aws_header h = {"X-aws-ec2-metadata-token-ttl-seconds",
                                  "21600"};
    struct hpolab_aws_http_response resp = {0};
    int32_t st = imds_send(m, "PUT", "/latest/api/token", &h, 1, &resp);
    if (st != HPOLAB_OK) {
        st = hpolab_error_set(err, HPOLAB_ERR_IO, "IMDS at %s: %s", m->base,
                              resp.transport_message);
    } else if (resp.status == 200 && resp.body.len > 0 &&
               resp.body.len < sizeof m->token) {
        memcpy(m->token, resp.body.data, resp.body.len);
        m->token[resp.body.len] = '\0';
    } else if ((resp.status == 403 || resp.status == 404 ||
                resp.status == 405) &&
               !env_true("AWS_EC2_METADATA_V1_DISABLED")) {
        /* IMDSv1 only: go on without a token */
    } else {
        st = hpolab_error_set(err, HPOLAB_ERR_IO,
                              "IMDS at %s: token request answered HTTP %ld",
                              m->base, resp.status);
    }
    hpolab_aws_http_response_free(&resp);
    return st;
}

static int32_t imds_fetch(const struct imds *m, const char *path, char **out,
                          struct hpolab_error *err)
{
    struct hpolab_aws_header h = {"X-aws-ec2-metadata-token", m->token};
    struct hpolab_aws_http_response resp = {0};
    int32_t st = imds_send(m, "GET", path, &h, m->token[0] ? 1 : 0, &resp);
    if (st != HPOLAB_OK || resp.status != 200) {
        st = hpolab_error_set(err, HPOLAB_ERR_IO, "IMDS %s: %s", path,
                              st != HPOLAB_OK ? resp.transport_message
                                              : "answered an error");
    } else {
        *out = strndup(resp.body.data ? (const char *)resp.body.data : "",
                       resp.body.len);
        if (!*out)
            st = hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    }
    hpolab_aws_http_response_free(&resp);
    return st;
}

int32_t hpolab_aws_imds_get(const char *path, char **out,
                            struct hpolab_error *err)
{
    struct imds m;
    int32_t st = imds_open(&m, err);
    if (st != HPOLAB_OK)
        return st;
    char full[512];
    snprintf(full, sizeof full, "/latest/meta-data/%s", path);
    st = imds_fetch(&m, full, out, err);
    memset(m.token, 0, sizeof m.token);
    return st;
}

static int32_t from_imds(struct hpolab_aws_credentials *c,
                         struct hpolab_error *err)
{
    struct imds m;
    int32_t st = imds_open(&m, err);
    if (st != HPOLAB_OK)
        return st;
    char *role = NULL, *body = NULL;
    const char *base = "/latest/meta-data/iam/security-credentials/";
    st = imds_fetch(&m, base, &role, err);
    if (st == HPOLAB_OK) {
        role[strcspn(role, "\r\n")] = '\0';
        char path[512];
        snprintf(path, sizeof path, "%s%s", base, role);
        st = imds_fetch(&m, path, &body, err);
    }
    if (st == HPOLAB_OK)
        st = from_json(body, "IMDS security-credentials", "IMDSv2", c, err);
    if (st == HPOLAB_OK)
        hpolab_logf(HPOLAB_LOG_INFO,
                    "aws: credentials from IMDS role %s (key id %s)", role,
                    c->access_key_id);
    free(role);
    wipe_free(body);
    memset(m.token, 0, sizeof m.token);
    return st;
}

int32_t hpolab_aws_credentials_resolve(const struct hpolab_aws_profile *p,
                                       struct hpolab_aws_credentials *out,
                                       struct hpolab_error *err)
{
    memset(out, 0, sizeof *out);
    const char *akid = getenv("AWS_ACCESS_KEY_ID");
    const char *secret = getenv("AWS_SECRET_ACCESS_KEY");
    if (akid && akid[0] && secret && secret[0]) {
        const char *tok = getenv("AWS_SESSION_TOKEN");
        if (!tok || !tok[0])
            tok = getenv("AWS_SECURITY_TOKEN");
        return set_keys(out, akid, secret, tok, "environment", err);
    }
    if ((akid && akid[0]) != (secret && secret[0]))
        return hpolab_error_set(
            err, HPOLAB_ERR_INVALID,
            "AWS credentials: %s is set but %s is not; set both (or "
            "neither, to use a profile)",
            akid && akid[0] ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
            akid && akid[0] ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
    if (p) {
        const char *pa = json_string_value(
            json_object_get(p->credentials, "aws_access_key_id"));
        const char *file = p->credentials_path;
        json_t *sec = p->credentials;
        if (!pa) {
            sec = p->config;
            file = p->config_path;
            pa = json_string_value(json_object_get(sec, "aws_access_key_id"));
        }
        const char *ps = json_string_value(
            json_object_get(sec, "aws_secret_access_key"));
        if (pa && !ps)
            return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                    "AWS profile '%s' in %s: "
                                    "aws_access_key_id without "
                                    "aws_secret_access_key; add it",
                                    p->name, file);
        if (pa) {
            const char *pt = json_string_value(
                json_object_get(sec, "aws_session_token"));
            return set_keys(out, pa, ps, pt, "profile", err);
        }
        static const char *unsupported[] = {
            "role_arn", "web_identity_token_file", "credential_process",
            "sso_session", "sso_start_url"};
        for (size_t i = 0; i < sizeof unsupported / sizeof unsupported[0];
             i++)
            if (hpolab_aws_profile_get(p, unsupported[i]))
                return hpolab_error_set(
                    err, HPOLAB_ERR_UNSUPPORTED,
                    "AWS profile '%s' uses %s, which hpolab does not "
                    "support; export keys instead (e.g. eval \"$(aws "
                    "configure export-credentials --format env)\")",
                    p->name, unsupported[i]);
    }
    const char *wit = getenv("AWS_WEB_IDENTITY_TOKEN_FILE");
    int32_t st = from_container(out, err);
    if (st != HPOLAB_ERR_NOT_FOUND)
        return st;
    if (wit && wit[0])
        return hpolab_error_set(err, HPOLAB_ERR_UNSUPPORTED,
                                "AWS_WEB_IDENTITY_TOKEN_FILE is set but web "
                                "identity is not supported by hpolab; set "
                                "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
    struct hpolab_error ierr;
    st = from_imds(out, &ierr);
    if (st == HPOLAB_OK)
        return HPOLAB_OK;
    hpolab_logf(HPOLAB_LOG_DEBUG, "aws: no IMDS credentials: %s",
                ierr.message);
    return hpolab_error_set(
        err, HPOLAB_ERR_NOT_FOUND,
        "no AWS credentials: set AWS_ACCESS_KEY_ID and "
        "AWS_SECRET_ACCESS_KEY, or AWS_PROFILE with keys in %s",
        p ? p->credentials_path : "~/.aws/credentials");
}
