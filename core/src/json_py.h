/* json_py.h: JSON text exactly as Python's json.dumps(obj) writes it, so
 * files hpolab writes (metadata.json) are byte-identical to Syne Tune's:
 * separators ", " and ": ", keys in insertion order, no indentation, floats
 * in shortest round-trip form ("1e-05", "2.0"), non-ASCII characters escaped
 * as \uXXXX (ensure_ascii=True, Python's default). */
#ifndef HPOLAB_CORE_JSON_PY_H
#define HPOLAB_CORE_JSON_PY_H

#include <jansson.h>

/* [owned: free]; NULL on out of memory or a NULL json. */
char *hpolab_json_dumps_py(const json_t *json);

#endif
