/**
 * The dashboard's time zone as the engine takes it: UTC offsets from the browser's `Intl`, so the
 * wasm carries no time-zone database.
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Offsets are sampled this far apart; no zone changes its offset twice within 6 hours. */
const PROBE_MS = 6 * HOUR_MS;
/** Calendar periods read up to a quarter back and the month's end ahead; cover both with slack. */
export const ZONE_MARGIN_BEFORE_MS = 100 * DAY_MS;
export const ZONE_MARGIN_AFTER_MS = 40 * DAY_MS;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** `browser` and empty mean the browser's own zone; `utc` is UTC (Grafana's names). */
export function resolveZone(zone: string | undefined): string {
  const z = (zone ?? '').trim();
  if (z === '' || z === 'browser') {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  }
  return z.toLowerCase() === 'utc' ? 'UTC' : z;
}

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new Error(`time zone "${zone}" does not exist (use an IANA name such as Europe/Berlin)`);
    }
    formatters.set(zone, f);
  }
  return f;
}

/** Offset of `zone` at the UTC instant `utcMs`, in ms east of UTC (whole seconds). */
export function offsetAt(zone: string, utcMs: number): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(zone).formatToParts(new Date(utcMs))) {
    if (p.type !== 'literal') {
      parts[p.type] = Number(p.value);
    }
  }
  const local = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  const utcSeconds = Math.floor(utcMs / 1000) * 1000;
  return local - utcSeconds;
}

/**
 * `[fromMs, offsetMs, fromMs, offsetMs, …]` covering `[fromMs − 100 d, toMs + 40 d]`: one pair at
 * the start and one at each offset change, found by probing every 6 hours and bisecting each
 * change to the second. Throws for a zone that does not exist.
 */
export function zoneOffsets(zone: string | undefined, fromMs: number, toMs: number): Float64Array {
  const name = resolveZone(zone);
  const start = fromMs - ZONE_MARGIN_BEFORE_MS;
  const end = toMs + ZONE_MARGIN_AFTER_MS;
  const out: number[] = [start, offsetAt(name, start)];
  let t = start;
  let current = out[1];
  while (t < end) {
    const next = Math.min(t + PROBE_MS, end);
    if (offsetAt(name, next) !== current) {
      let lo = t;
      let hi = next;
      while (hi - lo > 1000) {
        const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
        if (offsetAt(name, mid) === current) {
          lo = mid;
        } else {
          hi = mid;
        }
      }
      current = offsetAt(name, hi);
      out.push(hi, current);
    }
    t = next;
  }
  return Float64Array.from(out);
}
