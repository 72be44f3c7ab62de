/* metric_line.h: the metric reports a training script prints on stdout,
 * "[tune-metric]: {json}" (Syne Tune's Reporter format), turned into records.
 *
 * Which lines are reports follows Syne Tune's regular expression
 * \[tune-metric\]: (\{.*\}) exactly: the first tag that is directly followed
 * by '{' with a '}' later on the line; the capture is greedy up to the last
 * '}' of the line. One difference, in diagnostics only: a line that carries
 * the tag but no such match ("[tune-metric]: {"a": 1" cut short) is reported
 * as malformed instead of being skipped silently.
 *
 * The JSON is what Python's json.loads accepts, minus what a record cannot
 * hold: numbers, strings, true/false/null, the bare tokens NaN, Infinity and
 * -Infinity (Python's encoder writes them), and nested arrays/objects (kept as
 * compact JSON text, HPOLAB_VALUE_JSON; NaN may appear inside them too).
 * Integers stay HPOLAB_VALUE_INT unless they do not fit in int64 (then they
 * become doubles); other numbers are doubles. Duplicate keys: the last value
 * wins at the place of the first (as a Python dict). Refused, with a message:
 * invalid UTF-8 in a string, unpaired surrogate escapes, "\u0000" (records
 * hold C strings), nesting deeper than HPOLAB_METRIC_MAX_DEPTH. */
#ifndef HPOLAB_CORE_METRIC_LINE_H
#define HPOLAB_CORE_METRIC_LINE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "record.h"

#define HPOLAB_METRIC_TAG "[tune-metric]: "
/* Objects and arrays nested deeper than this are refused (the report object
 * itself is level 1). */
#define HPOLAB_METRIC_MAX_DEPTH 64

/* Parse the report in line[0..len) (no NUL terminator needed; NUL bytes and
 * invalid UTF-8 are handled). *found = 0 when the line carries no tag: not a
 * report, returns HPOLAB_OK. With a tag: HPOLAB_OK and out holds the report,
 * or HPOLAB_ERR_PARSE with a message saying what is wrong at which byte
 * offset of the line (the caller adds trial and line number), or
 * HPOLAB_ERR_NOMEM. out is always initialised: [owned: hpolab_record_free]
 * on success, empty otherwise. */
int32_t hpolab_metric_line_parse(const char *line, size_t len,
                                 struct hpolab_record *out, int *found,
                                 struct hpolab_error *err);

/* Parse a bare report object text (emit_result of a simulated backend): one
 * JSON object with the same value rules, optionally surrounded by JSON
 * whitespace. Offsets in messages count from the start of json. out as
 * above. */
int32_t hpolab_metric_json_parse(const char *json, size_t len,
                                 struct hpolab_record *out,
                                 struct hpolab_error *err);

#endif
