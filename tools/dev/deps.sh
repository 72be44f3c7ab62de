#!/usr/bin/env bash
# Installs the Debian packages hpolab needs to build, test and run its demo,
# but only those that are missing (apt-get update runs only then).
set -euo pipefail

packages=(
  gcc make cmake pkg-config        # toolchain
  clang                            # libFuzzer targets (tests/fuzz)
  libjansson-dev                   # JSON: study files, metadata.json
  libzip-dev                       # results.csv.zip
  libarchive-dev                   # plugin packages (hpolab plugin pack|install)
  libcmocka-dev                    # unit and integration tests
  liblapacke-dev libopenblas-dev   # Gaussian-process linear algebra (bayesopt)
  liblbfgs-dev                     # marginal-likelihood fit (bayesopt)
  gnuplot-nox                      # hpolab plot renders PNG, SVG and PDF
  python3                          # the Python example training script
  valgrind                         # memory checks of the test suite
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "deps.sh: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi
echo "deps.sh: installing ${missing[*]}"
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
