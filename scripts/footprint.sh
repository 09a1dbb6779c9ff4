#!/usr/bin/env bash
# Footprint figures for README's table (issue 8).
#
#   scripts/footprint.sh cortex-m        flash and static RAM of the Cortex-M4F images
#                                        (examples/cortex-m), runtime vs bare wasmi, and
#                                        both booted on qemu-system-arm (mps2-an386)
#   scripts/footprint.sh cli TARGET...   stripped size of the CLI for each target, release
#                                        and min-size profiles
#   scripts/footprint.sh rss             peak RSS of `fazt-wasm test libimage resize` on a
#                                        1920x1080 JPEG, native and under qemu-aarch64
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/cross-test.sh
source scripts/cross-test.sh
target_dir=${CARGO_TARGET_DIR:-$PWD/target}

kib() { awk -v bytes="$1" 'BEGIN { printf "%.1f KiB", bytes / 1024 }'; }

cortex_m() {
  rustup target add thumbv7em-none-eabihf >/dev/null
  if ! command -v arm-none-eabi-size >/dev/null || ! command -v qemu-system-arm >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends binutils-arm-none-eabi qemu-system-arm >/dev/null
  fi
  # The example's .cargo/config.toml (target, runner) applies from its own directory.
  (cd examples/cortex-m && CARGO_TARGET_DIR=$target_dir cargo build --release --bins)
  local dir=$target_dir/thumbv7em-none-eabihf/release
  local wasm_bytes
  wasm_bytes=$(stat -c %s modules/dist/echo.wasm)
  for image in bare-wasmi firmware; do
    echo "== $image (arm-none-eabi-size -A, opt-level z, LTO, --gc-sections)"
    arm-none-eabi-size -A "$dir/$image" | grep -E '^(\.vector_table|\.text|\.rodata|\.data|\.bss|\.uninit) '
  done
  arm-none-eabi-size "$dir/bare-wasmi" "$dir/firmware"
  local bare firmware
  bare=$(arm-none-eabi-size -A "$dir/bare-wasmi" | awk '/^\.(vector_table|text|rodata) / { s += $2 } END { print s }')
  firmware=$(arm-none-eabi-size -A "$dir/firmware" | awk '/^\.(vector_table|text|rodata) / { s += $2 } END { print s }')
  echo "flash (vector table + text + rodata): bare wasmi $(kib "$bare"), firmware $(kib "$firmware")" \
    "including echo.wasm ($(kib "$wasm_bytes")); runtime core without the guest:" \
    "$(kib $((firmware - wasm_bytes))), $(awk -v a="$((firmware - wasm_bytes))" -v b="$bare" 'BEGIN { printf "%+.1f%%", (a / b - 1) * 100 }') over bare wasmi"
  for image in bare-wasmi firmware; do
    echo "== $image on qemu-system-arm mps2-an386 (Cortex-M4F); fails unless the image exits 0"
    timeout 300 qemu-system-arm -cpu cortex-m4 -machine mps2-an386 -nographic \
      -semihosting-config enable=on,target=native -kernel "$dir/$image"
  done
}

cli() {
  local target profile binary
  for target in "$@"; do
    cross_setup "$target"
    for profile in release min-size; do
      cargo build --profile "$profile" --target "$target" -p fazt-wasm --bin fazt-wasm
      binary=$target_dir/$target/$profile/fazt-wasm
      "$CROSS_GNU-strip" -o "$binary.stripped" "$binary"
      echo "fazt-wasm $target --profile $profile: $(kib "$(stat -c %s "$binary.stripped")") stripped"
    done
  done
}

rss() {
  cross_setup aarch64-unknown-linux-gnu
  cargo build --release -p fazt-wasm --bin fazt-wasm
  cargo build --release --target aarch64-unknown-linux-gnu -p fazt-wasm --bin fazt-wasm
  local work native emulated
  work=$(mktemp -d)
  native=$target_dir/release/fazt-wasm
  emulated=$target_dir/aarch64-unknown-linux-gnu/release/fazt-wasm
  # The guest makes its own input: the sample photo scaled up to 1920x1080.
  "$native" test libimage resize --input tests/data/libimage/sample.jpg --width 1920 --height 1080 \
    --output "$work/1080p.jpg" 2>/dev/null
  echo "== native x86_64"
  /usr/bin/time -f "peak RSS %M KiB, %e s" "$native" test libimage resize \
    --input "$work/1080p.jpg" --width 800 --output "$work/native.jpg"
  echo "== aarch64 under qemu-aarch64 (the RSS includes the emulator and its translated code)"
  /usr/bin/time -f "peak RSS %M KiB, %e s" "$CROSS_QEMU" -L "/usr/$CROSS_GNU" "$emulated" test \
    libimage resize --input "$work/1080p.jpg" --width 800 --output "$work/aarch64.jpg"
  cmp "$work/native.jpg" "$work/aarch64.jpg" && echo "identical output on x86_64 and aarch64"
  rm -r "$work"
}

case "${1:-}" in
  cortex-m) cortex_m ;;
  cli) shift; cli "$@" ;;
  rss) rss ;;
  *) echo "usage: $0 cortex-m | cli TARGET... | rss" >&2; exit 2 ;;
esac
