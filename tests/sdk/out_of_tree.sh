#!/usr/bin/env bash
# out_of_tree.sh: proves the installed SDK works for a plugin author.
# Installs the build tree into a staging prefix (cmake --install), then
# builds tests/sdk/oot/oot.c against it twice, once with
# find_package(hpolab) + hpolab_add_plugin() (and installs it, which must put
# it into hpolab's plugin folder) and once with plain `cc $(pkg-config
# --cflags hpolab)`, and loads both with hpolab_loader_load_file.
#
#   out_of_tree.sh <build dir> <work dir> <tests/sdk dir> <libdir>
#                  <cmake> <cc> <pkg-config> <sdk_loader_probe> <abi major>
set -euo pipefail
build=$1 work=$2 src=$3 libdir=$4 cmake=$5 cc=$6 pkgconfig=$7 probe=$8
abi_major=$9

fail() { echo "out_of_tree.sh: $*" >&2; exit 1; }
run() { # log name, command...
  local log="$work/$1.log"; shift
  "$@" >"$log" 2>&1 || { cat "$log" >&2; fail "failed: $*"; }
}

rm -rf "$work"
mkdir -p "$work"
stage="$work/stage"
plugins="$stage/$libdir/hpolab-$abi_major/plugins"

run install "$cmake" --install "$build" --prefix "$stage"
for f in include/hpolab/hpolab.h include/hpolab/abi.h \
         "$libdir/libhpolab.so" "$libdir/pkgconfig/hpolab.pc" \
         "$libdir/cmake/hpolab/hpolabConfig.cmake" \
         "$libdir/cmake/hpolab/hpolabConfigVersion.cmake" \
         "$libdir/cmake/hpolab/hpolabTargets.cmake" \
         "$libdir/cmake/hpolab/HpolabPlugin.cmake"; do
  [ -e "$stage/$f" ] || fail "cmake --install did not install $f"
done
if grep -q '^Libs' "$stage/$libdir/pkgconfig/hpolab.pc"; then
  fail "hpolab.pc has a Libs line (plugins must not link the core)"
fi

# 1. CMake package: find_package(hpolab <major>) + hpolab_add_plugin.
run cmake-configure "$cmake" -S "$src/oot" -B "$work/cmake-build" \
  -DCMAKE_PREFIX_PATH="$stage" -DOOT_ABI_MAJOR="$abi_major" \
  -DCMAKE_BUILD_TYPE=Release
run cmake-build "$cmake" --build "$work/cmake-build"
run cmake-install "$cmake" --install "$work/cmake-build"
[ -f "$plugins/hpolab-searcher_oot.so" ] ||
  fail "hpolab_add_plugin did not install into $plugins"
run probe-cmake "$probe" "$plugins/hpolab-searcher_oot.so" searcher oot
# Only the entry symbol is exported (version script of hpolab_add_plugin).
if command -v nm >/dev/null; then
  exported=$(nm -D --defined-only "$plugins/hpolab-searcher_oot.so" |
             awk '$2 ~ /^[TDBR]$/ {print $3}' | sort -u | tr '\n' ' ')
  [ "$exported" = "hpolab_plugin_entry " ] ||
    fail "the plugin exports more than hpolab_plugin_entry: $exported"
fi

# Another ABI major is not compatible: find_package must refuse it.
if "$cmake" -S "$src/oot" -B "$work/cmake-build-other" \
     -DCMAKE_PREFIX_PATH="$stage" -DOOT_ABI_MAJOR=$((abi_major + 1)) \
     >"$work/other-major.log" 2>&1; then
  fail "find_package(hpolab $((abi_major + 1))) accepted ABI $abi_major"
fi

# 2. pkg-config: Cflags only, and the plugin folder as a variable.
export PKG_CONFIG_PATH="$stage/$libdir/pkgconfig"
cflags=$("$pkgconfig" --cflags hpolab)
libs=$("$pkgconfig" --libs hpolab)
[ -z "$libs" ] || fail "pkg-config --libs hpolab is not empty: $libs"
pcdir=$("$pkgconfig" --variable=pluginsdir hpolab)
[ "$(realpath "$pcdir")" = "$(realpath "$plugins")" ] ||
  fail "pluginsdir is $pcdir, expected $plugins"
[ "$("$pkgconfig" --variable=abi_major hpolab)" = "$abi_major" ] ||
  fail "abi_major variable is not $abi_major"
mkdir -p "$work/pc"
# shellcheck disable=SC2086 # cflags is a list of flags
run pc-build "$cc" -std=c11 -Wall -Wextra -Werror -fPIC -shared \
  -fvisibility=hidden -Wl,-z,defs $cflags -DOOT_NAME=searcher_oot_pc \
  '-DOOT_ID="oot_pc"' -o "$work/pc/hpolab-searcher_oot_pc.so" \
  "$src/oot/oot.c"
run probe-pc "$probe" "$work/pc/hpolab-searcher_oot_pc.so" searcher oot_pc

cat "$work/probe-cmake.log" "$work/probe-pc.log"
echo "out_of_tree.sh: ok"
