/* hpolab/types.h: opaque handles and the small constants shared by every
 * component kind. Nothing here has a layout a plugin may depend on except the
 * size-prefixed argument structs declared in the component headers.
 *
 * Ownership vocabulary used on every pointer in the SDK:
 *   [borrowed]             valid until the callback returns (arguments) or for
 *                          the life of the handle it came from (getters);
 *                          copy to keep.
 *   [owned: X]             the receiver owns it and releases it with X.
 *   [transfers to host]    the host takes ownership when the call returns OK
 *                          (and also when it fails, unless the doc says not).
 * Thread tags: [tuner-thread] = called only from the tuner loop thread;
 * [init-only] = valid only inside the plugin's init; [any-thread]. */
#ifndef HPOLAB_TYPES_H
#define HPOLAB_TYPES_H

#include "abi.h"

/* Per-call context the host passes to every callback: identifies the
 * component instance (for log prefixes) and receives error messages. */
struct hpolab_ctx;
/* A configuration space (ordered: hyperparameter domains and constants). */
struct hpolab_space;
/* One configuration: ordered name -> value (hyperparameters and constants). */
struct hpolab_config;
/* A set of configurations compared by their match key (duplicate detection). */
struct hpolab_config_set;
/* One reported result: ordered name -> number/string/bool, as reported. */
struct hpolab_result;
/* Named options of a component instance, from the study file/command line. */
struct hpolab_options;
/* A random number generator with numpy's legacy RandomState algorithms. */
struct hpolab_rng;
/* A searcher instance created by the host for a scheduler. */
struct hpolab_searcher;
/* A byte buffer owned by the host, used by save callbacks. */
struct hpolab_buffer;
/* An aggregated figure handed to a plotter; read it with the host's
 * figure_* entries (ABI 1.1). */
struct hpolab_figure;

/* Optimisation direction of the objective metric. */
#define HPOLAB_MODE_MIN 0
#define HPOLAB_MODE_MAX 1

/* Scheduler decision on a reported result. */
#define HPOLAB_DECISION_CONTINUE 0
#define HPOLAB_DECISION_PAUSE 1
#define HPOLAB_DECISION_STOP 2

/* Trial status (the strings Syne Tune and SageMaker use are given). */
#define HPOLAB_TRIAL_IN_PROGRESS 0  /* "InProgress" */
#define HPOLAB_TRIAL_COMPLETED 1    /* "Completed" */
#define HPOLAB_TRIAL_FAILED 2       /* "Failed" */
#define HPOLAB_TRIAL_PAUSED 3       /* "Paused" */
#define HPOLAB_TRIAL_STOPPED 4      /* "Stopped" */
#define HPOLAB_TRIAL_STOPPING 5     /* "Stopping" */

/* Type of a value inside a configuration or result. */
#define HPOLAB_VALUE_NULL 0
#define HPOLAB_VALUE_INT 1
#define HPOLAB_VALUE_DOUBLE 2
#define HPOLAB_VALUE_STRING 3
#define HPOLAB_VALUE_BOOL 4
#define HPOLAB_VALUE_JSON 5 /* list or object; read it with *_json_dup */

/* Log levels. */
#define HPOLAB_LOG_ERROR 0
#define HPOLAB_LOG_WARN 1
#define HPOLAB_LOG_INFO 2
#define HPOLAB_LOG_DEBUG 3

#endif /* HPOLAB_TYPES_H */
