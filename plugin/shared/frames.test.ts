import { ArrayVector, DataFrame, FieldType, toDataFrame } from '@grafana/data';
import { describe, expect, it } from 'vitest';

import type { DecodedResponse } from './engine';
import { decodedToFrames, displayName, fieldValues, packNumberFields, renderLegend, seriesName } from './frames';

interface FakeSeries {
  labels: Record<string, string>;
  times: number[];
  values: number[];
}

/** A DecodedResponse made of plain arrays, as the engine would hand them over. */
function fakeDecoded(series: FakeSeries[], extra: Partial<{ resultType: string; warnings: string[]; infos: string[]; text: string }> = {}): DecodedResponse {
  return {
    free: () => undefined,
    resultType: extra.resultType ?? 'matrix',
    seriesCount: series.length,
    pointCount: series.reduce((n, s) => n + s.values.length, 0),
    warnings: () => extra.warnings ?? [],
    infos: () => extra.infos ?? [],
    labels: (i) => ({ ...series[i].labels }),
    times: (i) => Float64Array.from(series[i].times),
    values: (i) => Float64Array.from(series[i].values),
    stringValue: () => extra.text,
  };
}

const values = (frame: DataFrame, k: number) => Array.from(fieldValues(frame.fields[k]));

describe('seriesName', () => {
  const cases: Array<{ name: string; labels: Record<string, string>; want: string }> = [
    { name: 'name and sorted labels', labels: { model: 'opus', __name__: 'cost', app: 'x' }, want: 'cost{app="x", model="opus"}' },
    { name: 'name only', labels: { __name__: 'up' }, want: 'up' },
    { name: 'labels only (after an aggregation)', labels: { model: 'opus' }, want: '{model="opus"}' },
    { name: 'nothing (a scalar)', labels: {}, want: '{}' },
  ];
  for (const c of cases) {
    it(c.name, () => expect(seriesName(c.labels)).toBe(c.want));
  }
});

describe('legend', () => {
  it('renders {{label}} with spaces and missing labels', () => {
    expect(renderLegend('{{model}} / {{ query_source }} / {{nope}}', { model: 'opus', query_source: 'main' })).toBe('opus / main / ');
  });
  it('falls back to the series name when the legend is blank or renders empty', () => {
    expect(displayName({ __name__: 'up', job: 'p' }, '')).toBe('up{job="p"}');
    expect(displayName({ __name__: 'up', job: 'p' }, '   ')).toBe('up{job="p"}');
    expect(displayName({ __name__: 'up' }, '{{job}}')).toBe('up');
    expect(displayName({ __name__: 'up', job: 'p' }, 'job {{job}}')).toBe('job p');
  });
});

describe('decodedToFrames', () => {
  const decoded = fakeDecoded(
    [
      { labels: { __name__: 'cost', model: 'opus' }, times: [1000, 2000], values: [0.5, NaN] },
      { labels: { __name__: 'cost', model: 'haiku' }, times: [1000], values: [Infinity] },
    ],
    { warnings: ['too many samples'], infos: ['info one'] }
  );
  const frames = decodedToFrames(decoded, { refId: 'A', legendFormat: '{{model}}', executedQueryString: 'cost (step 15s)' });

  it('makes one Time + Value frame per series', () => {
    expect(frames).toHaveLength(2);
    const [first, second] = frames;
    expect(first.refId).toBe('A');
    expect(first.length).toBe(2);
    expect(first.fields.map((f) => [f.name, f.type])).toEqual([
      ['Time', FieldType.time],
      ['Value', FieldType.number],
    ]);
    expect(values(first, 0)).toEqual([1000, 2000]);
    expect(values(first, 1)).toEqual([0.5, NaN]);
    expect(values(second, 1)).toEqual([Infinity]);
  });

  it('keeps labels and names series from the legend', () => {
    expect(frames[0].fields[1].labels).toEqual({ __name__: 'cost', model: 'opus' });
    expect(frames[0].fields[1].config.displayNameFromDS).toBe('opus');
    expect(frames[1].name).toBe('haiku');
  });

  it('puts warnings and infos on the first frame', () => {
    expect(frames[0].meta?.notices).toEqual([
      { severity: 'warning', text: 'too many samples' },
      { severity: 'info', text: 'info one' },
    ]);
    expect(frames[0].meta?.executedQueryString).toBe('cost (step 15s)');
    expect(frames[1].meta?.notices).toBeUndefined();
  });

  it('keeps warnings of an empty result on an empty frame', () => {
    const empty = decodedToFrames(fakeDecoded([], { warnings: ['w'] }), { refId: 'B' });
    expect(empty).toHaveLength(1);
    expect(empty[0].fields).toHaveLength(0);
    expect(empty[0].meta?.notices).toEqual([{ severity: 'warning', text: 'w' }]);
  });

  it('turns a string result into a string field', () => {
    const [frame] = decodedToFrames(fakeDecoded([], { resultType: 'string', text: 'hello' }), { refId: 'C' });
    expect(frame.fields[0].type).toBe(FieldType.string);
    expect(values(frame, 0)).toEqual(['hello']);
  });
});

describe('packNumberFields', () => {
  it('packs number fields of all frames end to end, nulls as NaN', () => {
    const frames = [
      toDataFrame({
        fields: [
          { name: 'Time', type: FieldType.time, values: [1, 2, 3] },
          { name: 'a', type: FieldType.number, values: [1, null, 3] },
          { name: 'label', type: FieldType.string, values: ['x', 'y', 'z'] },
          { name: 'b', type: FieldType.number, values: [4, 5, undefined] },
        ],
      }),
      toDataFrame({ fields: [{ name: 'c', type: FieldType.number, values: [7] }] }),
    ];
    const packed = packNumberFields(frames);
    expect(Array.from(packed.lengths)).toEqual([3, 3, 1]);
    expect(Array.from(packed.values)).toEqual([1, NaN, 3, 4, 5, NaN, 7]);
    expect(packed.fields.map((f) => f.name)).toEqual(['a', 'b', 'c']);
  });

  it('reads Grafana 9 vectors and plain arrays alike', () => {
    const vectorFrame: DataFrame = {
      length: 2,
      fields: [{ name: 'v', type: FieldType.number, config: {}, values: new ArrayVector([1.5, 2.5]) }],
    };
    const arrayFrame = { length: 1, fields: [{ name: 'w', type: FieldType.number, config: {}, values: [9] }] } as unknown as DataFrame;
    const packed = packNumberFields([vectorFrame, arrayFrame]);
    expect(Array.from(packed.values)).toEqual([1.5, 2.5, 9]);
    expect(Array.from(packed.lengths)).toEqual([2, 1]);
  });

  it('gives empty arrays for no frames', () => {
    const packed = packNumberFields([]);
    expect(packed.values).toHaveLength(0);
    expect(packed.lengths).toHaveLength(0);
  });
});
