#!/usr/bin/env bash
# Builds the engine for the browser: target/wasm-pkg/fleetlens.js (wasm-bindgen's --target web
# glue), fleetlens.d.ts and fleetlens_bg.wasm (optimized for size with binaryen's wasm-opt).
# The tools come from scripts/setup.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/wasm-pkg
wasm_opt=node_modules/.bin/wasm-opt

for tool in wasm-bindgen; do
  command -v "$tool" >/dev/null || { echo "build-wasm: $tool is missing: run scripts/setup.sh" >&2; exit 1; }
done
[ -x "$wasm_opt" ] || { echo "build-wasm: $wasm_opt is missing: run npm ci" >&2; exit 1; }

# The glue must come from the wasm-bindgen version in Cargo.lock.
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
have=$(wasm-bindgen --version | awk '{ print $2 }')
if [ "$want" != "$have" ]; then
  echo "build-wasm: wasm-bindgen $have is installed, Cargo.lock wants $want: run scripts/setup.sh" >&2
  exit 1
fi

# cargo and wasm-bindgen directly (not wasm-pack): the glue gets `__wbg_reset_state`
# (--experimental-reset-state-function), with which the engine replaces an instance that trapped.
cargo build --quiet --lib --release --target wasm32-unknown-unknown
wasm-bindgen --target web --experimental-reset-state-function --out-dir "$out" --out-name fleetlens \
  target/wasm32-unknown-unknown/release/fleetlens.wasm
# --converge repeats -Oz while it still shrinks the module; the debug and producers sections are
# of no use in the browser.
"$wasm_opt" -Oz --converge --strip-debug --strip-producers \
  "$out/fleetlens_bg.wasm" -o "$out/fleetlens_bg.wasm.opt"
mv "$out/fleetlens_bg.wasm.opt" "$out/fleetlens_bg.wasm"
rm -f "$out/.gitignore"
printf 'build-wasm: %s (%s bytes, %s gzipped)\n' "$out/fleetlens_bg.wasm" \
  "$(wc -c <"$out/fleetlens_bg.wasm")" "$(gzip -9c "$out/fleetlens_bg.wasm" | wc -c)"
