/* results_root.c: the results folder (results_root.h). */
#include "results_root.h"

#include <stdlib.h>

#include "fsutil.h"

char *hpolab_results_root(const char *given)
{
    const char *rd = given ? given : getenv("HPOLAB_RESULTS");
    return hpolab_expand_user(rd && rd[0] ? rd : "~/hpolab");
}
