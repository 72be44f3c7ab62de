#!/bin/sh
# entry.sh: ENTRYPOINT of hpolab's SageMaker training image (reference
# aws.md §6). SageMaker starts it as `entry.sh train` with the job's tree
# under /opt/ml (HPOLAB_ML_ROOT overrides that root; the tests' stand-in
# uses a temporary folder). It
#   1. unpacks the job's source (every *.tar.gz of the `code` channel,
#      <ml>/input/data/code/) into <ml>/code,
#   2. installs <ml>/code/requirements.txt with pip when there is one (as
#      SageMaker's framework containers do),
#   3. replaces itself with `hpolab sagemaker-entry`, which reads
#      <ml>/input/config/hyperparameters.json and execs either `hpolab run`
#      for one slice of a study (hpolab_mode=run) or a training script
#      (hpolab_mode=trial); see README.md.
# exec all the way down: the job's command is PID 1 and gets SageMaker's
# SIGTERM on StopTrainingJob.
set -eu

ml=${HPOLAB_ML_ROOT:-/opt/ml}
hpolab=${HPOLAB_PROGRAM:-hpolab}
code=$ml/code

fail() {
    # SageMaker shows this file as the job's FailureReason
    mkdir -p "$ml/output"
    printf '%s\n' "$1" >"$ml/output/failure"
    printf 'hpolab entry: %s\n' "$1" >&2
    exit 1
}

[ -f "$ml/input/config/hyperparameters.json" ] ||
    fail "no $ml/input/config/hyperparameters.json (is this a SageMaker training job?)"

mkdir -p "$code"
found=0
for archive in "$ml"/input/data/code/*.tar.gz; do
    [ -f "$archive" ] || continue
    found=1
    tar -xzf "$archive" -C "$code" || fail "cannot unpack $(basename "$archive") (channel code)"
done
[ "$found" = 1 ] || [ -n "$(ls -A "$code" 2>/dev/null)" ] ||
    fail "no source: the job needs a channel 'code' with the packed study (*.tar.gz)"

if [ -f "$code/requirements.txt" ]; then
    echo "hpolab entry: installing $code/requirements.txt"
    # HPOLAB_PIP: the pip command (tests use a stand-in; the image a venv's)
    ${HPOLAB_PIP:-pip} install --no-cache-dir -r "$code/requirements.txt" ||
        fail "pip install -r requirements.txt failed (see the job's log)"
fi

exec "$hpolab" sagemaker-entry --ml_root "$ml" --code "$code"
