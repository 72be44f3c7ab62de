/* results_root.h: where experiment folders live, for every subcommand that
 * writes or reads them: --results_dir, else $HPOLAB_RESULTS (if not empty),
 * else ~/hpolab. */
#ifndef HPOLAB_TOOLS_RESULTS_ROOT_H
#define HPOLAB_TOOLS_RESULTS_ROOT_H

/* given: the --results_dir value or NULL. "~" is expanded. [owned: free];
 * NULL on out of memory. */
char *hpolab_results_root(const char *given);

#endif
