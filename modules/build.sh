#!/usr/bin/env bash
# Builds the guest modules for wasm32-unknown-unknown into modules/dist/*.wasm.
#
#   modules/build.sh           rebuild and copy into dist/
#   modules/build.sh --check   rebuild and fail if dist/ differs from the build
#
# Reproducible: the sources are copied to a fixed directory before building, because cargo
# derives crate hashes (and so symbol order in the output) from the path of path
# dependencies; remaining absolute paths are remapped. The release profile lives in
# modules/Cargo.toml.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
check=false
[ "${1:-}" = "--check" ] && check=true

# crate package name -> dist file name
guests=(fazt-echo:echo fazt-libimage:libimage fazt-libpdf:libpdf fazt-libxlsx:libxlsx)

build_root=/tmp/fazt-wasm-guest-build
rm -rf "$build_root/src"
mkdir -p "$build_root/src/modules" "$build_root/src/hostfns"
tar -C "$here" --exclude=./target --exclude=./dist -cf - . | tar -C "$build_root/src/modules" -xf -
cp -r "$repo/hostfns/abi" "$build_root/src/hostfns/abi"

cargo_home="${CARGO_HOME:-$HOME/.cargo}"
# A 64 KiB stack: a fresh store pays for every page a guest declares, on every call.
export RUSTFLAGS="-C link-arg=-zstack-size=65536 --remap-path-prefix=$build_root/src=/fazt --remap-path-prefix=$cargo_home=/cargo"
export CARGO_TARGET_DIR="$build_root/target"
packages=()
for guest in "${guests[@]}"; do
  packages+=(-p "${guest%%:*}")
done
cargo build --manifest-path "$build_root/src/modules/Cargo.toml" --release --target wasm32-unknown-unknown --locked "${packages[@]}"

mkdir -p "$here/dist"
status=0
for guest in "${guests[@]}"; do
  crate="${guest%%:*}"
  name="${guest##*:}"
  built="$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/${crate//-/_}.wasm"
  if $check; then
    if ! cmp -s "$built" "$here/dist/$name.wasm"; then
      echo "modules/dist/$name.wasm differs from a fresh build of $crate: run modules/build.sh and commit" >&2
      status=1
    fi
  else
    cp "$built" "$here/dist/$name.wasm"
  fi
  printf '%-10s %8d bytes\n' "$name" "$(stat -c %s "$built")"
done
exit $status
