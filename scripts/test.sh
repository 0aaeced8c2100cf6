#!/usr/bin/env bash
# Every test FleetLens has, in one command (the README's test command; CI runs it too).
# Installs what is missing first (scripts/setup.sh), then runs each stage, keeps going after a
# failure so one run shows every problem, and exits non-zero if any stage failed.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
# Tests that need Prometheus fail rather than skip when it is missing.
export FLEETLENS_REQUIRE_PROMETHEUS=1

bash scripts/setup.sh || { echo "test: setup failed" >&2; exit 1; }

passed=0
failed=()
stage() {
  local name=$1
  shift
  printf '\n==> %s\n' "$name"
  local t0=$SECONDS
  if "$@"; then
    passed=$((passed + 1))
    printf '<== %s: ok (%ss)\n' "$name" $((SECONDS - t0))
  else
    failed+=("$name")
    printf '<== %s: FAILED (%ss)\n' "$name" $((SECONDS - t0))
  fi
}

stage "rustfmt" cargo fmt --check
stage "clippy (host)" cargo clippy --quiet --all-targets -- -D warnings
stage "clippy (wasm32)" cargo clippy --quiet --lib --target wasm32-unknown-unknown -- -D warnings
stage "cargo test (core, CLI, real Prometheus)" cargo test --quiet
stage "wasm binding tests (wasm-bindgen-test, Node)" \
  env CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  cargo test --lib --target wasm32-unknown-unknown
stage "build (wasm + plugins)" npm run --silent build
stage "typecheck" npm run --silent typecheck
stage "JS tests (shims, boundary, schemas, loader, package)" npm run --silent test:js
stage "end-to-end (playground in Chromium, real Prometheus)" \
  sh -c 'cargo build --quiet --bin fleetlens && npm run --silent test:e2e'

printf '\n'
if [ ${#failed[@]} -gt 0 ]; then
  printf 'failed stages: %s\n' "${failed[*]}"
fi
printf 'stages: %d passed, %d failed\n' "$passed" "${#failed[@]}"
[ ${#failed[@]} -eq 0 ]
