/* launch_supervisor.h: what the supervisor of every launch engine (local,
 * SageMaker) shares: Ctrl-C / SIGTERM / SIGHUP raise a cancel flag and wake
 * the engine through a pipe; the progress display; the supervisor's own
 * state file (<root>/supervisor.json, read by `hpolab status` and `hpolab
 * cancel`); and leaving the terminal to run in the background. */
#ifndef HPOLAB_TOOLS_LAUNCH_SUPERVISOR_H
#define HPOLAB_TOOLS_LAUNCH_SUPERVISOR_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "launch_plan.h"
#include "launch_state.h"
#include "launch_status.h"

/* Set by the signal handlers installed by launch_install_signals. */
extern volatile sig_atomic_t launch_cancel_flag;

/* The signal handlers and the wake pipe (once per process); 0 or -1. */
int launch_install_signals(void);
/* The read end of the wake pipe (-1 before launch_install_signals). */
int launch_wake_fd(void);

/* Writes <root>/supervisor.json for this process; 0 or -1 (said on
 * stderr). */
int launch_write_supervisor(const struct hpolab_launch_plan *plan,
                            int32_t state, double start);

/* Slice states as the engine reports them, with totals; printed on every
 * change. */
struct launch_progress {
    const struct hpolab_launch_plan *plan;
    int32_t *state; /* [owned] one per slice */
    struct hpolab_launch_totals totals;
};
/* Every slice pending, or done when skipped; -1 when out of memory. */
int launch_progress_init(struct launch_progress *p,
                         const struct hpolab_launch_plan *plan);
void launch_progress_free(struct launch_progress *p);
/* An engine's on_change callback (user: the struct launch_progress). */
void launch_progress_on_change(void *user, size_t slice,
                               const struct hpolab_job_state *js);

/* How an engine's run (status st, message in err) ended: "cancelled: ",
 * the error, or "all jobs ended: ", then the totals; returns the exit
 * status: 0 every slice done, 130 cancelled, else 1. */
int launch_progress_finish(const struct launch_progress *p, int32_t st,
                           const struct hpolab_error *err);
/* The supervisor's final state for that exit status. */
int32_t launch_supervisor_final_state(int rc);

/* The supervisor's work; returns the exit status. */
typedef int (*launch_supervise_fn)(struct hpolab_launch_plan *plan, void *user);
/* Forks the supervisor into the background (setsid, output to
 * <root>/launch.log) and returns the parent's exit status once the child
 * has recorded itself, so `hpolab cancel` works as soon as `hpolab launch`
 * returns. */
int launch_background(struct hpolab_launch_plan *plan,
                      launch_supervise_fn supervise, void *user);

#endif
