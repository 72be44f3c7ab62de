/* state_codec.h: the byte format the built-in plugins save their state in
 * (for --resume): little-endian integers, IEEE doubles, u32-length-prefixed
 * strings and configurations, written to a host buffer and read back with
 * messages that name what was being read and where. Shared by the plugins
 * of this tree through the static library hpolab_plugin_common; it uses
 * only the SDK's host table, so linking it keeps a plugin core-free.
 *
 * Both sides keep the first failure: after it every put/get is a no-op
 * (gets return 0/NULL), so a caller checks the status once at the end. */
#ifndef HPOLAB_PLUGIN_STATE_CODEC_H
#define HPOLAB_PLUGIN_STATE_CODEC_H

#include <hpolab/hpolab.h>
#include <stdint.h>

/* Appends to out, or only counts bytes when out is NULL (a first pass that
 * measures a part whose length is written before it). */
struct hpolab_state_writer {
    struct hpolab_buffer *out; /* [borrowed] or NULL */
    uint64_t len;              /* bytes put so far */
    int32_t st;                /* HPOLAB_OK until the first failure */
};

void hpolab_state_put(struct hpolab_state_writer *w, const void *p, uint64_t n);
/* The low `bytes` bytes (1..8) of v. */
void hpolab_state_put_u(struct hpolab_state_writer *w, uint64_t v, int bytes);
void hpolab_state_put_f64(struct hpolab_state_writer *w, double d);
/* u32 length, then the bytes (no NUL). */
void hpolab_state_put_str(struct hpolab_state_writer *w, const char *s);

/* Which entries of a configuration to save: NULL keeps all. */
typedef int (*hpolab_state_keep_fn)(const char *name, const void *user);

/* A keep function for configurations of a searcher: the entries that are
 * hyperparameters of the space (user: the const struct hpolab_space *);
 * constants are not saved, the space gives them back on restore. */
int hpolab_state_keep_hyperparameters(const char *name, const void *space);

/* u32 count of kept entries, each: u32 length + name, u8 HPOLAB_VALUE_*
 * type, value (i64 / f64 / u8 bool / u32 length + string). A null or JSON
 * value cannot be rebuilt through the host table: HPOLAB_ERR_UNSUPPORTED
 * with a message naming `whose` (e.g. "trial 3") and the entry. */
void hpolab_state_put_config(struct hpolab_state_writer *w,
                             struct hpolab_ctx *ctx,
                             const struct hpolab_config *c,
                             hpolab_state_keep_fn keep, const void *user,
                             const char *whose);

/* Reads p[pos..end). label names the state in messages ("ASHA",
 * "random searcher"): "restore: <label> state, <what went wrong>". */
struct hpolab_state_reader {
    const unsigned char *p; /* [borrowed] */
    uint64_t end, pos;
    struct hpolab_ctx *ctx;
    int32_t st;
    const char *label; /* [borrowed, static] */
};

/* Records the first failure (message as above) and returns the status. */
int32_t hpolab_state_bad(struct hpolab_state_reader *r, int32_t status,
                         const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
uint64_t hpolab_state_get_u(struct hpolab_state_reader *r, int bytes,
                            const char *what);
double hpolab_state_get_f64(struct hpolab_state_reader *r, const char *what);
/* A NUL-terminated copy [owned: free], or NULL after a failure. */
char *hpolab_state_get_str(struct hpolab_state_reader *r, const char *what);
/* A count of items of at least item_size bytes each that must fit in what
 * is left (guards allocations against a damaged count); 0 after a
 * failure. */
uint64_t hpolab_state_get_count(struct hpolab_state_reader *r, int bytes,
                                uint64_t item_size, const char *what);
/* A configuration as put_config wrote it [owned: config_free], or NULL
 * after a failure. */
struct hpolab_config *hpolab_state_get_config(struct hpolab_state_reader *r);
/* Fails unless every byte up to end was read. */
void hpolab_state_expect_end(struct hpolab_state_reader *r);

#endif
