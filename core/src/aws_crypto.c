/* aws_crypto.c: SHA-256 and HMAC-SHA256 through OpenSSL (aws_crypto.h). */
#include "aws_crypto.h"

#include <errno.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "error.h"

void hpolab_hex_lower(const unsigned char *bytes, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 15];
    }
    out[2 * n] = '\0';
}

/* OpenSSL 3 looks the algorithm up on every one-shot call; fetching it
 * once makes a signature several times cheaper. */
static pthread_once_t md_once = PTHREAD_ONCE_INIT;
static EVP_MD *sha256_md;

static void fetch_md(void)
{
    sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

static const EVP_MD *sha256(void)
{
    pthread_once(&md_once, fetch_md);
    return sha256_md ? sha256_md : EVP_sha256();
}

static void digest(const void *a, size_t al, const void *b, size_t bl,
                   unsigned char out[32])
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned int n = 32;
    if (!ctx || !EVP_DigestInit_ex(ctx, sha256(), NULL) ||
        !EVP_DigestUpdate(ctx, a, al) || (bl && !EVP_DigestUpdate(ctx, b, bl)) ||
        !EVP_DigestFinal_ex(ctx, out, &n))
        memset(out, 0, 32); /* only on allocation failure */
    EVP_MD_CTX_free(ctx);
}

void hpolab_sha256_hex(const void *data, size_t len, char out[65])
{
    unsigned char md[SHA256_DIGEST_LENGTH];
    digest(data, len, NULL, 0, md);
    hpolab_hex_lower(md, sizeof md, out);
}

/* RFC 2104 over the cached SHA-256. */
void hpolab_hmac_sha256(const void *key, size_t key_len, const void *data,
                        size_t len, unsigned char out[32])
{
    unsigned char k[64] = {0}, ipad[64], opad[64], inner[32];
    if (key_len > 64)
        digest(key, key_len, NULL, 0, k);
    else
        memcpy(k, key, key_len);
    for (int i = 0; i < 64; i++) {
        ipad[i] = k[i] ^ 0x36;
        opad[i] = k[i] ^ 0x5c;
    }
    digest(ipad, 64, data, len, inner);
    digest(opad, 64, inner, 32, out);
    memset(k, 0, sizeof k);
    memset(ipad, 0, sizeof ipad);
    memset(opad, 0, sizeof opad);
}

int32_t hpolab_sha256_file_hex(const char *path, uint64_t offset,
                               uint64_t length, char out[65],
                               struct hpolab_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return hpolab_error_set(err, HPOLAB_ERR_IO, "%s: cannot open: %s",
                                path, strerror(errno));
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int32_t st = HPOLAB_OK;
    if (!ctx || !EVP_DigestInit_ex(ctx, sha256(), NULL)) {
        st = hpolab_error_set(err, HPOLAB_ERR_NOMEM, "sha256: no context");
        goto out;
    }
    if (fseeko(f, (off_t)offset, SEEK_SET) != 0) {
        st = hpolab_error_set(err, HPOLAB_ERR_IO, "%s: cannot seek: %s",
                              path, strerror(errno));
        goto out;
    }
    unsigned char buf[1 << 16];
    uint64_t left = length;
    while (left > 0) {
        size_t want = left < sizeof buf ? (size_t)left : sizeof buf;
        size_t got = fread(buf, 1, want, f);
        if (got == 0) {
            st = hpolab_error_set(err, HPOLAB_ERR_IO,
                                  "%s: ended %llu bytes early", path,
                                  (unsigned long long)left);
            goto out;
        }
        EVP_DigestUpdate(ctx, buf, got);
        left -= got;
    }
    unsigned char md[32];
    unsigned int md_len = 0;
    EVP_DigestFinal_ex(ctx, md, &md_len);
    hpolab_hex_lower(md, 32, out);
out:
    EVP_MD_CTX_free(ctx);
    fclose(f);
    return st;
}
