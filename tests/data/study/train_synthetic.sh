#!/bin/sh
# A stand-in training script for the study-file tests: the tests only check
# that the entry point exists. It reports one metric line per epoch.
epochs=1
while [ $# -gt 0 ]; do
    case "$1" in
    --epochs) epochs="$2"; shift 2 ;;
    *) shift ;;
    esac
done
i=1
while [ "$i" -le "$epochs" ]; do
    echo "[tune-metric]: {\"epoch\": $i, \"val_loss\": 1.0}"
    i=$((i + 1))
done
