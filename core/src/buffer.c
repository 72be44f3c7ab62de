#include "buffer.h"

#include <hpolab/status.h>
#include <stdlib.h>
#include <string.h>

void hpolab_buffer_init(struct hpolab_buffer *buf)
{
    buf->data = NULL;
    buf->len = buf->cap = 0;
}

void hpolab_buffer_free(struct hpolab_buffer *buf)
{
    free(buf->data);
    hpolab_buffer_init(buf);
}

int32_t hpolab_buffer_append(struct hpolab_buffer *buf, const void *data,
                             size_t len)
{
    if (len > buf->cap - buf->len) {
        size_t cap = buf->cap ? buf->cap : 256;
        while (cap - buf->len < len) {
            if (cap > SIZE_MAX / 2)
                return HPOLAB_ERR_NOMEM;
            cap *= 2;
        }
        unsigned char *p = realloc(buf->data, cap);
        if (!p)
            return HPOLAB_ERR_NOMEM;
        buf->data = p;
        buf->cap = cap;
    }
    if (len)
        memcpy(buf->data + buf->len, data, len);
    buf->len += len;
    return HPOLAB_OK;
}
