/* plugin_pack_sha256.h: SHA-256 (FIPS 180-4) of files in a plugin package.
 * Small and self-contained so that the core needs no crypto library just to
 * check a manifest. */
#ifndef HPOLAB_CORE_PLUGIN_PACK_SHA256_H
#define HPOLAB_CORE_PLUGIN_PACK_SHA256_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define HPOLAB_SHA256_HEX 65 /* 64 hex digits and the NUL */

struct hpolab_sha256 {
    uint32_t h[8];
    uint64_t len;          /* bytes hashed so far */
    unsigned char buf[64]; /* pending partial block */
    size_t fill;
};

void hpolab_sha256_init(struct hpolab_sha256 *s);
void hpolab_sha256_update(struct hpolab_sha256 *s, const void *data,
                          size_t len);
/* Lowercase hex digest into hex (HPOLAB_SHA256_HEX bytes). */
void hpolab_sha256_final_hex(struct hpolab_sha256 *s,
                             char hex[HPOLAB_SHA256_HEX]);
/* The digest of a whole file; a missing or unreadable file is HPOLAB_ERR_IO
 * naming the path. */
int32_t hpolab_sha256_file(const char *path, char hex[HPOLAB_SHA256_HEX],
                           struct hpolab_error *err);

#endif
