import React from 'react';
import { InlineField, InlineFieldRow, Input, RadioButtonGroup } from '@grafana/ui';

import { testIds } from '../testIds';
import { SloDefinition, SloSli, TypedSelector } from '../types';
import { NumberInput, useDraft } from './DraftInput';
import { formatSelector, parseSelector } from './selector';

interface Props {
  index: number;
  slo: SloDefinition;
  onChange: (slo: SloDefinition) => void;
}

type Kind = 'ratio' | 'latency' | 'availability';
const KINDS: Array<{ value: Kind; label: string; description: string }> = [
  { value: 'ratio', label: 'Ratio', description: 'bad (or good) events over all events, from counters' },
  { value: 'latency', label: 'Latency', description: 'share of requests at or below a threshold, from a histogram' },
  { value: 'availability', label: 'Availability', description: 'share of time a gauge such as up was 1' },
];
const CALENDAR = ['day', 'week', 'month', 'quarter'] as const;
const LABEL_WIDTH = 16;

function kindOf(sli: SloSli | undefined): Kind {
  return sli && 'latency' in sli ? 'latency' : sli && 'availability' in sli ? 'availability' : 'ratio';
}

/** The metric of whatever selector the SLI has, to carry over when the kind changes. */
function firstSelector(sli: SloSli | undefined): TypedSelector {
  if (!sli) {
    return '';
  }
  if ('ratio' in sli) {
    return sli.ratio.total;
  }
  return 'latency' in sli ? sli.latency.histogram : sli.availability.gauge;
}

function SelectorInput(props: { value: TypedSelector | null | undefined; onChange: (v: TypedSelector) => void; testId: string; placeholder: string }) {
  const [text, update] = useDraft<TypedSelector>(props.value ?? undefined, (v) => (typeof v === 'string' ? v : formatSelector(v)), parseSelector);
  return (
    <Input
      data-testid={props.testId}
      width={48}
      value={text}
      placeholder={props.placeholder}
      onChange={(e) => props.onChange(update(e.currentTarget.value) ?? '')}
    />
  );
}

function GroupByInput(props: { value: string[] | undefined; onChange: (v: string[]) => void; testId: string }) {
  const split = (t: string) => t.split(',').map((s) => s.trim()).filter(Boolean);
  const [text, update] = useDraft<string[]>(props.value, (v) => v.join(', '), split);
  return <Input data-testid={props.testId} width={48} value={text} placeholder="e.g. endpoint" onChange={(e) => props.onChange(update(e.currentTarget.value) as string[])} />;
}

/** One SLO as a small form; every field keeps what was typed (the engine's check names problems). */
export function SloForm({ index, slo, onChange }: Props) {
  const id = (field: string) => testIds.configEditor.sloField(index, field);
  const set = (patch: Partial<SloDefinition>) => onChange({ ...slo, ...patch });
  const kind = kindOf(slo.sli);
  const setKind = (k: Kind) => {
    const s = firstSelector(slo.sli);
    const sli: SloSli =
      k === 'ratio' ? { ratio: { bad: '', total: s } } : k === 'latency' ? { latency: { histogram: s, thresholdSeconds: 0.5 } } : { availability: { gauge: s || 'up' } };
    set({ sli });
  };
  const rolling = slo.period && 'rolling' in slo.period;
  const ratio = 'ratio' in (slo.sli ?? {}) ? (slo.sli as { ratio: { good?: TypedSelector | null; bad?: TypedSelector | null; total: TypedSelector } }).ratio : undefined;
  const counts = ratio && ratio.good != null && ratio.bad == null ? 'good' : 'bad';
  return (
    <div>
      <InlineFieldRow>
        <InlineField label="Name" labelWidth={LABEL_WIDTH}>
          <Input data-testid={id('name')} width={40} value={slo.name ?? ''} onChange={(e) => set({ name: e.currentTarget.value })} />
        </InlineField>
        <InlineField label="Objective" labelWidth={LABEL_WIDTH} tooltip="Share of good events, e.g. 0.999">
          <NumberInput data-testid={id('objective')} width={12} value={slo.objective} onChange={(v) => set({ objective: v ?? '' })} />
        </InlineField>
      </InlineFieldRow>
      <InlineFieldRow>
        <InlineField label="Period" labelWidth={LABEL_WIDTH}>
          <RadioButtonGroup
            options={[
              { value: 'rolling', label: 'Rolling' },
              { value: 'calendar', label: 'Calendar' },
            ]}
            value={rolling ? 'rolling' : 'calendar'}
            onChange={(v) => set({ period: v === 'rolling' ? { rolling: '30d' } : { calendar: 'month' } })}
          />
        </InlineField>
        {rolling ? (
          <InlineField label="Length" labelWidth={10} tooltip="e.g. 28d, 30d">
            <Input data-testid={id('rolling')} width={10} value={(slo.period as { rolling: string }).rolling} onChange={(e) => set({ period: { rolling: e.currentTarget.value } })} />
          </InlineField>
        ) : (
          <RadioButtonGroup
            options={CALENDAR.map((c) => ({ value: c, label: c }))}
            value={(slo.period as { calendar?: (typeof CALENDAR)[number] } | undefined)?.calendar}
            onChange={(c) => set({ period: { calendar: c } })}
          />
        )}
      </InlineFieldRow>
      <InlineField label="SLI" labelWidth={LABEL_WIDTH} tooltip={KINDS.find((k) => k.value === kind)?.description}>
        <RadioButtonGroup options={KINDS} value={kind} onChange={setKind} />
      </InlineField>
      {ratio && (
        <>
          <InlineField label={counts === 'bad' ? 'Bad events' : 'Good events'} labelWidth={LABEL_WIDTH}>
            <>
              <RadioButtonGroup
                options={[
                  { value: 'bad', label: 'bad' },
                  { value: 'good', label: 'good' },
                ]}
                value={counts}
                onChange={(c) => set({ sli: { ratio: { total: ratio.total, [c]: (counts === 'bad' ? ratio.bad : ratio.good) ?? '' } } })}
              />
              <SelectorInput
                testId={id(counts)}
                value={counts === 'bad' ? ratio.bad : ratio.good}
                placeholder='http_requests_total{status=~"5.."}'
                onChange={(v) => set({ sli: { ratio: { ...ratio, [counts]: v } } })}
              />
            </>
          </InlineField>
          <InlineField label="All events" labelWidth={LABEL_WIDTH}>
            <SelectorInput testId={id('total')} value={ratio.total} placeholder="http_requests_total" onChange={(v) => set({ sli: { ratio: { ...ratio, total: v } } })} />
          </InlineField>
        </>
      )}
      {'latency' in (slo.sli ?? {}) && (
        <LatencyFields id={id} sli={(slo.sli as { latency: { histogram: TypedSelector; thresholdSeconds: number | string } }).latency} set={set} />
      )}
      {'availability' in (slo.sli ?? {}) && (
        <AvailabilityFields id={id} sli={(slo.sli as { availability: { gauge: TypedSelector; sampleInterval?: string } }).availability} set={set} />
      )}
      <InlineField label="Group by" labelWidth={LABEL_WIDTH} tooltip="Labels evaluated separately, comma-separated">
        <GroupByInput testId={id('groupBy')} value={slo.groupBy} onChange={(groupBy) => set({ groupBy })} />
      </InlineField>
    </div>
  );
}

type Setter = (patch: Partial<SloDefinition>) => void;

function LatencyFields({ id, sli, set }: { id: (f: string) => string; sli: { histogram: TypedSelector; thresholdSeconds: number | string }; set: Setter }) {
  return (
    <InlineFieldRow>
      <InlineField label="Histogram" labelWidth={LABEL_WIDTH}>
        <SelectorInput testId={id('histogram')} value={sli.histogram} placeholder="http_request_duration_seconds" onChange={(v) => set({ sli: { latency: { ...sli, histogram: v } } })} />
      </InlineField>
      <InlineField label="Threshold (s)" labelWidth={14}>
        <NumberInput data-testid={id('threshold')} width={10} value={sli.thresholdSeconds} onChange={(v) => set({ sli: { latency: { ...sli, thresholdSeconds: v ?? '' } } })} />
      </InlineField>
    </InlineFieldRow>
  );
}

function AvailabilityFields({ id, sli, set }: { id: (f: string) => string; sli: { gauge: TypedSelector; sampleInterval?: string }; set: Setter }) {
  return (
    <InlineFieldRow>
      <InlineField label="Gauge" labelWidth={LABEL_WIDTH}>
        <SelectorInput testId={id('gauge')} value={sli.gauge} placeholder='up{job="api"}' onChange={(v) => set({ sli: { availability: { ...sli, gauge: v } } })} />
      </InlineField>
      <InlineField label="Sample interval" labelWidth={16} tooltip="The scrape interval; default 15s">
        <Input
          data-testid={id('sampleInterval')}
          width={10}
          value={sli.sampleInterval ?? ''}
          placeholder="15s"
          onChange={(e) => set({ sli: { availability: { ...sli, sampleInterval: e.currentTarget.value || undefined } } })}
        />
      </InlineField>
    </InlineFieldRow>
  );
}
