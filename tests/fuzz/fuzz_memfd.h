/* fuzz_memfd.h: the fuzz input as a file, for parsers that take a path: an
 * anonymous in-memory file, named /proc/self/fd/N. */
#ifndef HPOLAB_FUZZ_MEMFD_H
#define HPOLAB_FUZZ_MEMFD_H

#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

/* Returns the descriptor (close it when done) and its path in path, or -1. */
static inline int fuzz_memfd(const char *name, const uint8_t *data,
                             size_t size, char *path, size_t path_size)
{
    int fd = memfd_create(name, MFD_CLOEXEC);
    if (fd < 0)
        return -1;
    if (write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return -1;
    }
    snprintf(path, path_size, "/proc/self/fd/%d", fd);
    return fd;
}

#endif
