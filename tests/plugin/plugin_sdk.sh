#!/usr/bin/env bash
# plugin_sdk.sh: the plugin author's path, end to end, against the
# *installed* SDK (cmake --install into a staging prefix):
#   1. a plugin built with the frozen ABI 1.0 headers loads; one declaring a
#      newer minor is refused naming both versions;
#   2. `hpolab plugin new` (every kind) builds and passes its own
#      test (ctest runs `hpolab plugin check`);
#   3. examples/plugins (rea, median_stopping) build with find_package and
#      with pkg-config, pass `hpolab plugin check`, and their presets REA and
#      MSR run in a small study by name (HPOLAB_PLUGIN_PATH);
#   4. pack -> install -> plugins lists them -> remove; bad packages (wrong
#      checksum, a manifest lying about the ABI, a name clashing with a
#      built-in) are refused with one line each and install nothing;
#   5. the built-in plugins pass `hpolab plugin check`.
#
#   plugin_sdk.sh <build dir> <work dir> <source dir> <libdir> <cmake> <cc>
#                 <pkg-config> <sdk_loader_probe> <ctest>
set -euo pipefail
build=$1 work=$2 src=$3 libdir=$4 cmake=$5 cc=$6 pkgconfig=$7 probe=$8
ctest=$9
hpolab="$build/bin/hpolab"

fail() { echo "plugin_sdk.sh: $*" >&2; exit 1; }
run() { # log name, command...
  local log="$work/$1.log"; shift
  "$@" >"$log" 2>&1 || { cat "$log" >&2; fail "failed: $*"; }
}
# expect_fail <log name> <text the one line must contain> command...
expect_fail() {
  local log="$work/$1.log" want=$2; shift 2
  if "$@" >"$log" 2>&1; then cat "$log" >&2; fail "accepted: $*"; fi
  grep -qF -- "$want" "$log" || { cat "$log" >&2; fail "no '$want' in: $*"; }
  [ "$(wc -l <"$log")" -eq 1 ] || { cat "$log" >&2; fail "not one line: $*"; }
}

rm -rf "$work"
mkdir -p "$work"
stage="$work/stage"
run install "$cmake" --install "$build" --prefix "$stage"
export PKG_CONFIG_PATH="$stage/$libdir/pkgconfig"
export HPOLAB_PLUGIN_PATH=
export XDG_DATA_HOME="$work/xdg"
user_dir="$XDG_DATA_HOME/hpolab-1/plugins"
abi_minor=$("$pkgconfig" --variable=abi_minor hpolab)

# ---- 1. ABI 1.0 frozen headers --------------------------------------------
mkdir -p "$work/frozen"
run frozen-build "$cc" -std=c11 -Wall -Wextra -Werror -fPIC -shared \
  -fvisibility=hidden -Wl,-z,defs -I"$src/tests/sdk/abi-1.0" \
  -DOOT_NAME=searcher_frozen '-DOOT_ID="frozen"' \
  -o "$work/frozen/hpolab-searcher_frozen.so" "$src/tests/sdk/oot/oot.c"
run frozen-probe "$probe" "$work/frozen/hpolab-searcher_frozen.so" searcher frozen
newer=$((abi_minor + 1))
run newer-build "$cc" -std=c11 -fPIC -shared -fvisibility=hidden \
  -I"$src/tests/sdk/abi-1.0" -DHPOLAB_TARGET_ABI_MINOR=$newer \
  -DOOT_NAME=searcher_newer '-DOOT_ID="newer"' \
  -o "$work/frozen/hpolab-searcher_newer.so" "$src/tests/sdk/oot/oot.c"
expect_fail newer-probe "needs hpolab ABI 1.$newer; this hpolab provides ABI 1.$abi_minor" \
  "$probe" "$work/frozen/hpolab-searcher_newer.so" searcher newer

# ---- 2. hpolab plugin new ---------------------------------------------------
for kind in searcher scheduler backend plotter; do
  run "new-$kind" "$hpolab" plugin new $kind mine "$work/new-$kind"
  run "new-$kind-configure" "$cmake" -S "$work/new-$kind" \
    -B "$work/new-$kind/build" -DCMAKE_PREFIX_PATH="$stage" \
    -DHPOLAB_COMMAND="$hpolab"
  run "new-$kind-build" "$cmake" --build "$work/new-$kind/build"
  run "new-$kind-test" "$ctest" --test-dir "$work/new-$kind/build" \
    --output-on-failure
  grep -q "100% tests passed" "$work/new-$kind-test.log" ||
    fail "the generated $kind project's test did not run"
done
expect_fail new-exists "exists already" \
  "$hpolab" plugin new searcher mine "$work/new-searcher"
expect_fail new-badname "is not valid" "$hpolab" plugin new searcher Bad-Name

# ---- 3. examples against the installed SDK ---------------------------------
ex="$src/examples/plugins"
for p in rea:searcher median_stopping:scheduler; do
  name=${p%%:*} kind=${p##*:}
  run "$name-configure" "$cmake" -S "$ex/$name" -B "$work/ex-$name" \
    -DCMAKE_PREFIX_PATH="$stage" -DCMAKE_BUILD_TYPE=Release
  run "$name-build" "$cmake" --build "$work/ex-$name"
  so="$work/ex-$name/hpolab-${kind}_$name.so"
  [ -f "$so" ] && [ -f "$work/ex-$name/hpolab-presets-$name.json" ] ||
    fail "$name: find_package build made no plugin + presets"
  run "$name-check" "$hpolab" plugin check "$so"
done
# A small population, so that the check also sees REA's mutations.
run rea-check-mutate "$hpolab" plugin check "$work/ex-rea/hpolab-searcher_rea.so" \
  --options '{"population_size": 4, "sample_size": 2}'
run msr-check-options "$hpolab" plugin check \
  "$work/ex-median_stopping/hpolab-scheduler_median_stopping.so" \
  --options '{"grace_population": 2}'
# A bad option: the verdict is FAIL and shows the plugin's message.
if "$hpolab" plugin check "$work/ex-rea/hpolab-searcher_rea.so" \
     --options '{"population_size": 2, "sample_size": 5}' \
     >"$work/rea-check-badopt.log" 2>&1; then
  fail "plugin check passed REA with sample_size > population_size"
fi
grep -q "FAIL .*sample_size must be in \[1, population_size" \
  "$work/rea-check-badopt.log" || fail "no plugin message in the verdict"
"$hpolab" plugin check "$work/ex-rea/hpolab-searcher_rea.so" \
  --options '{"populaton_size": 4}' >"$work/rea-check-typo.log" 2>&1 &&
  fail "plugin check accepted an option the plugin never reads"
grep -q "unknown option 'populaton_size' for searcher 'rea'" \
  "$work/rea-check-typo.log" || fail "no unknown-option verdict"
for p in rea:searcher median_stopping:scheduler; do
  name=${p%%:*} kind=${p##*:}
  # shellcheck disable=SC2046 # flags are a list
  mkdir -p "$work/pc-$name"
  run "$name-pc" "$cc" -std=c11 -Wall -Wextra -Werror -fPIC -shared \
    -fvisibility=hidden -Wl,-z,defs $("$pkgconfig" --cflags hpolab) \
    -o "$work/pc-$name/hpolab-${kind}_$name.so" "$ex/$name/$name.c" -lm
  run "$name-pc-probe" "$probe" "$work/pc-$name/hpolab-${kind}_$name.so" \
    "$kind" "$name"
done

# A small study using the presets by name.
cat >"$work/study.json" <<JSON
{"name": "sdk-examples",
 "benchmarks": {"synthetic": {"entry_point": ["$build/examples/train_synthetic", "--sleep_per_epoch", "0"],
   "config_space": {"lr": {"domain": "loguniform", "lower": 1e-4, "upper": 1e-1}, "dropout": {"domain": "uniform", "lower": 0.0, "upper": 0.9}, "batch_size": {"domain": "randint", "lower": 16, "upper": 256}, "momentum": {"domain": "uniform", "lower": 0.0, "upper": 0.99}, "optimizer": {"domain": "choice", "categories": ["sgd", "adam", "rmsprop"]}, "epochs": 5},
   "metric": "val_loss", "mode": "min", "resource_attr": "epoch", "max_resource_attr": "epochs",
   "n_workers": 2, "max_wallclock_time": 30, "max_num_evaluations": 60}},
 "methods": ["RS", "REA", "MSR"]}
JSON
HPOLAB_PLUGIN_PATH="$work/ex-rea:$work/ex-median_stopping" \
  run study "$hpolab" run "$work/study.json" --results_dir "$work/results" \
  --random_seed 1
for m in RS REA MSR; do
  grep -lq "\"algorithm\": \"$m\"" "$work"/results/*/metadata.json ||
    fail "the study wrote no experiment of method $m"
  zip=$(grep -l "\"algorithm\": \"$m\"" "$work"/results/*/metadata.json)
  [ -s "$(dirname "$zip")/results.csv.zip" ] ||
    fail "method $m has no results.csv.zip"
done

# ... compared with the built-in baseline in a plot, as a practitioner would.
run plot "$hpolab" plot sdk-examples --results_dir "$work/results" \
  --output "$work/compare" --format png
[ -s "$work/compare.png" ] || fail "hpolab plot drew no compare.png"
for m in RS REA MSR; do
  grep -q "^| $m " "$work/compare-summary.md" ||
    fail "the plot's summary table has no row for $m"
done

# ---- 4. pack, install, remove, bad packages --------------------------------
for name in rea median_stopping; do
  run "$name-pack" "$hpolab" plugin pack "$work/ex-$name" \
    -o "$work/$name.tar.gz"
done
run install-rea "$hpolab" plugin install "$work/rea.tar.gz"
[ -f "$user_dir/hpolab-searcher_rea.so" ] &&
  [ -f "$user_dir/hpolab-presets-rea.json" ] ||
  fail "install did not put the plugin and its presets into $user_dir"
run plugins-listed "$hpolab" plugins
grep -q "rea" "$work/plugins-listed.log" && grep -q "REA" "$work/plugins-listed.log" ||
  fail "hpolab plugins does not list the installed rea and REA"
run check-installed "$hpolab" plugin check "$user_dir/hpolab-searcher_rea.so"
run remove-rea "$hpolab" plugin remove rea
[ ! -e "$user_dir/hpolab-searcher_rea.so" ] &&
  [ ! -e "$user_dir/hpolab-presets-rea.json" ] ||
  fail "remove left files behind"
expect_fail remove-again "no package 'rea' is installed" \
  "$hpolab" plugin remove rea

# Bad packages: unpack a good one, spoil it, repack with tar.
spoil() { # <name> <edit command run inside the unpacked folder>
  local d="$work/spoil-$1"
  rm -rf "$d"; mkdir -p "$d"
  tar -xzf "$work/rea.tar.gz" -C "$d"
  (cd "$d" && eval "$2")
  tar -czf "$work/$1.tar.gz" -C "$d" .
}
spoil checksum 'printf x >> hpolab-presets-rea.json'
expect_fail bad-checksum "checksum mismatch for 'hpolab-presets-rea.json'" \
  "$hpolab" plugin install "$work/checksum.tar.gz"
spoil abi "sed -i 's/\"abi\": \"1.$abi_minor\"/\"abi\": \"1.9\"/g' manifest.json"
expect_fail bad-abi "but its descriptor says ABI 1.$abi_minor" \
  "$hpolab" plugin install "$work/abi.tar.gz"
# A package whose plugin is named like a built-in.
mkdir -p "$work/clash"
cp "$build/plugins/out/hpolab-searcher_random.so" "$work/clash/"
run clash-pack "$hpolab" plugin pack "$work/clash" --name myrandom \
  -o "$work/clash.tar.gz"
expect_fail clash "clashes with the built-in plugin" \
  "$hpolab" plugin install "$work/clash.tar.gz"
[ -z "$(ls -A "$user_dir" 2>/dev/null)" ] ||
  fail "a refused package left files in $user_dir: $(ls "$user_dir")"

# ---- 5. the built-in plugins pass the battery ------------------------------
for so in "$build"/plugins/out/hpolab-*.so; do
  case "$(basename "$so")" in
  # the simulator needs a benchmark to replay
  hpolab-backend_simulator.so)
    run "builtin-$(basename "$so")" "$hpolab" plugin check "$so" \
      --options '{"benchmark": "branin_curves"}' ;;
  # sagemaker needs a role and an image, and resolves (offline) credentials
  # and a region in create
  hpolab-backend_sagemaker.so)
    run "builtin-$(basename "$so")" env AWS_ACCESS_KEY_ID=AKIDCHECK \
      AWS_SECRET_ACCESS_KEY=check AWS_REGION=us-east-1 \
      AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
      "$hpolab" plugin check "$so" --options \
      '{"role": "arn:aws:iam::123456789012:role/R", "image": "i", "bucket": "b"}' ;;
  *) run "builtin-$(basename "$so")" "$hpolab" plugin check "$so" ;;
  esac
done
echo "plugin_sdk.sh: ok"
