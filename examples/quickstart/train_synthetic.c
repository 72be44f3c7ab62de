/* train_synthetic.c: the synthetic training script of train_synthetic.py, in
 * C — the same arguments, the same numbers (bit for bit on one machine), the
 * same checkpoints — written with <hpolab/reporter.h> only.
 *
 * Arguments (--name value or --name=value; unknown ones are ignored, as the
 * tuner passes every entry of the config space):
 *   --lr F             learning rate > 0            (default 0.01)
 *   --dropout F        dropout                      (default 0.5)
 *   --batch_size N     batch size >= 1              (default 64)
 *   --momentum F       momentum                     (default 0.9)
 *   --optimizer S      sgd, adam or rmsprop         (default sgd)
 *   --epochs N         train up to this epoch       (default 10)
 *   --seed N           seed of the noise            (default 0)
 *   --sleep_per_epoch F  seconds each epoch takes   (default 0.05)
 *   --st_checkpoint_dir D  checkpoint folder (from the tuner; optional)
 *
 * Per epoch e it reports epoch, val_loss and accuracy:
 *   k     = index of the optimizer: sgd 0, adam 1, rmsprop 2
 *   x1    = log10(lr) - (-1.5, -3.0, -2.5)[k]
 *   x2    = dropout - 0.3
 *   x3    = log2(batch_size) - 6
 *   x4    = momentum - 0.9
 *   d     = 0.25*x1*x1 + 0.8*x2*x2 + 0.05*x3*x3 + (0.5, 0.1, 0.1)[k]*x4*x4
 *   floor = 0.1 + (0.04, 0.0, 0.02)[k] + 2.0*(1.0 - exp(-d))
 *   rate  = 0.5*exp(-(0.3*x1*x1 + 0.15*x3*x3 + 0.5*x4*x4))
 *   clean = floor + (2.3 - floor)*exp(-rate*e)
 *   u     = noise in [0, 1) (noise_u below)
 *   val_loss = clean*(1 + 0.03*(2*u - 1)),  accuracy = exp(-val_loss)
 *
 * The minimum: lr = 1e-3, dropout = 0.3, batch_size = 64, momentum = 0.9,
 * optimizer = adam has the lowest noise-free loss at every epoch,
 * 0.1 + 2.2*exp(-0.5*e) (0.11482 at epoch 10); no configuration reports less
 * than 0.97 times that. train_synthetic.py's header has the details.
 *
 * Exit status: 0 when done, 2 for a bad argument, 1 when a report or a
 * checkpoint cannot be written. */
#include <hpolab/reporter.h> /* first: it selects POSIX under -std=c99 */

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *const optimizers[] = {"sgd", "adam", "rmsprop"};
static const double lr_log10_best[] = {-1.5, -3.0, -2.5};
static const double optimizer_offset[] = {0.04, 0.0, 0.02};
static const double momentum_weight[] = {0.5, 0.1, 0.1};
#define INITIAL_LOSS 2.3
#define NOISE 0.03

static uint64_t splitmix64(uint64_t x)
{
    uint64_t z = x + UINT64_C(0x9E3779B97F4A7C15);
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static uint64_t bits(double x)
{
    uint64_t b;
    memcpy(&b, &x, sizeof b);
    return b;
}

/* Deterministic uniform number in [0, 1) for one (config, seed, epoch):
 * the same hash chain as noise_u in train_synthetic.py. */
static double noise_u(long seed, double lr, double dropout, long batch_size,
                      double momentum, int k, long epoch)
{
    uint64_t v[6];
    uint64_t h = splitmix64((uint64_t)seed);
    size_t i;
    v[0] = bits(lr);
    v[1] = bits(dropout);
    v[2] = (uint64_t)batch_size;
    v[3] = bits(momentum);
    v[4] = (uint64_t)k;
    v[5] = (uint64_t)epoch;
    for (i = 0; i < 6; i++)
        h = splitmix64(h ^ v[i]);
    return (double)(h >> 11) / 9007199254740992.0; /* 2^53 */
}

/* The terms in the order of train_synthetic.py, so rounding is the same. */
static double clean_loss(double lr, double dropout, long batch_size,
                         double momentum, int k, long epoch)
{
    double x1 = log10(lr) - lr_log10_best[k];
    double x2 = dropout - 0.3;
    double x3 = log2((double)batch_size) - 6.0;
    double x4 = momentum - 0.9;
    double d = 0.25 * x1 * x1 + 0.8 * x2 * x2 + 0.05 * x3 * x3 +
               momentum_weight[k] * x4 * x4;
    double floor_ = 0.1 + optimizer_offset[k] + 2.0 * (1.0 - exp(-d));
    double rate =
        0.5 * exp(-(0.3 * x1 * x1 + 0.15 * x3 * x3 + 0.5 * x4 * x4));
    return floor_ + (INITIAL_LOSS - floor_) * exp(-rate * (double)epoch);
}

static void sleep_seconds(double s)
{
    struct timespec ts;
    if (s <= 0)
        return;
    ts.tv_sec = (time_t)s;
    ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
    while (nanosleep(&ts, &ts) != 0) {
        /* interrupted: sleep the rest */
    }
}

static int bad(const char *prog, const char *name, const char *expected)
{
    fprintf(stderr, "%s: --%s: expected %s\n", prog, name, expected);
    return 2;
}

int main(int argc, char **argv)
{
    static struct hpolab_reporter r;
    double lr = hpolab_arg_double(argc, argv, "lr", 0.01);
    double dropout = hpolab_arg_double(argc, argv, "dropout", 0.5);
    long batch_size = hpolab_arg_int(argc, argv, "batch_size", 64);
    double momentum = hpolab_arg_double(argc, argv, "momentum", 0.9);
    const char *optimizer = hpolab_arg_string(argc, argv, "optimizer", "sgd");
    long epochs = hpolab_arg_int(argc, argv, "epochs", 10);
    long seed = hpolab_arg_int(argc, argv, "seed", 0);
    double sleep_per_epoch =
        hpolab_arg_double(argc, argv, "sleep_per_epoch", 0.05);
    const char *ckpt = hpolab_arg_checkpoint_dir(argc, argv);
    long long start = 0;
    long epoch;
    int k, status;

    for (k = 0; k < 3 && strcmp(optimizer, optimizers[k]) != 0; k++) {
    }
    if (k == 3)
        return bad(argv[0], "optimizer", "one of sgd, adam, rmsprop");
    if (!(lr > 0))
        return bad(argv[0], "lr", "a number > 0");
    if (batch_size < 1)
        return bad(argv[0], "batch_size", "an integer >= 1");
    if (epochs < 0)
        return bad(argv[0], "epochs", "an integer >= 0");
    if (!(sleep_per_epoch >= 0))
        return bad(argv[0], "sleep_per_epoch", "a number >= 0");

    hpolab_reporter_init(&r);
    if (ckpt) {
        status = hpolab_checkpoint_load(ckpt, &start, NULL, 0);
        if (status == HPOLAB_REPORT_OK && start > 0) {
            printf("resumed from epoch %lld\n", start);
            fflush(stdout);
        } else if (status != HPOLAB_REPORT_OK) {
            if (status != HPOLAB_REPORT_ENOENT)
                fprintf(stderr, "%s/%s: cannot read checkpoint (%s); "
                        "starting from epoch 1\n", ckpt,
                        HPOLAB_CHECKPOINT_FILE,
                        hpolab_report_strerror(status));
            start = 0;
        }
    }
    for (epoch = (long)start + 1; epoch <= epochs; epoch++) {
        double clean, loss;
        char num[HPOLAB_DOUBLE_BUFSIZE], state[64];
        sleep_seconds(sleep_per_epoch);
        clean = clean_loss(lr, dropout, batch_size, momentum, k, epoch);
        loss = clean * (1.0 + NOISE * (2.0 * noise_u(seed, lr, dropout,
                                                      batch_size, momentum,
                                                      k, epoch) -
                                       1.0));
        status = HPOLAB_REPORT(&r, hpolab_kv_int("epoch", epoch),
                               hpolab_kv_double("val_loss", loss),
                               hpolab_kv_double("accuracy", exp(-loss)));
        if (status != HPOLAB_REPORT_OK) {
            fprintf(stderr, "%s: report: %s\n", argv[0],
                    hpolab_report_strerror(status));
            return 1;
        }
        if (ckpt) {
            snprintf(state, sizeof state, "{\"val_loss\": %s}",
                     hpolab_format_double(loss, num));
            if (hpolab_checkpoint_save(ckpt, epoch, state) !=
                HPOLAB_REPORT_OK) {
                fprintf(stderr, "%s: cannot write %s/%s: %s\n", argv[0],
                        ckpt, HPOLAB_CHECKPOINT_FILE, strerror(errno));
                return 1;
            }
        }
    }
    return 0;
}
