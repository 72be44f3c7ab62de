/* backend_args.c: see backend_args.h. */
#include "backend_args.h"

#include <stddef.h>

int32_t hpolab_common_backend_args_check(struct hpolab_ctx *ctx,
                                         const struct hpolab_backend_args *args,
                                         int needs_entry)
{
    if (!args ||
        args->struct_size <
            offsetof(struct hpolab_backend_args, wake_fd) + sizeof(int32_t))
        return hpolab_set_error(ctx, HPOLAB_ERR_ABI,
                                "backend arguments are too small");
    if (needs_entry &&
        (args->entry_argc < 1 || !args->entry_argv || !args->entry_argv[0]))
        return hpolab_set_error(ctx, HPOLAB_ERR_INVALID,
                                "the benchmark has no entry point to run");
    return HPOLAB_OK;
}
