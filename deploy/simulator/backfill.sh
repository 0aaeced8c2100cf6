#!/bin/sh
# One-shot history for a fresh stack: simulate FLEETLENS_BACKFILL_DAYS days (default 30) up to
# now as OpenMetrics, then write them as TSDB blocks into Prometheus' data directory, which
# Prometheus loads when it starts. A marker file makes later runs (every `docker compose up`) skip,
# so no second, overlapping copy of the history is written. `docker compose down -v` removes it.
set -eu

data=${PROMETHEUS_DATA:-/prometheus}
days=${FLEETLENS_BACKFILL_DAYS:-30}
seed=${FLEETLENS_SEED:-1}
marker="$data/.fleetlens-backfill"

case "$days" in
  ''|*[!0-9]*) echo "backfill: FLEETLENS_BACKFILL_DAYS must be a whole number of days, got '$days'" >&2; exit 2 ;;
esac
if [ "$days" -eq 0 ]; then
  echo "backfill: FLEETLENS_BACKFILL_DAYS=0, no history written"
  exit 0
fi
if [ ! -w "$data" ]; then
  echo "backfill: $data is not writable by uid $(id -u); is the prometheus-data volume mounted?" >&2
  exit 1
fi
if [ -f "$marker" ]; then
  echo "backfill: history already written on $(cat "$marker"); skipping (docker compose down -v to start over)"
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "backfill: simulating ${days}d of telemetry (seed $seed)"
interval=${FLEETLENS_BACKFILL_INTERVAL:-2m}
fleetlens simulate --openmetrics "$work/history.om" --from "now-${days}d" --to now --seed "$seed" \
  --interval "$interval"
echo "backfill: writing TSDB blocks into $data"
# promtool reads the whole file once per block it writes: one block for the whole history keeps
# that to a single pass (two-hour blocks would mean 360 passes over 30 days).
block="$((days * 24 + 24))h"
promtool tsdb create-blocks-from openmetrics --max-block-duration="$block" "$work/history.om" "$data"
date -u +%Y-%m-%dT%H:%M:%SZ > "$marker"
echo "backfill: done"
