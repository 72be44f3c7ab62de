/* local_internal.h: state of the local backend shared by its files.
 *
 *   local.c         the class: create/destroy, start/stop, options
 *   local_table.c   runs by trial id (hash) and the list of live runs
 *   local_files.c   trial folder, config.json, checkpoint copy, markers,
 *                   std.err tail
 *   local_spawn.c   argv, environment, posix_spawn, pidfd
 *   local_output.c  stdout pipe -> std.out tee + lines for host->emit_line
 *   local_wait.c    the poll loop, stop timers (SIGTERM -> SIGKILL), reaping
 *   local_gpu.c     nvidia-smi and CUDA_VISIBLE_DEVICES rotation
 *   local_leftover.c  <trial dir>/pid files; groups a killed tuner left
 *
 * A "run" is one start (or resume) of a trial: one process group whose
 * leader we spawned. A run stays in the table until its leader is reaped;
 * then its buffers and descriptors are freed, so memory is bounded by the
 * number of live runs, not of trials. */
#ifndef HPOLAB_LOCAL_INTERNAL_H
#define HPOLAB_LOCAL_INTERNAL_H

#include <hpolab/hpolab.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Without pidfds (valgrind, kernels before 5.3, some seccomp profiles),
 * exits are checked this often instead. */
#define LOCAL_EXIT_CHECK_S 0.05

/* Lines longer than this are emitted cut to this length. */
#define LOCAL_MAX_LINE (1024 * 1024)

struct local_linebuf {
    char *data; /* owned; the start of an unfinished line */
    size_t len, cap;
    int discarding; /* inside an over-long line already emitted */
};

struct local_run {
    int64_t trial_id;
    char *trial_dir; /* owned */
    pid_t pid;       /* leader, also the process group id; never reaped
                        while the run is in the table */
    int pidfd;       /* readable once the leader exited; -1 if the kernel
                        has no pidfds (exits are then checked by waitid) */
    int out_fd;      /* read end of the stdout pipe, -1 after EOF */
    int tee_fd;      /* <trial_dir>/std.out opened for append */
    int stopped;     /* stop_trial/stop_all was called: emit nothing more */
    int exit_ready;  /* pidfd seen readable in this poll round */
    int tee_failed;  /* writing std.out failed once (warned) */
    double kill_at;  /* monotonic time of the SIGKILL after a stop, 0: none */
    double term_at;  /* monotonic time of a delayed SIGTERM (pause), 0: none */
    struct local_linebuf line;
    int *gpus;       /* owned; logical GPU ids held, or NULL */
    int num_gpus;
    struct local_run *gpu_prev, *gpu_next; /* holders in assignment order */
    struct local_run *live_prev, *live_next;
    struct local_run *hash_next;
};

struct local_table {
    struct local_run **buckets; /* owned array; runs are owned by the table */
    size_t nbuckets;            /* power of two */
    size_t count;
    struct local_run *live; /* every run, for poll */
};

struct local_gpu {
    int rotate;           /* option rotate_gpus */
    int64_t per_trial;    /* option num_gpus_per_trial (>= 1) */
    int *to_use;          /* owned; option gpus_to_use parsed, or NULL */
    size_t n_to_use;
    int detected;         /* nvidia-smi has run */
    int64_t num_devices;  /* what it listed */
    int ready;            /* rotation set up (below valid) */
    int active;           /* more than one GPU: rotate */
    int count;            /* GPUs rotated over */
    int *physical;        /* owned; logical -> physical id */
    uint64_t *times;      /* owned; times_assigned per logical GPU */
    struct local_run *holders, *holders_tail;
};

struct local_backend {
    const char *experiment_dir;
    uint32_t entry_argc;
    const char *const *entry_argv;
    const char *working_dir;
    int wake_fd;
    double grace;   /* option stop_grace_period, seconds */
    double pause_grace; /* option pause_grace_period: a paused trial may
                           finish on its own (save its checkpoint, exit 0)
                           before it gets SIGTERM */
    int json_mode;  /* option pass_args_as_json */
    struct local_table table;
    struct local_gpu gpu;
    int32_t emit_status; /* first failing emit_* of the current call */
    int warned_no_pidfd;
    /* scratch for poll: one entry per descriptor */
    struct pollfd *pfds;
    struct local_run **pruns;
    size_t pcap;
};

/* ---- local_table.c ---- */
int local_table_init(struct local_table *t);
/* Frees the buckets; the runs must be gone. */
void local_table_free(struct local_table *t);
struct local_run *local_table_find(const struct local_table *t, int64_t id);
/* Takes ownership of run. 0 or -1 (out of memory). */
int local_table_add(struct local_table *t, struct local_run *run);
/* Unlinks run (the caller frees it). */
void local_table_remove(struct local_table *t, struct local_run *run);

/* ---- local_files.c ---- */
/* mkdir -p; errors name the trial and the folder. */
int32_t local_mkdirs(struct hpolab_ctx *ctx, int64_t trial_id,
                     const char *path);
/* Write text to path through a temporary file and rename. */
int32_t local_write_file(struct hpolab_ctx *ctx, int64_t trial_id,
                         const char *path, const char *text, size_t len);
/* Recursive copy of the folder src into dst (created; merged if it
 * exists). Links are copied as links, never followed. */
int32_t local_copy_tree(struct hpolab_ctx *ctx, int64_t trial_id,
                        const char *src, const char *dst);
/* <dir>/<name>, [owned: free], NULL when out of memory. */
char *local_path_join(const char *dir, const char *name);
/* Create the empty marker <dir>/<name>; failures are logged. */
void local_touch(struct hpolab_ctx *ctx, const char *dir, const char *name);
void local_unlink(struct hpolab_ctx *ctx, const char *dir, const char *name);
/* <dir>/end with the Unix time as text; failures are logged. */
void local_write_end(struct hpolab_ctx *ctx, const char *dir);
/* The last <= 20 lines (<= 4 KiB) of a file, control characters replaced;
 * [owned: free], NULL if empty or unreadable. */
char *local_file_tail(const char *path);

/* ---- local_spawn.c ---- */
/* Start the trial's process for run (trial_id, trial_dir set): fills pid,
 * pidfd, out_fd, tee_fd. cuda: CUDA_VISIBLE_DEVICES value or NULL. */
int32_t local_spawn(struct local_backend *b, struct hpolab_ctx *ctx,
                    const struct hpolab_trial_job *job, const char *cuda,
                    struct local_run *run);
/* Spawn a helper program (argv[0] searched in PATH) with stdout into a pipe,
 * stdin and stderr on /dev/null, in its own process group. *out_fd is the
 * non-blocking read end. Returns 0 or an errno value. */
int local_spawn_capture(const char *const *argv, pid_t *out_pid,
                        int *out_fd);

/* ---- local_output.c ---- */
/* Read what the pipe holds: up to a fair share (drain = 0) or until it is
 * empty or closed (drain = 1). Tees to std.out; emits complete lines unless
 * the run is stopped. At EOF closes out_fd and emits the unfinished line. */
void local_output_read(struct local_backend *b, struct hpolab_ctx *ctx,
                       struct local_run *run, int drain);
/* Emit the unfinished last line (if any, and not stopped). */
void local_output_flush(struct local_backend *b, struct hpolab_ctx *ctx,
                        struct local_run *run);
void local_linebuf_free(struct local_linebuf *lb);

/* ---- local_wait.c ---- */
double local_monotonic(void);
/* One poll round: fires due SIGKILLs, waits at most max_wait_s (or until the
 * next SIGKILL is due), reads output and reaps exits. *woke: wake_fd was
 * readable (only when watch_wake); *emitted: something reached the host;
 * *interrupted: poll saw EINTR. */
int32_t local_poll_round(struct local_backend *b, struct hpolab_ctx *ctx,
                         double max_wait_s, int watch_wake, int *woke,
                         int *emitted, int *interrupted);
/* SIGTERM the run's group and arm its SIGKILL after grace_s (now if
 * grace_s <= 0). Marks the run stopped and releases its GPUs. */
void local_stop_run(struct local_backend *b, struct local_run *run,
                    double grace_s);
/* Like local_stop_run, but SIGTERM only after delay_s (the run may end by
 * itself before): used for pauses. */
void local_stop_run_later(struct local_backend *b, struct local_run *run,
                          double delay_s, double grace_s);
/* Wait until the run's leader has exited or the monotonic time deadline
 * (0: do not wait) passed; does not reap. */
void local_await_exit(const struct local_run *run, double deadline);
/* SIGKILL the group, wait for the leader, keep what the pipe holds in
 * std.out, write end, free the run. Emits nothing. */
void local_kill_and_reap(struct local_backend *b, struct hpolab_ctx *ctx,
                         struct local_run *run);
/* Close descriptors and free the run (it must be out of the table). */
void local_run_free(struct local_backend *b, struct local_run *run);
/* Record the first emit failure; returns st. */
int32_t local_note_emit(struct local_backend *b, int32_t st);

/* ---- local_leftover.c ---- */
/* <trial dir>/pid: "pid starttime" of the run's leader (removed when the
 * run ends, with local_unlink). */
int32_t local_pid_write(struct hpolab_ctx *ctx, const struct local_run *run);
/* Stop (SIGTERM, SIGKILL after the stop grace period) every process group
 * that a pid file in the experiment's trial folders names and that is still
 * alive with the recorded start time; remove the files. */
void local_stop_leftovers(struct local_backend *b, struct hpolab_ctx *ctx);

/* ---- local_gpu.c ---- */
/* Read and check the options; *gpu zeroed first. */
int32_t local_gpu_init(struct hpolab_ctx *ctx,
                       const struct hpolab_options *opts,
                       struct local_gpu *gpu);
void local_gpu_free(struct local_gpu *gpu);
/* Pick GPUs for run (Syne Tune's rule); *out_cuda [owned: free] is the
 * CUDA_VISIBLE_DEVICES value, or NULL when rotation is off. */
int32_t local_gpu_assign(struct hpolab_ctx *ctx, struct local_gpu *gpu,
                         struct local_run *run, char **out_cuda);
void local_gpu_release(struct local_gpu *gpu, struct local_run *run);

#endif
