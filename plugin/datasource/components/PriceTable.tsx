import React from 'react';
import { Alert, Button, IconButton, Input } from '@grafana/ui';

import type { Engine } from '../../shared/engine';
import { errorMessage } from '../../shared/errors';
import { testIds } from '../testIds';
import { ModelPriceSetting } from '../types';
import { NumberInput } from './DraftInput';

interface Props {
  engine?: Engine;
  /** The edited table; undefined or empty = the shipped defaults. */
  prices?: ModelPriceSetting[];
  onChange: (prices: ModelPriceSetting[] | undefined) => void;
}

const NUMBERS = ['input', 'output', 'cacheWrite', 'cacheRead'] as const;
const TEXTS = ['model', 'effectiveFrom', 'effectiveUntil'] as const;
const HEADERS = ['Model', 'From', 'Until', 'Input', 'Output', 'Cache write', 'Cache read', ''];

/** The first problem of a price table, from the engine's own check; undefined when it is valid. */
export function pricesError(engine: Engine | undefined, prices: ModelPriceSetting[] | undefined): string | undefined {
  if (!engine || !prices || prices.length === 0) {
    return undefined;
  }
  try {
    engine.checkViewConfig('cost', JSON.stringify({ prices }));
    return undefined;
  } catch (err) {
    return errorMessage(err);
  }
}

const cell = { padding: '2px 4px' };

/**
 * The price table in USD per million tokens. Without an edited table the shipped one is shown
 * read-only; "Edit" copies it into the settings. Every cell keeps what was typed; the engine's
 * check of the whole table is shown below it.
 */
export function PriceTable({ engine, prices, onChange }: Props) {
  const editing = Boolean(prices && prices.length > 0);
  const rows: ModelPriceSetting[] = editing ? prices! : ((engine?.defaultPrices() ?? []) as ModelPriceSetting[]);
  const error = pricesError(engine, prices);
  const setRow = (i: number, patch: Partial<ModelPriceSetting>) => {
    const next = rows.map((row, k) => (k === i ? { ...row, ...patch } : row));
    onChange(next);
  };
  const removeRow = (i: number) => {
    const next = rows.filter((_, k) => k !== i);
    onChange(next.length > 0 ? next : undefined);
  };
  return (
    <div data-testid={editing ? undefined : testIds.configEditor.pricesDefaults}>
      <table>
        <thead>
          <tr>
            {HEADERS.map((h) => (
              <th key={h} style={cell}>
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) => (
            <tr key={i}>
              {TEXTS.map((key) => (
                <td key={key} style={cell}>
                  {editing ? (
                    <Input
                      data-testid={testIds.configEditor.priceCell(i, key)}
                      width={key === 'model' ? 24 : 14}
                      value={String(row[key] ?? '')}
                      placeholder={key === 'model' ? 'claude-…' : 'YYYY-MM-DD'}
                      onChange={(e) => setRow(i, { [key]: e.currentTarget.value || undefined })}
                    />
                  ) : (
                    String(row[key] ?? '')
                  )}
                </td>
              ))}
              {NUMBERS.map((key) => (
                <td key={key} style={cell}>
                  {editing ? (
                    <NumberInput
                      data-testid={testIds.configEditor.priceCell(i, key)}
                      width={10}
                      value={row[key]}
                      onChange={(v) => setRow(i, { [key]: v ?? '' })}
                    />
                  ) : (
                    String(row[key] ?? '')
                  )}
                </td>
              ))}
              <td style={cell}>{editing && <IconButton name="trash-alt" aria-label={`Remove row ${i + 1}`} onClick={() => removeRow(i)} />}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {error && (
        <Alert severity="error" title="Price table" data-testid={testIds.configEditor.pricesError}>
          {error}
        </Alert>
      )}
      {editing ? (
        <>
          <Button
            data-testid={testIds.configEditor.pricesAdd}
            variant="secondary"
            icon="plus"
            onClick={() => onChange([...rows, { model: '', effectiveFrom: '', input: '', output: '', cacheWrite: '', cacheRead: '' }])}
          >
            Add a price
          </Button>{' '}
          <Button data-testid={testIds.configEditor.pricesReset} variant="secondary" onClick={() => onChange(undefined)}>
            Back to the shipped prices
          </Button>
        </>
      ) : (
        <Button data-testid={testIds.configEditor.pricesEdit} variant="secondary" icon="pen" disabled={!engine} onClick={() => onChange(rows.map((r) => ({ ...r })))}>
          Edit
        </Button>
      )}
    </div>
  );
}
