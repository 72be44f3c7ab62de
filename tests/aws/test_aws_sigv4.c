/* test_aws_sigv4.c: hpolab's SigV4 signer against every vector of the AWS
 * test suite (canonical request, string to sign, Authorization), the S3
 * documentation vectors (incl. presigned and aws-chunked seed) and the AWS
 * JS SDK's wire capture. */
#include <dirent.h>
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "aws_crypto.h"
#include "aws_sigv4.h"
#include "fsutil.h"

#define SUITE_SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

static char *slurp(const char *path)
{
    char *data = NULL;
    size_t len = 0;
    if (hpolab_read_file(path, &data, &len, NULL) != HPOLAB_OK)
        return NULL;
    /* the vectors compare without '\r' */
    size_t j = 0;
    for (size_t i = 0; i < len; i++)
        if (data[i] != '\r')
            data[j++] = data[i];
    data[j] = '\0';
    return data;
}

struct req {
    char method[16];
    char *path;
    char *query;
    struct hpolab_aws_header h[32];
    char *names[32];
    char *values[32];
    size_t n;
    char *body;
};

static void req_free(struct req *r)
{
    free(r->path);
    free(r->query);
    for (size_t i = 0; i < r->n; i++) {
        free(r->names[i]);
        free(r->values[i]);
    }
    free(r->body);
}

/* Parses the suite's raw HTTP: "METHOD path?query HTTP/1.1", headers with
 * folded continuation lines, a blank line, the body. */
static void parse_req(const char *text, struct req *r)
{
    memset(r, 0, sizeof *r);
    const char *eol = strchr(text, '\n');
    if (!eol)
        eol = text + strlen(text);
    const char *sp = strchr(text, ' ');
    assert_non_null(sp);
    memcpy(r->method, text, (size_t)(sp - text));
    const char *target = sp + 1;
    const char *http = target;
    for (const char *p = target; p + 5 < eol; p++)
        if (strncmp(p, " HTTP/", 6) == 0)
            http = p;
    const char *q = memchr(target, '?', (size_t)(http - target));
    r->path = strndup(target, (size_t)((q ? q : http) - target));
    r->query = q ? strndup(q + 1, (size_t)(http - q - 1)) : strdup("");
    const char *p = *eol ? eol + 1 : eol;
    while (*p && *p != '\n') {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if ((*p == ' ' || *p == '\t') && r->n > 0) {
            char *old = r->values[r->n - 1];
            size_t ol = strlen(old);
            char *nv = malloc(ol + len + 2);
            memcpy(nv, old, ol);
            nv[ol] = ' ';
            memcpy(nv + ol + 1, p, len);
            nv[ol + 1 + len] = '\0';
            free(old);
            r->values[r->n - 1] = nv;
        } else {
            const char *colon = memchr(p, ':', len);
            assert_non_null(colon);
            r->names[r->n] = strndup(p, (size_t)(colon - p));
            r->values[r->n] = strndup(colon + 1, len - (size_t)(colon - p) - 1);
            r->n++;
        }
        p = e ? e + 1 : p + len;
    }
    r->body = strdup(*p == '\n' ? p + 1 : "");
    for (size_t i = 0; i < r->n; i++) {
        r->h[i].name = r->names[i];
        r->h[i].value = r->values[i];
    }
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static char *with_ext(const char *dir, const char *name, const char *ext)
{
    char *p = malloc(strlen(dir) + strlen(name) + strlen(ext) + 3);
    sprintf(p, "%s/%s%s", dir, name, ext);
    return p;
}

static int n_suite;

static void check_vector(const char *dir, const char *name)
{
    char *reqp = with_ext(dir, name, ".req");
    char *creqp = with_ext(dir, name, ".creq");
    char *stsp = with_ext(dir, name, ".sts");
    char *authp = with_ext(dir, name, ".authz");
    char *text = slurp(reqp), *creq = slurp(creqp), *sts = slurp(stsp),
         *authz = slurp(authp);
    assert_non_null(text);
    assert_non_null(creq);
    assert_non_null(sts);
    assert_non_null(authz);
    struct req r;
    parse_req(text, &r);
    /* get-vanilla-with-session-token: the token is the client's to add */
    const char *tok = strstr(creq, "x-amz-security-token:");
    int has_tok = 0;
    for (size_t i = 0; i < r.n; i++)
        has_tok |= strcasecmp(r.names[i], "x-amz-security-token") == 0;
    if (tok && !has_tok) {
        r.names[r.n] = strdup("X-Amz-Security-Token");
        r.values[r.n] = strndup(tok + 21, strcspn(tok + 21, "\n"));
        r.h[r.n].name = r.names[r.n];
        r.h[r.n].value = r.values[r.n];
        r.n++;
    }
    char hash[65];
    hpolab_sha256_hex(r.body, strlen(r.body), hash);
    const char *date = NULL;
    for (size_t i = 0; i < r.n; i++)
        if (strcasecmp(r.names[i], "x-amz-date") == 0)
            date = r.values[i];
    assert_non_null(date);
    struct hpolab_aws_sign_input in = {
        .method = r.method, .path = r.path, .query = r.query,
        .headers = r.h, .n_headers = r.n, .payload_hash = hash,
        .amz_date = date, .region = "us-east-1", .service = "service"};
    struct hpolab_aws_signature sig;
    struct hpolab_error err;
    assert_int_equal(hpolab_aws_sign(&in, "AKIDEXAMPLE", SUITE_SECRET, &sig,
                                     &err),
                     HPOLAB_OK);
    if (strcmp(sig.canonical_request, creq) != 0)
        fail_msg("%s: canonical request\n--- got\n%s\n--- expected\n%s",
                 name, sig.canonical_request, creq);
    assert_string_equal(sig.string_to_sign, sts);
    assert_string_equal(sig.authorization, authz);
    n_suite++;
    hpolab_aws_signature_free(&sig);
    req_free(&r);
    free(text);
    free(creq);
    free(sts);
    free(authz);
    free(reqp);
    free(creqp);
    free(stsp);
    free(authp);
}

static void walk_suite(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char *p = hpolab_path_join(dir, e->d_name);
        struct stat stt;
        if (stat(p, &stt) == 0 && S_ISDIR(stt.st_mode)) {
            walk_suite(p);
        } else if (ends_with(e->d_name, ".req")) {
            char *stem = strndup(e->d_name, strlen(e->d_name) - 4);
            check_vector(dir, stem);
            free(stem);
        }
        free(p);
    }
    closedir(d);
}

static void test_aws_suite(void **state)
{
    (void)state;
    n_suite = 0;
    walk_suite(HPOLAB_AWS_TEST_DATA "/sigv4-testsuite");
    /* every vector of the copy (the README counts 34) */
    assert_int_equal(n_suite, 34);
}

static json_t *load_s3_vectors(void)
{
    json_error_t je;
    json_t *d = json_load_file(
        HPOLAB_AWS_TEST_DATA "/sigv4-s3/s3_doc_vectors.json", 0, &je);
    assert_non_null(d);
    return d;
}

static void test_s3_doc_header_vectors(void **state)
{
    (void)state;
    json_t *d = load_s3_vectors();
    json_t *cred = json_object_get(d, "credentials");
    const char *akid = json_string_value(json_object_get(cred, "access_key_id"));
    const char *secret =
        json_string_value(json_object_get(cred, "secret_access_key"));
    size_t i;
    json_t *ex;
    size_t n = 0;
    json_array_foreach(json_object_get(d, "header_auth_examples"), i, ex) {
        json_t *hs = json_object_get(ex, "headers");
        struct hpolab_aws_header h[16];
        size_t k;
        json_t *pair;
        json_array_foreach(hs, k, pair) {
            h[k].name = json_string_value(json_array_get(pair, 0));
            h[k].value = json_string_value(json_array_get(pair, 1));
        }
        struct hpolab_aws_sign_input in = {
            .method = json_string_value(json_object_get(ex, "method")),
            .path = json_string_value(json_object_get(ex, "path")),
            .query = json_string_value(json_object_get(ex, "query")),
            .headers = h,
            .n_headers = json_array_size(hs),
            .payload_hash =
                json_string_value(json_object_get(ex, "payload_sha256")),
            .amz_date = json_string_value(json_object_get(cred, "x_amz_date")),
            .region = "us-east-1",
            .service = "s3",
            .s3_rules = 1};
        struct hpolab_aws_signature sig;
        assert_int_equal(hpolab_aws_sign(&in, akid, secret, &sig, NULL),
                         HPOLAB_OK);
        assert_string_equal(sig.canonical_request,
                            json_string_value(json_object_get(
                                ex, "expected_canonical_request")));
        assert_string_equal(sig.string_to_sign,
                            json_string_value(json_object_get(
                                ex, "expected_string_to_sign")));
        assert_string_equal(sig.authorization,
                            json_string_value(json_object_get(
                                ex, "expected_authorization")));
        hpolab_aws_signature_free(&sig);
        n++;
    }
    assert_int_equal(n, 4);

    /* presigned GET: the query form, only host signed */
    json_t *pre = json_array_get(json_object_get(d, "presigned_url_examples"), 0);
    const char *url = json_string_value(json_object_get(pre, "url_without_signature"));
    const char *q = strchr(url, '?');
    struct hpolab_aws_header host = {"host", "examplebucket.s3.amazonaws.com"};
    struct hpolab_aws_sign_input in = {
        .method = "GET", .path = "/test.txt", .query = q + 1,
        .headers = &host, .n_headers = 1, .payload_hash = "UNSIGNED-PAYLOAD",
        .amz_date = "20130524T000000Z", .region = "us-east-1",
        .service = "s3", .s3_rules = 1};
    struct hpolab_aws_signature sig;
    assert_int_equal(hpolab_aws_sign(&in, akid, secret, &sig, NULL), HPOLAB_OK);
    assert_string_equal(sig.canonical_request,
                        json_string_value(json_object_get(pre, "expected_canonical_request")));
    assert_string_equal(sig.signature,
                        json_string_value(json_object_get(pre, "expected_signature")));
    hpolab_aws_signature_free(&sig);

    /* aws-chunked: the seed signature, then each chunk's chained signature */
    json_t *ch = json_object_get(d, "chunked_upload_example");
    json_t *hs = json_object_get(ch, "headers");
    struct hpolab_aws_header h[16];
    size_t k;
    json_t *pair;
    json_array_foreach(hs, k, pair) {
        h[k].name = json_string_value(json_array_get(pair, 0));
        h[k].value = json_string_value(json_array_get(pair, 1));
    }
    struct hpolab_aws_sign_input cin = {
        .method = "PUT", .path = json_string_value(json_object_get(ch, "path")),
        .headers = h, .n_headers = json_array_size(hs),
        .payload_hash = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
        .amz_date = "20130524T000000Z", .region = "us-east-1",
        .service = "s3", .s3_rules = 1};
    assert_int_equal(hpolab_aws_sign(&cin, akid, secret, &sig, NULL), HPOLAB_OK);
    assert_string_equal(sig.canonical_request,
                        json_string_value(json_object_get(ch, "expected_canonical_request")));
    assert_string_equal(sig.signature,
                        json_string_value(json_object_get(ch, "expected_seed_signature")));
    unsigned char key[32];
    hpolab_aws_signing_key(secret, "20130524", "us-east-1", "s3", key);
    char prev[65];
    strcpy(prev, sig.signature);
    size_t sizes[3] = {65536, 1024, 0};
    char *chunk = malloc(65536);
    memset(chunk, 'a', 65536);
    for (size_t c = 0; c < 3; c++) {
        char out[65];
        hpolab_aws_chunk_signature(key, "20130524T000000Z", "us-east-1", "s3",
                                   prev, chunk, sizes[c], out);
        assert_string_equal(out, json_string_value(json_array_get(
                                     json_object_get(ch, "expected_chunk_signatures"), c)));
        strcpy(prev, out);
    }
    free(chunk);
    hpolab_aws_signature_free(&sig);

    /* signing keys */
    json_array_foreach(json_object_get(d, "signing_key_examples"), i, ex) {
        char hex[65];
        hpolab_aws_signing_key(
            json_string_value(json_object_get(ex, "secret_access_key")),
            json_string_value(json_object_get(ex, "date")),
            json_string_value(json_object_get(ex, "region")),
            json_string_value(json_object_get(ex, "service")), key);
        hpolab_hex_lower(key, 32, hex);
        assert_string_equal(hex, json_string_value(json_object_get(
                                     ex, "expected_signing_key_hex")));
    }

    /* the IAM example (a non-S3 GET with a query) */
    json_t *iam = json_object_get(d, "non_s3_example");
    json_array_foreach(json_object_get(iam, "headers"), k, pair) {
        h[k].name = json_string_value(json_array_get(pair, 0));
        h[k].value = json_string_value(json_array_get(pair, 1));
    }
    struct hpolab_aws_sign_input iin = {
        .method = "GET", .path = "/", .query = "Action=ListUsers&Version=2010-05-08",
        .headers = h, .n_headers = json_array_size(json_object_get(iam, "headers")),
        .payload_hash = HPOLAB_AWS_EMPTY_SHA256, .amz_date = "20150830T123600Z",
        .region = "us-east-1", .service = "iam"};
    assert_int_equal(hpolab_aws_sign(&iin, "AKIDEXAMPLE", SUITE_SECRET, &sig, NULL),
                     HPOLAB_OK);
    assert_string_equal(sig.authorization,
                        json_string_value(json_object_get(iam, "expected_authorization")));
    hpolab_aws_signature_free(&sig);
    json_decref(d);
}

/* Rebuilds each captured request from its method, target and the headers
 * its Authorization names, signs with the recorded x-amz-date and compares
 * with the recorded Authorization. */
static void test_sdk_wire_capture(void **state)
{
    (void)state;
    FILE *f = fopen(HPOLAB_AWS_TEST_DATA "/sdk_wire_capture.jsonl", "r");
    assert_non_null(f);
    char *line = NULL;
    size_t cap = 0;
    int n = 0;
    while (getline(&line, &cap, f) > 0) {
        json_t *r = json_loads(line, 0, NULL);
        assert_non_null(r);
        const char *auth = NULL, *date = NULL, *sha = NULL;
        size_t i;
        json_t *pair;
        json_t *hs = json_object_get(r, "headers");
        json_array_foreach(hs, i, pair) {
            const char *k = json_string_value(json_array_get(pair, 0));
            const char *v = json_string_value(json_array_get(pair, 1));
            if (strcasecmp(k, "authorization") == 0)
                auth = v;
            else if (strcasecmp(k, "x-amz-date") == 0)
                date = v;
            else if (strcasecmp(k, "x-amz-content-sha256") == 0)
                sha = v;
        }
        assert_non_null(auth);
        /* scope and signed header names from the recorded Authorization */
        char region[32], service[32], signed_list[512];
        const char *cr = strstr(auth, "Credential=");
        assert_non_null(cr);
        const char *s1 = strchr(cr, '/');          /* after AKID */
        const char *s2 = strchr(s1 + 1, '/');      /* after date */
        const char *s3 = strchr(s2 + 1, '/');      /* after region */
        const char *s4 = strchr(s3 + 1, '/');      /* after service */
        snprintf(region, sizeof region, "%.*s", (int)(s3 - s2 - 1), s2 + 1);
        snprintf(service, sizeof service, "%.*s", (int)(s4 - s3 - 1), s3 + 1);
        const char *sh = strstr(auth, "SignedHeaders=") + 14;
        snprintf(signed_list, sizeof signed_list, "%.*s",
                 (int)(strchr(sh, ',') - sh), sh);
        struct hpolab_aws_header h[32];
        size_t nh = 0;
        json_array_foreach(hs, i, pair) {
            const char *k = json_string_value(json_array_get(pair, 0));
            char probe[128];
            snprintf(probe, sizeof probe, ";%s;", k);
            char list[520];
            snprintf(list, sizeof list, ";%s;", signed_list);
            if (strstr(list, probe)) {
                h[nh].name = k;
                h[nh].value = json_string_value(json_array_get(pair, 1));
                nh++;
            }
        }
        const char *target = json_string_value(json_object_get(r, "target"));
        const char *q = strchr(target, '?');
        char *path = q ? strndup(target, (size_t)(q - target)) : strdup(target);
        const char *body = json_string_value(json_object_get(r, "body"));
        char hash[65];
        hpolab_sha256_hex(body ? body : "", body ? strlen(body) : 0, hash);
        if (sha)
            assert_string_equal(sha, hash); /* the SDK hashed the body */
        struct hpolab_aws_sign_input in = {
            .method = json_string_value(json_object_get(r, "method")),
            .path = path, .query = q ? q + 1 : NULL, .headers = h,
            .n_headers = nh, .payload_hash = hash, .amz_date = date,
            .region = region, .service = service,
            .s3_rules = strcmp(service, "s3") == 0};
        struct hpolab_aws_signature sig;
        assert_int_equal(hpolab_aws_sign(&in, "AKIDEXAMPLE", SUITE_SECRET,
                                         &sig, NULL),
                         HPOLAB_OK);
        assert_string_equal(sig.authorization, auth);
        hpolab_aws_signature_free(&sig);
        free(path);
        json_decref(r);
        n++;
    }
    free(line);
    fclose(f);
    assert_int_equal(n, 7);
}

static void test_uri_encode(void **state)
{
    (void)state;
    struct hpolab_buffer b;
    hpolab_buffer_init(&b);
    const char in[] = "a b/c~d_e.f-g+h=i$\xc3\xa9";
    assert_int_equal(hpolab_aws_uri_encode(&b, in, strlen(in), 1), HPOLAB_OK);
    hpolab_buffer_append(&b, "", 1);
    assert_string_equal((char *)b.data, "a%20b/c~d_e.f-g%2Bh%3Di%24%C3%A9");
    b.len = 0;
    assert_int_equal(hpolab_aws_uri_encode(&b, "x/y==", 5, 0), HPOLAB_OK);
    hpolab_buffer_append(&b, "", 1);
    assert_string_equal((char *)b.data, "x%2Fy%3D%3D");
    b.len = 0;
    assert_int_equal(hpolab_aws_uri_decode(&b, "a%20b%2fc%zz%4", 14), HPOLAB_OK);
    assert_string_equal((char *)b.data, "a b/c%zz%4");
    hpolab_buffer_free(&b);
    char d[17];
    hpolab_aws_amz_date(1440938160, d);
    assert_string_equal(d, "20150830T123600Z");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_aws_suite),
        cmocka_unit_test(test_s3_doc_header_vectors),
        cmocka_unit_test(test_sdk_wire_capture),
        cmocka_unit_test(test_uri_encode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
