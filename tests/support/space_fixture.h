/* space_fixture.h: test helpers that build a configuration space or a
 * configuration from JSON text, failing the test (with the parser's
 * messages) when the text is not valid. Include after <cmocka.h>. */
#ifndef HPOLAB_TEST_SPACE_FIXTURE_H
#define HPOLAB_TEST_SPACE_FIXTURE_H

#include <jansson.h>

#include "config.h"
#include "diag.h"
#include "record.h"
#include "space.h"

/* [owned: hpolab_space_free] */
static inline struct hpolab_space *space_from(const char *text)
{
    json_error_t je;
    json_t *j = json_loads(text, 0, &je);
    assert_non_null(j);
    struct hpolab_diag d = {0};
    struct hpolab_space *s = NULL;
    int32_t st = hpolab_space_parse(j, "t", &d, &s);
    for (size_t i = 0; i < d.count; i++)
        print_error("%s\n", d.lines[i]);
    assert_int_equal(st, HPOLAB_OK);
    json_decref(j);
    hpolab_diag_free(&d);
    return s;
}

/* [owned: hpolab_config_free] */
static inline struct hpolab_config *config_from(const char *text)
{
    json_error_t je;
    json_t *j = json_loads(text, 0, &je);
    assert_non_null(j);
    struct hpolab_config *c = hpolab_config_new();
    assert_non_null(c);
    assert_int_equal(hpolab_record_from_json(j, &c->rec, NULL), HPOLAB_OK);
    json_decref(j);
    return c;
}

#endif
