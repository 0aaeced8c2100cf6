/**
 * Between the engine's typed arrays and Grafana's data frames, both ways.
 *
 * Uses only `toDataFrame` and plain field objects, which Grafana 9.4 (values as Vectors) and later
 * versions (values as arrays) both accept; reads values through `toArray()` when a field has it.
 */
import { DataFrame, Field, FieldType, Labels, QueryResultMetaNotice, toDataFrame } from '@grafana/data';

import type { DecodedResponse } from './engine';

/** Name of the value field of every series frame. */
export const VALUE_FIELD = 'Value';
/** Name of the time field of every series frame. */
export const TIME_FIELD = 'Time';

/** How the frames of one query are labelled. */
export interface FrameOptions {
  refId: string;
  /** `{{label}}` template for series names; empty means the Prometheus form `name{k="v", …}`. */
  legendFormat?: string;
  /** Shown in the query inspector. */
  executedQueryString?: string;
}

/** `name{k="v", …}` as Prometheus prints a series (labels sorted; `{}` when there are none). */
export function seriesName(labels: Labels): string {
  const { __name__: name = '', ...rest } = labels;
  const pairs = Object.keys(rest)
    .sort()
    .map((key) => `${key}="${rest[key]}"`);
  return pairs.length > 0 || name === '' ? `${name}{${pairs.join(', ')}}` : name;
}

/** Replaces each `{{ label }}` with that label's value (empty when the series lacks it). */
export function renderLegend(format: string, labels: Labels): string {
  return format.replace(/\{\{\s*([^{}\s]+)\s*\}\}/g, (_, key: string) => labels[key] ?? '');
}

/** Display name of one series: the rendered legend when one is set, else its Prometheus name. */
export function displayName(labels: Labels, legendFormat?: string): string {
  const legend = legendFormat?.trim() ? renderLegend(legendFormat, labels) : '';
  return legend || seriesName(labels);
}

/** Prometheus' warnings and infos as frame notices (shown in the panel header). */
export function notices(decoded: Pick<DecodedResponse, 'warnings' | 'infos'>): QueryResultMetaNotice[] {
  return [
    ...decoded.warnings().map((text): QueryResultMetaNotice => ({ severity: 'warning', text })),
    ...decoded.infos().map((text): QueryResultMetaNotice => ({ severity: 'info', text })),
  ];
}

/**
 * One frame per series: a `Time` field (epoch ms) and a `Value` number field carrying the series'
 * labels. A `string` result becomes one frame with a string field. Warnings and infos go to the
 * first frame's notices; with no series they travel on an empty frame so they are not lost.
 * Does not free `decoded`.
 */
export function decodedToFrames(decoded: DecodedResponse, options: FrameOptions): DataFrame[] {
  const { refId, legendFormat, executedQueryString } = options;
  const frames: DataFrame[] = [];
  for (let i = 0; i < decoded.seriesCount; i++) {
    const labels: Labels = decoded.labels(i);
    const name = displayName(labels, legendFormat);
    frames.push(
      toDataFrame({
        refId,
        name,
        fields: [
          { name: TIME_FIELD, type: FieldType.time, config: {}, values: Array.from(decoded.times(i)) },
          {
            name: VALUE_FIELD,
            type: FieldType.number,
            labels,
            config: { displayNameFromDS: name },
            values: Array.from(decoded.values(i)),
          },
        ],
      })
    );
  }
  const text = decoded.resultType === 'string' ? decoded.stringValue() : undefined;
  if (text !== undefined) {
    frames.push(toDataFrame({ refId, name: 'string', fields: [{ name: VALUE_FIELD, type: FieldType.string, values: [text] }] }));
  }
  const meta = { executedQueryString, notices: notices(decoded) };
  if (frames.length === 0) {
    frames.push(toDataFrame({ refId, fields: [] }));
  }
  frames[0].meta = { ...frames[0].meta, ...meta };
  return frames;
}

/** A field's values as an array-like, whether Grafana handed a Vector (9.x) or an array. */
export function fieldValues<T>(field: Field<T>): ArrayLike<T> {
  const values = field.values as unknown as { toArray?: () => T[] } & ArrayLike<T>;
  return typeof values.toArray === 'function' ? values.toArray() : values;
}

/** Every number field of some frames, end to end, in the engine's (values, lengths) form. */
export interface PackedSeries {
  /** All values; null, undefined and non-numbers become NaN. */
  values: Float64Array;
  /** `lengths[k]` = number of values of `fields[k]`. */
  lengths: Uint32Array;
  /** The number fields, in order. */
  fields: Field[];
}

/** Packs every number field of `frames` (one series each) for `sumLatest` and friends. */
export function packNumberFields(frames: DataFrame[]): PackedSeries {
  const fields = frames.flatMap((frame) => frame.fields.filter((field) => field.type === FieldType.number));
  const columns = fields.map((field) => fieldValues(field));
  const lengths = Uint32Array.from(columns, (column) => column.length);
  const values = new Float64Array(lengths.reduce((sum, n) => sum + n, 0));
  let offset = 0;
  for (const column of columns) {
    for (let i = 0; i < column.length; i++) {
      const v: unknown = column[i];
      values[offset++] = typeof v === 'number' ? v : v === null || v === undefined ? NaN : Number(v);
    }
  }
  return { values, lengths, fields };
}
