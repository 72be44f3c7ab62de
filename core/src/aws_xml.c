/* aws_xml.c: the flat expat reader of aws_xml.h. */
#include "aws_xml.h"

#include <expat.h>
#include <stdlib.h>
#include <string.h>

#include "buffer.h"

#define MAX_DEPTH 32

struct parse {
    struct hpolab_aws_xml *out;
    struct hpolab_buffer path;
    size_t marks[MAX_DEPTH]; /* path length before each open element */
    size_t open[MAX_DEPTH];  /* item index of each open element */
    int depth;
    int nomem;
    XML_Parser parser;
};

static void on_start(void *user, const XML_Char *name, const XML_Char **atts)
{
    (void)atts;
    struct parse *p = user;
    if (p->nomem)
        return;
    if (p->depth >= MAX_DEPTH) {
        p->nomem = 2;
        XML_StopParser(p->parser, XML_FALSE);
        return;
    }
    const char *local = strrchr(name, ':');
    local = local ? local + 1 : name; /* drop a namespace prefix */
    p->marks[p->depth] = p->path.len;
    if ((p->path.len > 0 && hpolab_buffer_append(&p->path, "/", 1)) ||
        hpolab_buffer_append(&p->path, local, strlen(local)) ||
        hpolab_buffer_append(&p->path, "", 1)) {
        p->nomem = 1;
        return;
    }
    p->path.len--;
    struct hpolab_aws_xml *x = p->out;
    struct hpolab_aws_xml_item *items =
        realloc(x->items, (x->n + 1) * sizeof *items);
    if (!items) {
        p->nomem = 1;
        return;
    }
    x->items = items;
    items[x->n].path = strdup((const char *)p->path.data);
    items[x->n].text = calloc(1, 1);
    if (!items[x->n].path || !items[x->n].text) {
        free(items[x->n].path);
        free(items[x->n].text);
        p->nomem = 1;
        return;
    }
    p->open[p->depth++] = x->n++;
}

static void on_end(void *user, const XML_Char *name)
{
    (void)name;
    struct parse *p = user;
    if (p->nomem || p->depth == 0)
        return;
    p->depth--;
    p->path.len = p->marks[p->depth];
}

static void on_text(void *user, const XML_Char *s, int len)
{
    struct parse *p = user;
    if (p->nomem || p->depth == 0)
        return;
    struct hpolab_aws_xml_item *it = &p->out->items[p->open[p->depth - 1]];
    size_t ol = strlen(it->text);
    char *t = realloc(it->text, ol + (size_t)len + 1);
    if (!t) {
        p->nomem = 1;
        return;
    }
    memcpy(t + ol, s, (size_t)len);
    t[ol + (size_t)len] = '\0';
    it->text = t;
}

void hpolab_aws_xml_free(struct hpolab_aws_xml *x)
{
    if (!x)
        return;
    for (size_t i = 0; i < x->n; i++) {
        free(x->items[i].path);
        free(x->items[i].text);
    }
    free(x->items);
    x->items = NULL;
    x->n = 0;
}

int32_t hpolab_aws_xml_parse(const char *data, size_t len, const char *what,
                             struct hpolab_aws_xml *out,
                             struct hpolab_error *err)
{
    memset(out, 0, sizeof *out);
    struct parse p = {.out = out};
    hpolab_buffer_init(&p.path);
    p.parser = XML_ParserCreate("UTF-8");
    if (!p.parser)
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "%s: no XML parser",
                                what);
    XML_SetUserData(p.parser, &p);
    XML_SetElementHandler(p.parser, on_start, on_end);
    XML_SetCharacterDataHandler(p.parser, on_text);
    int32_t st = HPOLAB_OK;
    if (XML_Parse(p.parser, data ? data : "", (int)len, XML_TRUE) ==
            XML_STATUS_ERROR || p.nomem) {
        if (p.nomem == 1)
            st = hpolab_error_set(err, HPOLAB_ERR_NOMEM, "%s: out of memory",
                                  what);
        else
            st = hpolab_error_set(
                err, HPOLAB_ERR_PARSE,
                "%s: expected an XML document, line %lu: %s", what,
                (unsigned long)XML_GetCurrentLineNumber(p.parser),
                p.nomem == 2 ? "nested too deeply"
                             : XML_ErrorString(XML_GetErrorCode(p.parser)));
        hpolab_aws_xml_free(out);
    }
    XML_ParserFree(p.parser);
    hpolab_buffer_free(&p.path);
    return st;
}

const char *hpolab_aws_xml_find(const struct hpolab_aws_xml *x,
                                const char *suffix)
{
    size_t sl = strlen(suffix);
    for (size_t i = 0; i < x->n; i++) {
        const char *path = x->items[i].path;
        size_t pl = strlen(path);
        if (pl >= sl && strcmp(path + pl - sl, suffix) == 0 &&
            (pl == sl || path[pl - sl - 1] == '/'))
            return x->items[i].text;
    }
    return NULL;
}
