/* plot_trials.h: per-trial learning curves of one seed (Syne Tune's
 * TrialsOfExperimentResults, framework reference §5.9): one subplot per
 * setup, each trial a line of its raw metric values over st_tuner_time
 * (sharing the y axis), colours cycling over trials.
 *
 * Pauses are found in the data, not from rung levels given by hand: after a
 * row whose st_decision is PAUSE the trial's line is broken, so a
 * paused-and-resumed trial shows its gap. A trial's last point gets a
 * marker: a hollow diamond when the scheduler stopped or paused it there, a
 * hollow circle otherwise; a single-row trial is just its marker (Syne
 * Tune crashes on those, a [BUG] not copied). */
#ifndef HPOLAB_CORE_PLOT_TRIALS_H
#define HPOLAB_CORE_PLOT_TRIALS_H

#include <stdint.h>

#include "collect_find.h"
#include "diag.h"
#include "error.h"
#include "figure.h"
#include "plot_params.h"

/* Experiments of c with metadata seed == seed, one per setup (several: the
 * newest folder is drawn and the others named in a warning). p finished.
 * HPOLAB_ERR_NOT_FOUND when no setup has an experiment of that seed with
 * usable results. *out [owned: hpolab_figure_free]; *trials (may be NULL)
 * receives the number of trials drawn. */
int32_t hpolab_trials_build(const struct hpolab_collection *c,
                            const struct hpolab_plot_params *p, int64_t seed,
                            struct hpolab_figure **out, size_t *trials,
                            struct hpolab_diag *warn,
                            struct hpolab_error *err);

#endif
