#!/bin/sh
# train_shell.sh: a training script in plain POSIX sh, reporting with
# tools/shell/hpolab-report.sh. It computes the noise-free learning curve of
# examples/quickstart/train_synthetic.py (the "clean" loss of its header;
# awk does the arithmetic), checkpoints after every epoch and resumes.
#
#   train_shell.sh --lr 0.001 --dropout 0.3 --batch_size 64 --momentum 0.9 \
#       --optimizer adam --epochs 10 --sleep_per_epoch 0.05 \
#       --st_checkpoint_dir /tmp/ckpt
#
# Arguments are "--name value" pairs; unknown names are ignored, as the tuner
# passes every entry of the config space. Exit status 2 for a bad argument.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../tools/shell/hpolab-report.sh"

lr=0.01 dropout=0.5 batch_size=64 momentum=0.9 optimizer=sgd epochs=10
sleep_per_epoch=0.05 ckpt=
while [ $# -gt 0 ]; do
    if [ $# -lt 2 ]; then
        echo "$0: $1: expected a value" >&2
        exit 2
    fi
    case $1 in
    --lr) lr=$2 ;;
    --dropout) dropout=$2 ;;
    --batch_size) batch_size=$2 ;;
    --momentum) momentum=$2 ;;
    --optimizer) optimizer=$2 ;;
    --epochs) epochs=$2 ;;
    --sleep_per_epoch) sleep_per_epoch=$2 ;;
    --st_checkpoint_dir) ckpt=$2 ;;
    esac
    shift 2
done

case $optimizer in
sgd) k=0 ;;
adam) k=1 ;;
rmsprop) k=2 ;;
*) echo "$0: --optimizer: expected one of sgd, adam, rmsprop, got '$optimizer'" >&2
   exit 2 ;;
esac
for v in "lr:$lr" "dropout:$dropout" "momentum:$momentum" \
         "sleep_per_epoch:$sleep_per_epoch"; do
    if ! _hpolab_is_number "${v#*:}"; then
        echo "$0: --${v%%:*}: expected a number, got '${v#*:}'" >&2
        exit 2
    fi
done
for v in "batch_size:$batch_size" "epochs:$epochs"; do
    case ${v#*:} in
    '' | *[!0-9]*)
        echo "$0: --${v%%:*}: expected an integer >= 0, got '${v#*:}'" >&2
        exit 2 ;;
    esac
done

# Resume: checkpoint.json is {"epoch": E, ...}, the format of the Python and
# C helpers; anything unreadable means "start from epoch 1".
start=0
if [ -n "$ckpt" ] && [ -f "$ckpt/checkpoint.json" ]; then
    start=$(sed -n 's/^{"epoch": *\([0-9][0-9]*\).*/\1/p' "$ckpt/checkpoint.json")
    start=${start:-0}
    if [ "$start" -gt 0 ]; then
        echo "resumed from epoch $start"
    fi
fi

epoch=$((start + 1))
while [ "$epoch" -le "$epochs" ]; do
    sleep "$sleep_per_epoch"
    loss=$(awk -v lr="$lr" -v dropout="$dropout" -v bs="$batch_size" \
        -v m="$momentum" -v k="$k" -v e="$epoch" 'BEGIN {
        split("-1.5 -3.0 -2.5", best, " "); split("0.04 0.0 0.02", off, " ")
        split("0.5 0.1 0.1", mw, " ")
        x1 = log(lr) / log(10) - best[k + 1]; x2 = dropout - 0.3
        x3 = log(bs) / log(2) - 6.0; x4 = m - 0.9
        d = 0.25*x1*x1 + 0.8*x2*x2 + 0.05*x3*x3 + mw[k + 1]*x4*x4
        fl = 0.1 + off[k + 1] + 2.0 * (1.0 - exp(-d))
        rate = 0.5 * exp(-(0.3*x1*x1 + 0.15*x3*x3 + 0.5*x4*x4))
        printf "%.17g\n", fl + (2.3 - fl) * exp(-rate * e) }')
    hpolab_report epoch "$epoch" val_loss "$loss"
    if [ -n "$ckpt" ]; then
        mkdir -p "$ckpt"
        printf '{"epoch": %d, "state": {"val_loss": %s}}\n' "$epoch" "$loss" \
            >"$ckpt/checkpoint.json.tmp"
        mv -f "$ckpt/checkpoint.json.tmp" "$ckpt/checkpoint.json"
    fi
    epoch=$((epoch + 1))
done
