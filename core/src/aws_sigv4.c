/* aws_sigv4.c: canonical request, string to sign and signature
 * (aws_sigv4.h; rules in ../shared/reference/aws.md §1). */
#include "aws_sigv4.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws_crypto.h"

#define TERMINATOR "aws4_request"

static int unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
           c == '~';
}

int32_t hpolab_aws_uri_encode(struct hpolab_buffer *out, const char *s,
                              size_t n, int keep_slash)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
        int32_t st = unreserved(c) || (keep_slash && c == '/')
                         ? hpolab_buffer_append(out, &s[i], 1)
                         : hpolab_buffer_append(out, esc, 3);
        if (st != HPOLAB_OK)
            return st;
    }
    return HPOLAB_OK;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int32_t hpolab_aws_uri_decode(struct hpolab_buffer *out, const char *s,
                              size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 &&
            hexval(s[i + 2]) >= 0) {
            c = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        }
        if (hpolab_buffer_append(out, &c, 1) != HPOLAB_OK)
            return HPOLAB_ERR_NOMEM;
    }
    if (hpolab_buffer_append(out, "", 1) != HPOLAB_OK)
        return HPOLAB_ERR_NOMEM;
    out->len--;
    return HPOLAB_OK;
}

static int32_t append_str(struct hpolab_buffer *b, const char *s)
{
    return hpolab_buffer_append(b, s, strlen(s));
}

/* Removes "." and ".." segments and repeated '/'; keeps a trailing '/'. */
static char *normalize_path(const char *path)
{
    size_t n = strlen(path);
    char *out = malloc(n + 2);
    if (!out)
        return NULL;
    size_t len = 0;
    out[len++] = '/';
    const char *p = path;
    while (*p) {
        while (*p == '/')
            p++;
        const char *seg = p;
        while (*p && *p != '/')
            p++;
        size_t sl = (size_t)(p - seg);
        if (sl == 0)
            break;
        if (sl == 1 && seg[0] == '.') {
            /* drop */
        } else if (sl == 2 && seg[0] == '.' && seg[1] == '.') {
            if (len > 1) {
                len--; /* the '/' after the last segment */
                while (len > 1 && out[len - 1] != '/')
                    len--;
            }
        } else {
            memcpy(out + len, seg, sl);
            len += sl;
            out[len++] = '/';
        }
    }
    /* keep the trailing slash only if the input had one */
    int trailing = n > 0 && path[n - 1] == '/';
    if (!trailing && len > 1)
        len--;
    out[len] = '\0';
    return out;
}

static int32_t canonical_uri(struct hpolab_buffer *b,
                             const struct hpolab_aws_sign_input *in)
{
    const char *path = in->path && in->path[0] ? in->path : "/";
    if (in->s3_rules)
        return append_str(b, path);
    char *norm = normalize_path(path);
    if (!norm)
        return HPOLAB_ERR_NOMEM;
    int32_t st = hpolab_aws_uri_encode(b, norm, strlen(norm), 1);
    free(norm);
    return st;
}

struct qpair {
    char *name;  /* owned, encoded */
    char *value; /* owned, encoded */
};

static int cmp_qpair(const void *a, const void *b)
{
    const struct qpair *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : strcmp(x->value, y->value);
}

/* Decodes then re-encodes s[0..n) into a new string. */
static char *reencode(const char *s, size_t n)
{
    struct hpolab_buffer dec, enc;
    hpolab_buffer_init(&dec);
    hpolab_buffer_init(&enc);
    char *r = NULL;
    if (hpolab_aws_uri_decode(&dec, s, n) == HPOLAB_OK &&
        hpolab_aws_uri_encode(&enc, (const char *)dec.data, dec.len, 0) ==
            HPOLAB_OK &&
        hpolab_buffer_append(&enc, "", 1) == HPOLAB_OK) {
        r = (char *)enc.data;
        enc.data = NULL;
    }
    hpolab_buffer_free(&dec);
    hpolab_buffer_free(&enc);
    if (!r && n == 0)
        r = calloc(1, 1);
    return r;
}

static int32_t canonical_query(struct hpolab_buffer *b, const char *query)
{
    if (!query || !query[0])
        return HPOLAB_OK;
    size_t cap = 1;
    for (const char *p = query; *p; p++)
        cap += *p == '&';
    struct qpair *pairs = calloc(cap, sizeof *pairs);
    if (!pairs)
        return HPOLAB_ERR_NOMEM;
    size_t n = 0;
    int32_t st = HPOLAB_OK;
    const char *p = query;
    while (st == HPOLAB_OK) {
        const char *end = strchr(p, '&');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len > 0) {
            const char *eq = memchr(p, '=', len);
            size_t nl = eq ? (size_t)(eq - p) : len;
            pairs[n].name = reencode(p, nl);
            pairs[n].value =
                eq ? reencode(eq + 1, len - nl - 1) : calloc(1, 1);
            if (!pairs[n].name || !pairs[n].value)
                st = HPOLAB_ERR_NOMEM;
            n++;
        }
        if (!end)
            break;
        p = end + 1;
    }
    if (st == HPOLAB_OK) {
        qsort(pairs, n, sizeof *pairs, cmp_qpair);
        for (size_t i = 0; i < n && st == HPOLAB_OK; i++) {
            if (i > 0)
                st = append_str(b, "&");
            if (st == HPOLAB_OK)
                st = append_str(b, pairs[i].name);
            if (st == HPOLAB_OK)
                st = append_str(b, "=");
            if (st == HPOLAB_OK)
                st = append_str(b, pairs[i].value);
        }
    }
    for (size_t i = 0; i < n; i++) {
        free(pairs[i].name);
        free(pairs[i].value);
    }
    free(pairs);
    return st;
}

struct hline {
    char *name;        /* owned, lower case */
    const char *value; /* borrowed */
    size_t order;      /* original position: duplicates keep sent order */
};

static int cmp_hline(const void *a, const void *b)
{
    const struct hline *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    if (c)
        return c;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* Trimmed value with every run of blanks (incl. folded newlines) as one
 * space. */
static int32_t append_value(struct hpolab_buffer *b, const char *v)
{
    while (*v == ' ' || *v == '\t' || *v == '\r' || *v == '\n')
        v++;
    int pending = 0;
    for (; *v; v++) {
        if (*v == ' ' || *v == '\t' || *v == '\r' || *v == '\n') {
            pending = 1;
            continue;
        }
        if (pending && hpolab_buffer_append(b, " ", 1) != HPOLAB_OK)
            return HPOLAB_ERR_NOMEM;
        pending = 0;
        if (hpolab_buffer_append(b, v, 1) != HPOLAB_OK)
            return HPOLAB_ERR_NOMEM;
    }
    return HPOLAB_OK;
}

/* Writes the canonical headers to b and the SignedHeaders list to sh. */
static int32_t canonical_headers(struct hpolab_buffer *b,
                                 struct hpolab_buffer *sh,
                                 const struct hpolab_aws_sign_input *in)
{
    struct hline *h = calloc(in->n_headers ? in->n_headers : 1, sizeof *h);
    if (!h)
        return HPOLAB_ERR_NOMEM;
    int32_t st = HPOLAB_OK;
    for (size_t i = 0; i < in->n_headers && st == HPOLAB_OK; i++) {
        h[i].name = strdup(in->headers[i].name);
        h[i].value = in->headers[i].value ? in->headers[i].value : "";
        h[i].order = i;
        if (!h[i].name)
            st = HPOLAB_ERR_NOMEM;
        else
            for (char *c = h[i].name; *c; c++)
                *c = (char)tolower((unsigned char)*c);
    }
    if (st == HPOLAB_OK)
        qsort(h, in->n_headers, sizeof *h, cmp_hline);
    for (size_t i = 0; i < in->n_headers && st == HPOLAB_OK; i++) {
        int dup = i > 0 && strcmp(h[i].name, h[i - 1].name) == 0;
        if (dup) {
            st = append_str(b, ",");
        } else {
            if (i > 0)
                st = append_str(b, "\n");
            if (st == HPOLAB_OK && sh->len > 0)
                st = append_str(sh, ";");
            if (st == HPOLAB_OK)
                st = append_str(sh, h[i].name);
            if (st == HPOLAB_OK)
                st = append_str(b, h[i].name);
            if (st == HPOLAB_OK)
                st = append_str(b, ":");
        }
        if (st == HPOLAB_OK)
            st = append_value(b, h[i].value);
    }
    if (st == HPOLAB_OK && in->n_headers > 0)
        st = append_str(b, "\n");
    for (size_t i = 0; i < in->n_headers; i++)
        free(h[i].name);
    free(h);
    return st;
}

void hpolab_aws_signing_key(const char *secret, const char *date8,
                            const char *region, const char *service,
                            unsigned char out[32])
{
    size_t sl = strlen(secret);
    unsigned char *k = malloc(sl + 4);
    unsigned char a[32], b[32];
    if (!k) {
        memset(out, 0, 32);
        return;
    }
    memcpy(k, "AWS4", 4);
    memcpy(k + 4, secret, sl);
    hpolab_hmac_sha256(k, sl + 4, date8, strlen(date8), a);
    memset(k, 0, sl + 4); /* no copy of the secret outlives the call */
    free(k);
    hpolab_hmac_sha256(a, 32, region, strlen(region), b);
    hpolab_hmac_sha256(b, 32, service, strlen(service), a);
    hpolab_hmac_sha256(a, 32, TERMINATOR, strlen(TERMINATOR), out);
}

static char *take_string(struct hpolab_buffer *b)
{
    if (hpolab_buffer_append(b, "", 1) != HPOLAB_OK)
        return NULL;
    char *s = (char *)b->data;
    b->data = NULL;
    b->len = b->cap = 0;
    return s;
}

void hpolab_aws_signature_free(struct hpolab_aws_signature *sig)
{
    if (!sig)
        return;
    free(sig->canonical_request);
    free(sig->string_to_sign);
    free(sig->authorization);
    memset(sig, 0, sizeof *sig);
}

int32_t hpolab_aws_sign(const struct hpolab_aws_sign_input *in,
                        const char *access_key_id, const char *secret,
                        struct hpolab_aws_signature *sig,
                        struct hpolab_error *err)
{
    memset(sig, 0, sizeof *sig);
    if (!in->method || !in->amz_date || strlen(in->amz_date) != 16 ||
        !in->region || !in->region[0] || !in->service || !in->payload_hash ||
        !access_key_id || !secret)
        return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                "sigv4: expected method, x-amz-date "
                                "(YYYYMMDDTHHMMSSZ), region, service, "
                                "payload hash and credentials");
    struct hpolab_buffer cr, sh, sts, auth;
    hpolab_buffer_init(&cr);
    hpolab_buffer_init(&sh);
    hpolab_buffer_init(&sts);
    hpolab_buffer_init(&auth);
    int32_t st = append_str(&cr, in->method);
    if (st == HPOLAB_OK)
        st = append_str(&cr, "\n");
    if (st == HPOLAB_OK)
        st = canonical_uri(&cr, in);
    if (st == HPOLAB_OK)
        st = append_str(&cr, "\n");
    if (st == HPOLAB_OK)
        st = canonical_query(&cr, in->query);
    if (st == HPOLAB_OK)
        st = append_str(&cr, "\n");
    if (st == HPOLAB_OK)
        st = canonical_headers(&cr, &sh, in);
    if (st == HPOLAB_OK)
        st = append_str(&cr, "\n");
    if (st == HPOLAB_OK)
        st = hpolab_buffer_append(&cr, sh.data, sh.len);
    if (st == HPOLAB_OK)
        st = append_str(&cr, "\n");
    if (st == HPOLAB_OK)
        st = append_str(&cr, in->payload_hash);

    char date8[9];
    memcpy(date8, in->amz_date, 8);
    date8[8] = '\0';
    char crhash[65];
    if (st == HPOLAB_OK) {
        hpolab_sha256_hex(cr.data, cr.len, crhash);
        const char *parts[] = {"AWS4-HMAC-SHA256\n", in->amz_date, "\n",
                               date8, "/", in->region, "/", in->service,
                               "/" TERMINATOR "\n", crhash};
        for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
            if (st == HPOLAB_OK)
                st = append_str(&sts, parts[i]);
    }
    if (st == HPOLAB_OK) {
        unsigned char key[32], mac[32];
        hpolab_aws_signing_key(secret, date8, in->region, in->service, key);
        hpolab_hmac_sha256(key, 32, sts.data, sts.len, mac);
        memset(key, 0, sizeof key);
        hpolab_hex_lower(mac, 32, sig->signature);
        const char *parts[] = {"AWS4-HMAC-SHA256 Credential=", access_key_id,
                               "/", date8, "/", in->region, "/",
                               in->service, "/" TERMINATOR ", SignedHeaders="};
        for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
            if (st == HPOLAB_OK)
                st = append_str(&auth, parts[i]);
        if (st == HPOLAB_OK)
            st = hpolab_buffer_append(&auth, sh.data, sh.len);
        if (st == HPOLAB_OK)
            st = append_str(&auth, ", Signature=");
        if (st == HPOLAB_OK)
            st = append_str(&auth, sig->signature);
    }
    if (st == HPOLAB_OK) {
        sig->canonical_request = take_string(&cr);
        sig->string_to_sign = take_string(&sts);
        sig->authorization = take_string(&auth);
        if (!sig->canonical_request || !sig->string_to_sign ||
            !sig->authorization)
            st = HPOLAB_ERR_NOMEM;
    }
    hpolab_buffer_free(&cr);
    hpolab_buffer_free(&sh);
    hpolab_buffer_free(&sts);
    hpolab_buffer_free(&auth);
    if (st != HPOLAB_OK) {
        hpolab_aws_signature_free(sig);
        return hpolab_error_set(err, st, "sigv4: out of memory");
    }
    return HPOLAB_OK;
}

void hpolab_aws_amz_date(int64_t t, char out[17])
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

void hpolab_aws_chunk_signature(const unsigned char key[32],
                                const char *amz_date, const char *region,
                                const char *service, const char *previous,
                                const void *chunk, size_t len, char out[65])
{
    char chash[65];
    hpolab_sha256_hex(chunk ? chunk : "", len, chash);
    struct hpolab_buffer b;
    hpolab_buffer_init(&b);
    const char *parts[] = {"AWS4-HMAC-SHA256-PAYLOAD\n", amz_date, "\n",
                           NULL, "/", region, "/", service,
                           "/" TERMINATOR "\n", previous, "\n",
                           HPOLAB_AWS_EMPTY_SHA256 "\n", chash};
    char date8[9];
    snprintf(date8, sizeof date8, "%.8s", amz_date);
    parts[3] = date8;
    int32_t st = HPOLAB_OK;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        if (st == HPOLAB_OK)
            st = append_str(&b, parts[i]);
    unsigned char mac[32];
    if (st == HPOLAB_OK) {
        hpolab_hmac_sha256(key, 32, b.data, b.len, mac);
        hpolab_hex_lower(mac, 32, out);
    } else {
        out[0] = '\0';
    }
    hpolab_buffer_free(&b);
}
