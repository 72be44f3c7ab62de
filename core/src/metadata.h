/* metadata.h: <experiment dir>/metadata.json, written once when tuning
 * starts (framework reference §2.8). The text is what Python's
 * json.dump(metadata, f) writes (see json_py.h), so Syne Tune's tools and
 * hpolab read the same file. */
#ifndef HPOLAB_CORE_METADATA_H
#define HPOLAB_CORE_METADATA_H

#include <jansson.h>
#include <stdint.h>

#include "error.h"

#define HPOLAB_METADATA_JSON "metadata.json"
/* The key that makes a metadata.json valid for result discovery. */
#define HPOLAB_METADATA_CREATION_KEY "st_tuner_creation_timestamp"

/* Write <dir>/metadata.json atomically; metadata must be a JSON object. */
int32_t hpolab_metadata_write(const char *dir, const json_t *metadata,
                              struct hpolab_error *err);

/* Read <dir>/metadata.json. Valid only if it is a JSON object holding
 * st_tuner_creation_timestamp (HPOLAB_ERR_INVALID otherwise, so discovery can
 * skip it); a missing file is HPOLAB_ERR_NOT_FOUND, malformed JSON
 * HPOLAB_ERR_PARSE with line and column. Keys keep the file's order. Python's
 * bare NaN, Infinity and -Infinity are accepted (read as null, which jansson
 * cannot hold otherwise). *out [owned: json_decref]. */
int32_t hpolab_metadata_read(const char *dir, json_t **out,
                             struct hpolab_error *err);

#endif
