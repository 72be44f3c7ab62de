/* aws_xml.h: S3/STS XML answers read with expat into a flat list of
 * (element path, text) pairs, e.g. ("ListBucketResult/Contents/Key",
 * "a/b.txt"); namespaces are ignored (s3rver writes its own). */
#ifndef HPOLAB_CORE_AWS_XML_H
#define HPOLAB_CORE_AWS_XML_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct hpolab_aws_xml_item {
    char *path; /* owned: element names from the root joined by '/' */
    char *text; /* owned: the element's own text (may be "") */
};

struct hpolab_aws_xml {
    struct hpolab_aws_xml_item *items; /* owned; document order */
    size_t n;
};

/* what names the document in err (e.g. "ListObjectsV2 answer"). */
int32_t hpolab_aws_xml_parse(const char *data, size_t len, const char *what,
                             struct hpolab_aws_xml *out,
                             struct hpolab_error *err);
void hpolab_aws_xml_free(struct hpolab_aws_xml *x);
/* [borrowed] text of the first element whose path ends with suffix
 * (matched at a '/' boundary), or NULL. */
const char *hpolab_aws_xml_find(const struct hpolab_aws_xml *x,
                                const char *suffix);

#endif
