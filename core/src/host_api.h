/* host_api.h: the host function table handed to every plugin's init. */
#ifndef HPOLAB_CORE_HOST_API_H
#define HPOLAB_CORE_HOST_API_H

#include <hpolab/host.h>

/* [static] The one table, filled once with designated initializers. */
const struct hpolab_host_api *hpolab_host_api(void);

#endif
