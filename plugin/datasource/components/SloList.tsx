import React from 'react';
import { Alert, Button, HorizontalGroup, IconButton, Select, TextArea } from '@grafana/ui';

import type { Engine } from '../../shared/engine';
import { errorMessage } from '../../shared/errors';
import { sloName, sloObject, sloText } from '../settings';
import { testIds } from '../testIds';
import { SloDefinition, SloSetting } from '../types';
import { SloForm } from './SloForm';

interface Props {
  engine?: Engine;
  slos: SloSetting[];
  onChange: (slos: SloSetting[]) => void;
}

const BLANK: SloDefinition = {
  name: '',
  objective: 0.99,
  period: { rolling: '30d' },
  sli: { ratio: { bad: '', total: '' } },
  groupBy: [],
};

/** The engine's first problem with an SLO entry; undefined when it is valid. */
export function sloError(engine: Engine | undefined, slo: SloSetting): string | undefined {
  if (!engine) {
    return undefined;
  }
  try {
    engine.checkViewConfig('slo', sloText(slo));
    return undefined;
  } catch (err) {
    return errorMessage(err);
  }
}

/**
 * The SLO definitions: add from the engine's presets or blank; each edited as a form or as JSON.
 * A JSON entry is stored as the text typed (also when it does not parse); switching back to the
 * form needs JSON that parses.
 */
export function SloList({ engine, slos, onChange }: Props) {
  const presets = engine?.sloPresets() ?? [];
  const replace = (i: number, slo: SloSetting) => onChange(slos.map((s, k) => (k === i ? slo : s)));
  return (
    <div>
      {slos.map((slo, i) => {
        const error = sloError(engine, slo);
        const parsed = sloObject(slo);
        const json = typeof slo === 'string';
        return (
          <div key={i} data-testid={testIds.configEditor.sloItem(i)} style={{ borderLeft: '2px solid rgba(128,128,128,0.4)', paddingLeft: 8, marginBottom: 12 }}>
            <HorizontalGroup justify="space-between">
              <strong>{sloName(slo) ?? `SLO ${i + 1}`}</strong>
              <HorizontalGroup>
                <Button
                  size="sm"
                  variant="secondary"
                  data-testid={testIds.configEditor.sloField(i, 'mode')}
                  disabled={json && !parsed}
                  tooltip={json && !parsed ? 'Fix the JSON to edit it as a form' : undefined}
                  onClick={() => replace(i, json ? (parsed as SloDefinition) : JSON.stringify(slo, null, 2))}
                >
                  {json ? 'Edit as form' : 'Edit as JSON'}
                </Button>
                <IconButton name="trash-alt" aria-label={`Remove SLO ${i + 1}`} onClick={() => onChange(slos.filter((_, k) => k !== i))} />
              </HorizontalGroup>
            </HorizontalGroup>
            {json ? (
              <TextArea data-testid={testIds.configEditor.sloField(i, 'json')} rows={12} value={slo} onChange={(e) => replace(i, e.currentTarget.value)} />
            ) : (
              <SloForm index={i} slo={slo} onChange={(next) => replace(i, next)} />
            )}
            {error && (
              <Alert severity="error" title="This SLO cannot be evaluated" data-testid={testIds.configEditor.sloError(i)}>
                {error}
              </Alert>
            )}
          </div>
        );
      })}
      <HorizontalGroup>
        <Button data-testid={testIds.configEditor.sloAddBlank} variant="secondary" icon="plus" onClick={() => onChange([...slos, { ...BLANK }])}>
          Add an SLO
        </Button>
        <div data-testid={testIds.configEditor.sloPreset}>
          <Select
            width={36}
            placeholder="Add a preset…"
            options={presets.map((p, k) => ({ value: k, label: String(p.name) }))}
            value={null}
            onChange={(o) => o.value !== undefined && onChange([...slos, presets[o.value] as SloDefinition])}
          />
        </div>
      </HorizontalGroup>
    </div>
  );
}
