#!/usr/bin/env python3
"""make_table.py: writes lcurves.csv, the example table of the simulator
backend (docs/simulator.md, "Table format"): 30 configurations (lr x
batch_size x optimizer) of a made-up network, 27 epochs each, with the
validation loss and accuracy and the elapsed time after each epoch. It stands
in for curves you would record from real training runs. Standard library
only; deterministic.

    python3 make_table.py > lcurves.csv
"""
import math
import random

rng = random.Random(7)
print("# Example learning-curve table for the simulator backend.")
print("# Columns: config_<hyperparameter>..., epoch (the resource),")
print("# val_loss and val_acc (metrics), elapsed_time (seconds since the")
print("# trial started, at the end of that epoch). Made by make_table.py.")
print("config_lr,config_batch_size,config_optimizer,epoch,val_loss,val_acc,elapsed_time")
for optimizer in ("sgd", "adam"):
    for lr in (1e-4, 3e-4, 1e-3, 3e-3, 1e-2):
        for batch_size in (32, 64, 128):
            best_lr = 3e-3 if optimizer == "sgd" else 3e-4
            gap = math.log10(lr / best_lr)
            final = 0.35 + 0.25 * gap * gap + 0.02 * math.log2(batch_size / 32)
            if optimizer == "adam":
                final -= 0.03
            speed = 0.15 * (1 + abs(gap)) * (1.5 if optimizer == "adam" else 1.0)
            per_epoch = 12.0 * (64 / batch_size) ** 0.7
            elapsed = 8.0
            for epoch in range(1, 28):
                elapsed += per_epoch * (1 + 0.05 * rng.random())
                loss = final + 1.8 * math.exp(-speed * epoch)
                loss += 0.01 * rng.gauss(0, 1)
                acc = max(0.0, min(1.0, 1.05 - loss / 1.5))
                print("%g,%d,%s,%d,%.4f,%.4f,%.2f"
                      % (lr, batch_size, optimizer, epoch, loss, acc, elapsed))
