/* hpolab/status.h: status codes returned by every fallible function of the
 * host table and every fallible plugin callback.
 *
 * Values are int32_t and frozen: a code is never renumbered or reused; a
 * retired one becomes HPOLAB_ERR_OBSOLETE_<n>. A new code bumps the ABI minor.
 * The text of a code is host->status_str(code); the details of a failure go to
 * host->set_error() on the call's context. */
#ifndef HPOLAB_STATUS_H
#define HPOLAB_STATUS_H

#include "abi.h"

#define HPOLAB_OK 0                 /* success */
#define HPOLAB_ERR_INVALID 1        /* an argument or input is not valid */
#define HPOLAB_ERR_NOMEM 2          /* out of memory */
#define HPOLAB_ERR_NOT_FOUND 3      /* a named thing does not exist */
#define HPOLAB_ERR_EXISTS 4         /* a named thing exists already */
#define HPOLAB_ERR_IO 5             /* a file or stream operation failed */
#define HPOLAB_ERR_UNSUPPORTED 6    /* not supported by this host/plugin */
#define HPOLAB_ERR_STATE 7          /* called in the wrong state */
#define HPOLAB_ERR_ABI 8            /* ABI version or struct size mismatch */
#define HPOLAB_ERR_INTERNAL 9       /* an internal invariant failed */
#define HPOLAB_ERR_TYPE 10          /* a value has the wrong type */
#define HPOLAB_ERR_RANGE 11         /* a value is out of its range */
#define HPOLAB_ERR_PLUGIN 12        /* a plugin failed to load or misbehaved */
#define HPOLAB_ERR_INTERRUPTED 13   /* interrupted by a signal or the user */
#define HPOLAB_ERR_PARSE 14         /* text could not be parsed */
#define HPOLAB_ERR_PROCESS 15       /* starting or controlling a process failed */
#define HPOLAB_ERR_TIMEOUT 16       /* a wait ran out of time */
#define HPOLAB_ERR_EXHAUSTED 17     /* nothing left (e.g. configuration space) */
/* ABI 1.1+: append new codes here, never reuse a number. */

#endif /* HPOLAB_STATUS_H */
