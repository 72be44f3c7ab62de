#!/bin/sh
# Stands in for `nvidia-smi --list-gpus` in the local backend's tests:
# prints $HPOLAB_FAKE_GPUS lines (default 4) and, when HPOLAB_FAKE_SMI_LOG is
# set, appends one line per call to that file (the backend must call it once).
if [ -n "$HPOLAB_FAKE_SMI_LOG" ]; then
    echo "called $*" >> "$HPOLAB_FAKE_SMI_LOG"
fi
n=${HPOLAB_FAKE_GPUS:-4}
i=0
while [ "$i" -lt "$n" ]; do
    echo "GPU $i: Fake GPU (UUID: GPU-0000000$i)"
    i=$((i + 1))
done
