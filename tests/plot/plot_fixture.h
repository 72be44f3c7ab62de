/* plot_fixture.h: experiment folders for the plot tests (metadata.json and
 * results.csv.zip written as Syne Tune writes them), temp folders, and
 * running the hpolab command. */
#ifndef HPOLAB_TEST_PLOT_FIXTURE_H
#define HPOLAB_TEST_PLOT_FIXTURE_H

#include <stddef.h>

/* A fresh folder /tmp/hpolab-plot-<name>-XXXXXX; [owned: free]. */
char *fx_tmpdir(const char *name);
/* rm -rf dir (no shell). */
void fx_rm_rf(const char *dir);
/* Write text to root/rel (parents created). */
void fx_write(const char *root, const char *rel, const char *text,
              size_t len);
/* An experiment folder root/rel with metadata.json = metadata (JSON text)
 * and results.csv.zip holding csv (NULL: no results file). */
void fx_experiment(const char *root, const char *rel, const char *metadata,
                   const char *csv);
/* Standard metadata of the small study: tag, algorithm, seed, benchmark,
 * metric "loss" mode min. [owned: free]. */
char *fx_metadata(const char *tag, const char *algorithm, int seed);
/* Run build/bin/hpolab with argv (argv[0] ignored), cwd = dir; stdout and
 * stderr collected ([owned: free]). Returns the exit status. */
int fx_hpolab(const char *dir, const char *const *argv, char **out,
              char **err);
/* Whole file, NUL-terminated, or NULL; [owned: free]. */
char *fx_read(const char *path, size_t *len);

#endif
