/* launch_record.h: the launch record <results>/<tag>/launch.json: the plan
 * of a launch (launch_plan.h) as JSON, written atomically once the jobs are
 * planned and again when the engine learned their ids. It is how `hpolab
 * status`, `hpolab cancel` and each job (`hpolab job`) find a launched study
 * from another shell or another machine with the same results folder. */
#ifndef HPOLAB_CORE_LAUNCH_RECORD_H
#define HPOLAB_CORE_LAUNCH_RECORD_H

#include "error.h"
#include "launch_plan.h"

#define HPOLAB_LAUNCH_RECORD_NAME "launch.json"
#define HPOLAB_LAUNCH_RECORD_FORMAT 1

/* Write <plan->root>/launch.json (temp file + rename). */
int32_t hpolab_launch_record_write(const struct hpolab_launch_plan *plan,
                                   struct hpolab_error *err);

/* Read <root>/launch.json into *plan (initialised here; free it with
 * hpolab_launch_plan_free also on failure). A missing record is
 * HPOLAB_ERR_NOT_FOUND; a malformed one HPOLAB_ERR_PARSE naming the file
 * and the JSON path. */
int32_t hpolab_launch_record_read(const char *root,
                                  struct hpolab_launch_plan *plan,
                                  struct hpolab_error *err);

#endif
