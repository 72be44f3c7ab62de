/* launch_scale.h: the experiment time budget under --scale_max_wallclock_time
 * (framework reference §3.6). Shared by `hpolab run` (the budget it runs
 * with) and `hpolab launch` (the job time limit, 1.2 x that budget), so both
 * always agree. */
#ifndef HPOLAB_CORE_LAUNCH_SCALE_H
#define HPOLAB_CORE_LAUNCH_SCALE_H

#include <stdint.h>

/* The intended rule, not Syne Tune's defect (there B is read after the
 * n_workers override, so B = A and nothing ever scales): with scale set,
 * --n_workers A given (given_workers > 0), --max_wallclock_time not given
 * (given_time < 0) and A < B = default_workers, the budget is
 * int(default_time * B / A). Otherwise given_time if >= 0, else
 * default_time (< 0: no budget). *scaled (may be NULL) is 1 when the rule
 * applied. */
double hpolab_scaled_wallclock_time(double given_time, int64_t given_workers,
                                    double default_time,
                                    int64_t default_workers, int scale,
                                    int *scaled);

/* The time limit of a launched experiment's job in whole seconds:
 * ceil(1.2 x budget), at least 1; 72 h when there is no budget (as Syne
 * Tune's remote launcher). Slurm rounds it up to whole minutes. */
int64_t hpolab_launch_time_limit(double budget);

#endif
