/* collect_template.h: naming an experiment's setup or subplot from its
 * metadata.json. A template holds {key} references to metadata keys
 * ("{algorithm}", "{n_workers} workers", "{{" and "}}" for literal braces);
 * a template without any brace is a bare key ("algorithm" = "{algorithm}"),
 * so Syne Tune's metadata_to_setup=lambda m: m["algorithm"] is just
 * --setup algorithm. Values are written as Python's str() would print them
 * (4, 0.5, True, text), so names match what Syne Tune users see. */
#ifndef HPOLAB_CORE_COLLECT_TEMPLATE_H
#define HPOLAB_CORE_COLLECT_TEMPLATE_H

#include <jansson.h>
#include <stdint.h>

#include "error.h"

/* Python's str() of a JSON value (strings raw, 4, 0.5, True/False, None,
 * lists and objects as compact JSON). [owned: free]; NULL out of memory. */
char *hpolab_meta_text(const json_t *value);

/* Check a template: braces balanced, keys non-empty. The message names
 * the template and the position: "template '{alg': '{' at 1 is not
 * closed". */
int32_t hpolab_template_check(const char *tmpl, struct hpolab_error *err);

/* Expand tmpl over the metadata object. A missing key is
 * HPOLAB_ERR_NOT_FOUND, message "no key 'algorithm' (for '{algorithm}')";
 * the caller adds the file. *out [owned: free]. */
int32_t hpolab_template_expand(const char *tmpl, const json_t *metadata,
                               char **out, struct hpolab_error *err);

#endif
