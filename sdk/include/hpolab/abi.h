/* hpolab/abi.h: the ABI version of this SDK and the macros that every plugin
 * header needs. Included by every other SDK header; plugin authors normally
 * include <hpolab/hpolab.h> instead.
 *
 * The ABI version is independent of the product version. A plugin built
 * against ABI MAJOR.MINOR loads into any host with the same MAJOR and a MINOR
 * at least as large (see sdk/ABI.md). */
#ifndef HPOLAB_ABI_H
#define HPOLAB_ABI_H

#include <stddef.h>
#include <stdint.h>

#define HPOLAB_ABI_MAJOR 1
#define HPOLAB_ABI_MINOR 1

/* A plugin may target an older host by defining HPOLAB_TARGET_ABI_MINOR
 * before including the SDK; it must then guard newer host calls with
 * HPOLAB_HOST_HAS(). */
#ifndef HPOLAB_TARGET_ABI_MINOR
#define HPOLAB_TARGET_ABI_MINOR HPOLAB_ABI_MINOR
#endif

#if defined(__GNUC__) || defined(__clang__)
#define HPOLAB_PLUGIN_EXPORT __attribute__((visibility("default")))
#define HPOLAB_PRINTF(fmt_index, first_arg) \
    __attribute__((format(printf, fmt_index, first_arg)))
#else
#define HPOLAB_PLUGIN_EXPORT
#define HPOLAB_PRINTF(fmt_index, first_arg)
#endif

/* Calling convention of every function pointer in the ABI (empty on ELF). */
#define HPOLAB_ABI

#ifdef __cplusplus
#define HPOLAB_EXTERN_C_BEGIN extern "C" {
#define HPOLAB_EXTERN_C_END }
#else
#define HPOLAB_EXTERN_C_BEGIN
#define HPOLAB_EXTERN_C_END
#endif

#endif /* HPOLAB_ABI_H */
