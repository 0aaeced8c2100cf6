import { describe, expect, it } from 'vitest';

import { offsetAt, resolveZone, zoneOffsets } from './zone';

describe('zoneOffsets', () => {
  it('finds Berlin’s 2025 spring change to the second', () => {
    // 2025-03-30T01:00:00Z: CET (+1 h) becomes CEST (+2 h).
    const change = Date.UTC(2025, 2, 30, 1, 0, 0);
    const pairs = zoneOffsets('Europe/Berlin', change - 86_400_000, change + 86_400_000);
    const list = Array.from(pairs);
    const i = list.indexOf(change);
    expect(i).toBeGreaterThan(0);
    expect(list[i + 1]).toBe(7_200_000);
    expect(list[i - 1]).toBe(3_600_000);
    // Sorted, strictly increasing starts.
    for (let k = 2; k < list.length; k += 2) {
      expect(list[k]).toBeGreaterThan(list[k - 2]);
    }
  });

  it('gives one piece for UTC and a half-hour offset for India', () => {
    expect(Array.from(zoneOffsets('utc', 0, 86_400_000)).length).toBe(2);
    expect(offsetAt('Asia/Kolkata', Date.UTC(2025, 0, 1))).toBe(19_800_000);
  });

  it('names a zone that does not exist', () => {
    expect(() => zoneOffsets('Mars/Olympus', 0, 1)).toThrow(/time zone "Mars\/Olympus" does not exist/);
  });

  it('maps Grafana’s browser and empty zones to the browser’s', () => {
    expect(resolveZone('browser')).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
    expect(resolveZone('')).toBe(resolveZone('browser'));
  });
});
