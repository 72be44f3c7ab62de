/* hpolab/hpolab.h: umbrella header for plugin authors. */
#ifndef HPOLAB_HPOLAB_H
#define HPOLAB_HPOLAB_H

#include "abi.h"
#include "backend.h"
#include "ext_virtual_clock.h"
#include "host.h"
#include "plotter.h"
#include "plugin.h"
#include "scheduler.h"
#include "searcher.h"
#include "status.h"
#include "types.h"

#endif /* HPOLAB_HPOLAB_H */
