#!/usr/bin/env bash
# Installs the Debian packages the tests use, if missing: Fashion-MNIST (dataset-fashion-mnist), wabt (wasm2c and
# wasm-objdump, for the non-JS host and the import check), a C compiler for the embedded host and Chromium for the
# browser test, GNU time (/usr/bin/time -v: peak memory in bench/embedded.ts), and NumPy and scikit-learn
# (/usr/bin/python3 writes the reference .npy/.npz files and the sklearn CSVs the data tests read).
set -euo pipefail
needed=()
for pkg in dataset-fashion-mnist wabt gcc chromium time python3-numpy python3-sklearn; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || needed+=("$pkg")
done
[ ${#needed[@]} -eq 0 ] && exit 0
echo "sqz: installing Debian packages: ${needed[*]}" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y -qq "${needed[@]}" >/dev/null 2>&1 || {
  $SUDO apt-get update -qq >/dev/null
  $SUDO apt-get install -y -qq "${needed[@]}" >/dev/null
}
