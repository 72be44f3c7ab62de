#!/bin/sh
# Runs the C version of the synthetic training script (train_synthetic.c),
# which CMake builds into <build>/examples/. study_c.json uses this wrapper
# as its entry point, so the study file does not need to know where the
# build tree is. By default it is ../../build (the one the README's set-up
# command makes); for another one set HPOLAB_EXAMPLES_BIN to the folder
# holding train_synthetic, as an absolute path:
#   HPOLAB_EXAMPLES_BIN=$PWD/build-release/examples hpolab run study_c.json
here=$(dirname "$0")
bin=${HPOLAB_EXAMPLES_BIN:-$here/../../build/examples}/train_synthetic
if [ ! -x "$bin" ]; then
    echo "$0: $bin not found: build it (cmake --build build --target" \
         "train_synthetic) or set HPOLAB_EXAMPLES_BIN" >&2
    exit 127
fi
exec "$bin" "$@"
