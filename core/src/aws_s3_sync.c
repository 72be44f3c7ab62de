/* aws_s3_sync.c: download a study's results (aws_s3_sync.h). */
#include "aws_s3_sync.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "aws_crypto.h"
#include "aws_s3.h"
#include "fsutil.h"
#include "log.h"
#include "tuner_name.h"

static int wanted(const char *rel, int all)
{
    if (all)
        return 1;
    const char *base = strrchr(rel, '/');
    base = base ? base + 1 : rel;
    return strcmp(base, "metadata.json") == 0 ||
           strcmp(base, "results.csv.zip") == 0;
}

/* A key part that stays inside the tag folder: no empty, "." or ".."
 * segment, no leading '/'. */
static int safe_relative(const char *rel)
{
    if (!rel[0] || rel[0] == '/')
        return 0;
    const char *p = rel;
    while (*p) {
        size_t n = strcspn(p, "/");
        if (n == 0 || (n == 1 && p[0] == '.') ||
            (n == 2 && p[0] == '.' && p[1] == '.'))
            return 0;
        p += n;
        if (*p == '/')
            p++;
        else
            break;
    }
    return rel[strlen(rel) - 1] != '/';
}

/* 1 when the local file has the object's size and (for single-part
 * ETags) its MD5. */
static int unchanged(const char *path, const struct hpolab_s3_object *o)
{
    struct stat st;
    if (stat(path, &st) != 0 || (uint64_t)st.st_size != o->size)
        return 0;
    if (!o->etag || strchr(o->etag, '-'))
        return 1; /* multipart ETag: not an MD5 of the content */
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx && EVP_DigestInit_ex(ctx, EVP_md5(), NULL);
    unsigned char buf[1 << 16];
    size_t n;
    while (ok && (n = fread(buf, 1, sizeof buf, f)) > 0)
        EVP_DigestUpdate(ctx, buf, n);
    unsigned char md[16];
    unsigned int ml = 0;
    char hex[33];
    if (ok && EVP_DigestFinal_ex(ctx, md, &ml))
        hpolab_hex_lower(md, 16, hex);
    else
        ok = 0;
    EVP_MD_CTX_free(ctx);
    fclose(f);
    if (!ok)
        return 0;
    const char *e = o->etag[0] == '"' ? o->etag + 1 : o->etag;
    return strncmp(e, hex, 32) == 0;
}

static int32_t mkdir_parent(const char *path, struct hpolab_error *err)
{
    char *dir = strdup(path);
    if (!dir)
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    char *slash = strrchr(dir, '/');
    int32_t st = HPOLAB_OK;
    if (slash && slash != dir) {
        *slash = '\0';
        st = hpolab_mkdir_p(dir, err);
    }
    free(dir);
    return st;
}

int32_t hpolab_s3_sync_tag(struct hpolab_aws_client *c,
                           const struct hpolab_s3_sync_options *o,
                           struct hpolab_s3_sync_result *r,
                           struct hpolab_error *err)
{
    memset(r, 0, sizeof *r);
    if (!o->bucket || !o->bucket[0])
        return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                "sync: no bucket given (--bucket or "
                                "HPOLAB_S3_BUCKET)");
    int32_t st = hpolab_validate_tag(o->tag, err);
    if (st != HPOLAB_OK)
        return st;
    char prefix[512];
    snprintf(prefix, sizeof prefix, "%s/%s/", HPOLAB_S3_ROOT, o->tag);
    struct hpolab_s3_list l;
    st = hpolab_s3_list(c, o->bucket, prefix, 0, &l, err);
    if (st != HPOLAB_OK)
        return st;
    r->listed = (int)l.n;
    if (l.n == 0) {
        hpolab_s3_list_free(&l);
        return hpolab_error_set(err, HPOLAB_ERR_NOT_FOUND,
                                "s3://%s/%s: no results there (check the tag "
                                "and --bucket)",
                                o->bucket, prefix);
    }
    size_t root_len = strlen(HPOLAB_S3_ROOT) + 1;
    int failed = 0;
    struct hpolab_error first;
    first.message[0] = '\0';
    for (size_t i = 0; i < l.n; i++) {
        const char *key = l.items[i].key;
        const char *rel = key + root_len; /* "<tag>/..." */
        if (!safe_relative(rel) || strncmp(key, prefix, strlen(prefix)) != 0) {
            hpolab_logf(HPOLAB_LOG_WARN,
                        "sync: skipping s3://%s/%s: not a plain path under "
                        "the tag's folder",
                        o->bucket, key);
            r->refused++;
            continue;
        }
        if (!wanted(rel, o->all))
            continue;
        char *local = hpolab_path_join(o->results_dir, rel);
        if (!local) {
            st = hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
            break;
        }
        if (unchanged(local, &l.items[i])) {
            r->unchanged++;
            free(local);
            continue;
        }
        struct hpolab_error ferr;
        int32_t fst = mkdir_parent(local, &ferr);
        if (fst == HPOLAB_OK)
            fst = hpolab_s3_get_file(c, o->bucket, key, local, &ferr);
        if (fst == HPOLAB_OK) {
            r->downloaded++;
            r->bytes += l.items[i].size;
            hpolab_logf(HPOLAB_LOG_INFO, "sync: %s", local);
        } else {
            if (!failed)
                first = ferr;
            failed++;
        }
        free(local);
    }
    hpolab_s3_list_free(&l);
    if (st == HPOLAB_OK && failed)
        st = hpolab_error_set(err, first.status ? first.status : HPOLAB_ERR_IO,
                              "sync: %d file%s could not be downloaded "
                              "(the others were); first: %s",
                              failed, failed == 1 ? "" : "s", first.message);
    return st;
}
