/* aws_crypto.c: SHA-256 and HMAC-SHA256 through OpenSSL (aws_crypto.h). */
#include "aws_crypto.h"

#include <errno.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
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

void hpolab_sha256_hex(const void *data, size_t len, char out[65])
{
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256(data, len, md);
    hpolab_hex_lower(md, sizeof md, out);
}

void hpolab_hmac_sha256(const void *key, size_t key_len, const void *data,
                        size_t len, unsigned char out[32])
{
    unsigned int out_len = 32;
    HMAC(EVP_sha256(), key, (int)key_len, data, len, out, &out_len);
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
    if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
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
