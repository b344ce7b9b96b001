#!/usr/bin/env bash
# Builds sqz_host: a scalar runtime translated to C by wasm2c, compiled with the host.
#
#   bash examples/embedded/build.sh [OUT_DIR] [MODEL.sqz ...]      (default OUT_DIR: build/embedded, which git ignores)
#
# With models, the runtime is the one tailored to them (`sqz runtime MODEL.sqz ... --scalar --exec any`, written to
# OUT_DIR/runtime.wasm): only the ops, activations, encodings and paths they use, so the binary is smaller. Without,
# the general scalar runtime.
# Environment: SQZ_WASM (module to translate when no model is given, default build/sqz-scalar.wasm), CC (default gcc), CFLAGS (default
# -O2), WASM2C_DIR (folder holding wasm-rt-impl.c; default: Debian's /usr/share/wabt/wasm2c, then wabt's source
# layout next to the wasm2c binary), SQZ_MEMCHECK (bounds, the default, or signal: see below).
# Writes OUT_DIR/sqz.c, sqz.h (generated, never committed) and OUT_DIR/sqz_host.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${1:-$root/build/embedded}"
[ "$#" -gt 0 ] && shift
wasm="${SQZ_WASM:-$root/build/sqz-scalar.wasm}"
cc="${CC:-gcc}"
case "${SQZ_MEMCHECK:-bounds}" in
  bounds) signal_handler=0 ;;
  signal) signal_handler=1 ;;
  *) echo "sqz embedded build: SQZ_MEMCHECK must be bounds or signal, got '${SQZ_MEMCHECK}'" >&2; exit 1 ;;
esac

fail() { echo "sqz embedded build: $*" >&2; exit 1; }
command -v wasm2c >/dev/null || fail "wasm2c not found: install wabt (Debian: apt-get install wabt, or bash scripts/system-deps.sh)"
command -v "$cc" >/dev/null || fail "C compiler '$cc' not found: install gcc or set CC"
[ -f "$wasm" ] || fail "$wasm not found: build the runtime first (npm run build:wasm)"

rt_dir="${WASM2C_DIR:-}"
if [ -z "$rt_dir" ]; then
  for d in /usr/share/wabt/wasm2c "$(dirname "$(command -v wasm2c)")/../share/wabt/wasm2c" "$(dirname "$(command -v wasm2c)")/../wasm2c"; do
    [ -f "$d/wasm-rt-impl.c" ] && { rt_dir="$d"; break; }
  done
fi
[ -n "$rt_dir" ] && [ -f "$rt_dir/wasm-rt-impl.c" ] || fail "wasm-rt-impl.c not found: set WASM2C_DIR to wabt's wasm2c folder"

mkdir -p "$out"
if [ "$#" -gt 0 ]; then
  [ -f "$root/dist/compiler/cli.js" ] || fail "dist/compiler/cli.js not found: build sqz first (npm run build)"
  node "$root/dist/compiler/cli.js" runtime "$@" --scalar --exec any -o "$out/runtime.wasm" >&2 || fail "sqz runtime failed"
  wasm="$out/runtime.wasm"
fi
# -n sqz fixes the C names: Z_sqz_instantiate, Z_sqzZ_load, ... (wabt 1.0.32's mangling; newer wabt writes w2c_sqz_*).
wasm2c "$wasm" -n sqz -o "$out/sqz.c"

# WASM_RT_MEMCHECK_SIGNAL_HANDLER=0 (SQZ_MEMCHECK=bounds): explicit bounds checks and a malloc'd memory, as on a
#   device without an MMU. =1 (signal) reserves 8 GB of address space and catches faults with a signal handler:
#   faster, 64-bit POSIX/Windows only.
# -ffp-contract=off: no fused multiply-add, so every f32 result is the one WebAssembly defines (bit-identical to
#   the JS host); GCC fuses by default on targets that have FMA (e.g. aarch64).
# -fno-strict-aliasing: wasm2c's generated code is written for it.
# shellcheck disable=SC2086
"$cc" ${CFLAGS:--O2} -std=gnu11 -ffp-contract=off -fno-strict-aliasing -DWASM_RT_MEMCHECK_SIGNAL_HANDLER=$signal_handler \
  -I"$out" -I"$rt_dir" \
  "$here/sqz_host.c" "$out/sqz.c" "$rt_dir/wasm-rt-impl.c" -lm -o "$out/sqz_host"
echo "$out/sqz_host"
