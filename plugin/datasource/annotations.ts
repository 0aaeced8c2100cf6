/**
 * View frames as annotation events: the SLO `backtest` output's alert intervals and the cost
 * `hourly` output's anomalous hours.
 */
import { AnnotationEvent, DataFrame, Field } from '@grafana/data';

import { fieldValues } from '../shared/frames';

const HOUR_MS = 3_600_000;

/** Colours of the events: a page is red, a ticket orange, a cost anomaly purple. */
const COLORS: Record<string, string> = { page: 'red', ticket: 'orange', anomaly: 'purple' };

function field(frame: DataFrame, name: string): Field | undefined {
  return frame.fields.find((f) => f.name === name);
}

function column(frame: DataFrame, name: string): ArrayLike<unknown> {
  const f = field(frame, name);
  return f ? fieldValues(f) : [];
}

const number = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Backtest rows (`time`, `timeEnd`, `severity`, `text`) as regions tagged with the severity. */
function backtestEvents(frame: DataFrame): AnnotationEvent[] {
  const times = column(frame, 'time');
  const ends = column(frame, 'timeEnd');
  const severities = column(frame, 'severity');
  const texts = column(frame, 'text');
  const events: AnnotationEvent[] = [];
  for (let i = 0; i < times.length; i++) {
    const time = number(times[i]);
    if (time === undefined) {
      continue;
    }
    const severity = String(severities[i] ?? '');
    const timeEnd = number(ends[i]) ?? time;
    events.push({
      time,
      timeEnd,
      isRegion: timeEnd > time,
      title: `${frame.name ?? 'SLO alert backtest'}: ${severity}`,
      text: String(texts[i] ?? ''),
      tags: ['slo', severity],
      color: COLORS[severity],
    });
  }
  return events;
}

/** Hours whose `anomaly` is 1, as a region over the hour (the time is the hour's end). */
function anomalyEvents(frame: DataFrame): AnnotationEvent[] {
  const times = column(frame, 'Time');
  const costs = column(frame, 'cost');
  const flags = column(frame, 'anomaly');
  const events: AnnotationEvent[] = [];
  for (let i = 0; i < times.length; i++) {
    const end = number(times[i]);
    if (end === undefined || flags[i] !== 1) {
      continue;
    }
    const cost = number(costs[i]);
    events.push({
      time: end - HOUR_MS,
      timeEnd: end,
      isRegion: true,
      title: 'Cost anomaly',
      text: cost === undefined ? 'cost far above the recent hourly median' : `$${cost.toFixed(2)} in the hour, far above the recent hourly median`,
      tags: ['cost', 'anomaly'],
      color: COLORS.anomaly,
    });
  }
  return events;
}

/** Events from every backtest and hourly-cost frame; other frames give none. */
export function framesToAnnotations(frames: DataFrame[]): AnnotationEvent[] {
  return frames.flatMap((frame) => {
    if (field(frame, 'timeEnd') && field(frame, 'severity')) {
      return backtestEvents(frame);
    }
    if (field(frame, 'anomaly') && field(frame, 'Time')) {
      return anomalyEvents(frame);
    }
    return [];
  });
}
