/* hpolab/plugin.h: the plugin descriptor and HPOLAB_PLUGIN_DEFINE, which a
 * plugin uses exactly once, in one of its .c files:
 *
 *     static int32_t my_init(struct hpolab_ctx *ctx)
 *     {
 *         return hpolab_register_searcher(ctx, &my_searcher_class);
 *     }
 *     HPOLAB_PLUGIN_DEFINE(my_searcher, "1.0.0", "My searcher", "MIT",
 *                          my_init, NULL)
 *
 * The macro exports the one symbol the host looks for, hpolab_plugin_entry,
 * returning a descriptor with the ABI version baked in, and sets hpolab_host
 * before init runs. */
#ifndef HPOLAB_PLUGIN_H
#define HPOLAB_PLUGIN_H

#include "host.h"

HPOLAB_EXTERN_C_BEGIN

/* ABI 1.0. The host reads only fields inside struct_size and refuses a
 * descriptor smaller than HPOLAB_PLUGIN_INFO_MIN_SIZE. */
struct hpolab_plugin_info {
    uint32_t struct_size;    /* sizeof(struct hpolab_plugin_info) when built */
    uint16_t abi_major;      /* HPOLAB_ABI_MAJOR the plugin was built against */
    uint16_t abi_minor;      /* lowest host ABI minor the plugin needs */
    const char *name;        /* plugin name, [a-z0-9_]+, required */
    const char *version;     /* the plugin's own version, required */
    const char *description; /* one line, required */
    const char *license;     /* SPDX id or NULL */
    /* Required: register the plugin's components. host is the host table
     * (also stored in hpolab_host by HPOLAB_PLUGIN_DEFINE). Called once per
     * load, before any other call. */
    int32_t(HPOLAB_ABI *init)(struct hpolab_ctx *ctx,
                              const struct hpolab_host_api *host);
    /* Optional: called once when the host unloads the plugin. */
    void(HPOLAB_ABI *fini)(void);
    /* ABI 1.1+: append here only */
};

#define HPOLAB_PLUGIN_INFO_MIN_SIZE                  \
    (offsetof(struct hpolab_plugin_info, fini) +     \
     sizeof(((struct hpolab_plugin_info *)0)->fini))

/* The name of the one exported symbol. */
#define HPOLAB_PLUGIN_ENTRY_SYMBOL "hpolab_plugin_entry"

HPOLAB_PLUGIN_EXPORT const struct hpolab_plugin_info *hpolab_plugin_entry(void);

#define HPOLAB_PLUGIN_DEFINE(name_, version_, description_, license_,       \
                             init_fn, fini_fn)                              \
    const struct hpolab_host_api *hpolab_host;                              \
    static int32_t HPOLAB_ABI hpolab_plugin_init_(                          \
        struct hpolab_ctx *ctx, const struct hpolab_host_api *host)         \
    {                                                                       \
        hpolab_host = host;                                                 \
        return init_fn(ctx);                                                \
    }                                                                       \
    static const struct hpolab_plugin_info hpolab_plugin_info_ = {          \
        sizeof(struct hpolab_plugin_info),                                  \
        HPOLAB_ABI_MAJOR,                                                   \
        HPOLAB_TARGET_ABI_MINOR,                                            \
        #name_,                                                             \
        version_,                                                           \
        description_,                                                       \
        license_,                                                           \
        hpolab_plugin_init_,                                                \
        fini_fn};                                                           \
    HPOLAB_PLUGIN_EXPORT const struct hpolab_plugin_info *                  \
    hpolab_plugin_entry(void)                                               \
    {                                                                       \
        return &hpolab_plugin_info_;                                        \
    }

HPOLAB_EXTERN_C_END

#endif /* HPOLAB_PLUGIN_H */
