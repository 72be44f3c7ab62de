/* aws_crypto.h: the hashes SigV4 and S3 need (OpenSSL), as lowercase hex. */
#ifndef HPOLAB_CORE_AWS_CRYPTO_H
#define HPOLAB_CORE_AWS_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#define HPOLAB_SHA256_HEX_LEN 64
/* SHA-256 of the empty string, the payload hash of a bodyless request. */
#define HPOLAB_AWS_EMPTY_SHA256 \
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* out: 65 bytes (64 hex digits and NUL). */
void hpolab_sha256_hex(const void *data, size_t len, char out[65]);
/* out: 32 bytes. */
void hpolab_hmac_sha256(const void *key, size_t key_len, const void *data,
                        size_t len, unsigned char out[32]);
void hpolab_hex_lower(const unsigned char *bytes, size_t n, char *out);

/* Streaming SHA-256 of a file range, for payload hashes of big bodies. */
struct hpolab_error;
int32_t hpolab_sha256_file_hex(const char *path, uint64_t offset,
                               uint64_t length, char out[65],
                               struct hpolab_error *err);

#endif
