#!/usr/bin/env python3
"""A fast synthetic training script: a noisy learning curve over epochs.

Standard library only. train_synthetic.c computes the same numbers (to the
last bit on one machine; tests compare them with a relative tolerance of
1e-9), so a study can use either.

Arguments (--name value or --name=value; unknown ones are ignored, as the
tuner passes every entry of the config space):
  --lr F             learning rate > 0            (default 0.01)
  --dropout F        dropout                      (default 0.5)
  --batch_size N     batch size >= 1              (default 64)
  --momentum F       momentum                     (default 0.9)
  --optimizer S      sgd, adam or rmsprop         (default sgd)
  --epochs N         train up to this epoch       (default 10)
  --seed N           seed of the noise            (default 0)
  --sleep_per_epoch F  seconds each epoch takes   (default 0.05)
  --st_checkpoint_dir D  checkpoint folder (from the tuner; optional)

Per epoch e it reports one line with epoch, val_loss and accuracy:

  k     = index of the optimizer: sgd 0, adam 1, rmsprop 2
  x1    = log10(lr) - (-1.5, -3.0, -2.5)[k]     (best lr 0.0316, 1e-3, 0.00316)
  x2    = dropout - 0.3
  x3    = log2(batch_size) - 6                  (best batch size 64)
  x4    = momentum - 0.9
  d     = 0.25*x1*x1 + 0.8*x2*x2 + 0.05*x3*x3 + (0.5, 0.1, 0.1)[k]*x4*x4
  floor = 0.1 + (0.04, 0.0, 0.02)[k] + 2.0*(1.0 - exp(-d))
  rate  = 0.5*exp(-(0.3*x1*x1 + 0.15*x3*x3 + 0.5*x4*x4))
  clean = floor + (2.3 - floor)*exp(-rate*e)
  u     = noise in [0, 1): splitmix64 hash of seed, the bits of lr, dropout,
          batch_size, momentum, k and e (see noise_u)
  val_loss = clean*(1 + 0.03*(2*u - 1))
  accuracy = exp(-val_loss)

Every term of d and of the rate's exponent is >= 0 and is 0 at
lr = 1e-3, dropout = 0.3, batch_size = 64, momentum = 0.9, optimizer = adam,
so that configuration (OPTIMUM) has the lowest noise-free loss at every
epoch: best_clean_loss(e) = 0.1 + 2.2*exp(-0.5*e), 0.11482 at epoch 10.
No configuration reports a val_loss below 0.97*best_clean_loss(e)
(0.11138 at epoch 10). In the quickstart space (examples/quickstart/
study.json), a random configuration reaches 0.87 at epoch 10 (median), the
best of 30 random ones 0.27 and the best of 100 random ones 0.20 (medians
over repetitions): a search that ends well below 0.87 has learnt something.

Checkpointing (Syne Tune's contract): after every epoch the script writes
{"epoch": e, "state": {"val_loss": v}} to <st_checkpoint_dir>/checkpoint.json
(atomically); when it starts and finds one, it prints "resumed from epoch r"
and goes on with epoch r + 1. The noise depends on the epoch, not on the
run, so a resumed trial reports what an uninterrupted one would have.
"""

import argparse
import math
import os
import struct
import sys
import time

try:
    import hpolab_reporter
except ImportError:  # run from the source tree
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                    "..", "..", "tools", "python"))
    import hpolab_reporter

OPTIMIZERS = ("sgd", "adam", "rmsprop")
LR_LOG10_BEST = (-1.5, -3.0, -2.5)
OPTIMIZER_OFFSET = (0.04, 0.0, 0.02)
MOMENTUM_WEIGHT = (0.5, 0.1, 0.1)
INITIAL_LOSS = 2.3
NOISE = 0.03
OPTIMUM = {"lr": 1e-3, "dropout": 0.3, "batch_size": 64, "momentum": 0.9,
           "optimizer": "adam"}

_MASK = (1 << 64) - 1


def splitmix64(x):
    x = (x + 0x9E3779B97F4A7C15) & _MASK
    z = x
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


def _bits(x):
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def noise_u(seed, lr, dropout, batch_size, momentum, k, epoch):
    """Deterministic uniform number in [0, 1) for one (config, seed, epoch)."""
    h = splitmix64(seed & _MASK)
    for v in (_bits(lr), _bits(dropout), batch_size & _MASK, _bits(momentum),
              k, epoch & _MASK):
        h = splitmix64(h ^ v)
    return (h >> 11) / 9007199254740992.0  # 2**53


def clean_loss(lr, dropout, batch_size, momentum, optimizer, epoch):
    """The noise-free validation loss after `epoch` epochs."""
    k = OPTIMIZERS.index(optimizer)
    x1 = math.log10(lr) - LR_LOG10_BEST[k]
    x2 = dropout - 0.3
    x3 = math.log2(batch_size) - 6.0
    x4 = momentum - 0.9
    d = (0.25 * x1 * x1 + 0.8 * x2 * x2 + 0.05 * x3 * x3
         + MOMENTUM_WEIGHT[k] * x4 * x4)
    floor = 0.1 + OPTIMIZER_OFFSET[k] + 2.0 * (1.0 - math.exp(-d))
    rate = 0.5 * math.exp(-(0.3 * x1 * x1 + 0.15 * x3 * x3 + 0.5 * x4 * x4))
    return floor + (INITIAL_LOSS - floor) * math.exp(-rate * epoch)


def val_loss(lr, dropout, batch_size, momentum, optimizer, epoch, seed):
    clean = clean_loss(lr, dropout, batch_size, momentum, optimizer, epoch)
    u = noise_u(seed, lr, dropout, batch_size, momentum,
                OPTIMIZERS.index(optimizer), epoch)
    return clean * (1.0 + NOISE * (2.0 * u - 1.0))


def best_clean_loss(epoch):
    """The lowest noise-free loss of any configuration at `epoch`."""
    return 0.1 + (INITIAL_LOSS - 0.1) * math.exp(-0.5 * epoch)


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--dropout", type=float, default=0.5)
    p.add_argument("--batch_size", type=int, default=64)
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--optimizer", choices=OPTIMIZERS, default="sgd")
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--sleep_per_epoch", type=float, default=0.05)
    p.add_argument("--st_checkpoint_dir", type=str, default=None)
    args, _unknown = p.parse_known_args(argv)
    if not args.lr > 0:
        p.error(f"--lr: expected a number > 0, got {args.lr}")
    if args.batch_size < 1:
        p.error(f"--batch_size: expected an integer >= 1, got {args.batch_size}")
    if args.epochs < 0:
        p.error(f"--epochs: expected an integer >= 0, got {args.epochs}")
    if not args.sleep_per_epoch >= 0:
        p.error("--sleep_per_epoch: expected a number >= 0, got "
                f"{args.sleep_per_epoch}")
    return args


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    report = hpolab_reporter.Reporter()
    start, _state = hpolab_reporter.load_checkpoint(args.st_checkpoint_dir)
    if start > 0:
        print(f"resumed from epoch {start}", flush=True)
    for epoch in range(start + 1, args.epochs + 1):
        time.sleep(args.sleep_per_epoch)
        loss = val_loss(args.lr, args.dropout, args.batch_size, args.momentum,
                        args.optimizer, epoch, args.seed)
        report(epoch=epoch, val_loss=loss, accuracy=math.exp(-loss))
        hpolab_reporter.save_checkpoint(args.st_checkpoint_dir, epoch,
                                        {"val_loss": loss})
    return 0


if __name__ == "__main__":
    sys.exit(main())
