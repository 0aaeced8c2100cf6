#!/usr/bin/env bash
# Installs what building and testing FleetLens needs on a Debian machine with Rust (rustup) and
# Node.js, and skips whatever is already there:
#   Debian packages  prometheus (with promtool) for the tests against a real Prometheus, and
#                    chromium for the end-to-end tests and benchmarks (driven by playwright-core)
#   Rust             the wasm32-unknown-unknown target; wasm-bindgen-cli at the exact version of
#                    the wasm-bindgen crate in Cargo.lock
#   npm              the packages in package-lock.json (npm ci), binaryen's wasm-opt among them
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf 'setup: %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# --- Debian packages -------------------------------------------------------------------------
apt_missing=()
command -v prometheus >/dev/null && command -v promtool >/dev/null || apt_missing+=(prometheus)
[ -x /usr/bin/chromium ] || apt_missing+=(chromium)
if [ ${#apt_missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${apt_missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${apt_missing[@]}" >/dev/null
fi

# --- Rust toolchain pieces -------------------------------------------------------------------
export PATH="$HOME/.cargo/bin:$PATH"
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# cargo install with the tool's own lockfile first; fall back to fresh resolution when the
# registry lacks one of the locked versions.
cargo_install() {
  local crate=$1 version=$2
  log "installing $crate $version with cargo (a few minutes, once)"
  cargo install --quiet "$crate" --version "=$version" --locked ||
    cargo install --quiet "$crate" --version "=$version"
}

bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
[ -n "$bindgen_version" ] || { echo "setup: no wasm-bindgen in Cargo.lock" >&2; exit 1; }
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }')" != "$bindgen_version" ]; then
  cargo_install wasm-bindgen-cli "$bindgen_version"
fi

# --- npm -------------------------------------------------------------------------------------
# npm ci when node_modules is missing or older than the lockfile.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi
log "ready"
