/* buffer.h: a growable byte buffer (struct hpolab_buffer of the ABI), used
 * for plugin state that save callbacks write. */
#ifndef HPOLAB_CORE_BUFFER_H
#define HPOLAB_CORE_BUFFER_H

#include <hpolab/types.h>
#include <stddef.h>

struct hpolab_buffer {
    unsigned char *data; /* owned */
    size_t len;
    size_t cap;
};

void hpolab_buffer_init(struct hpolab_buffer *buf);
void hpolab_buffer_free(struct hpolab_buffer *buf);
/* HPOLAB_OK or HPOLAB_ERR_NOMEM. */
int32_t hpolab_buffer_append(struct hpolab_buffer *buf, const void *data,
                             size_t len);

#endif
