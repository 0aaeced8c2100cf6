import React, { useEffect, useState } from 'react';
import { Input } from '@grafana/ui';

/** A stored value that may hold the text the user typed when it did not parse. */
export type Typed<T> = T | string | undefined;

/**
 * Local text for a value that is stored parsed: the text stays as typed while it parses to the
 * stored value, and follows the stored value when that changes from outside (a reset, a preset).
 */
export function useDraft<T>(value: Typed<T>, format: (v: T) => string, parse: (text: string) => Typed<T>): [string, (text: string) => Typed<T>] {
  const show = (v: Typed<T>) => (v === undefined ? '' : typeof v === 'string' ? v : format(v));
  const [text, setText] = useState(() => show(value));
  useEffect(() => {
    if (JSON.stringify(parse(text)) !== JSON.stringify(value)) {
      setText(show(value));
    }
    // Only an outside change of the value resyncs the text.
  }, [JSON.stringify(value)]);
  const update = (next: string) => {
    setText(next);
    return parse(next);
  };
  return [text, update];
}

/** A number as typed: a number when the text is one, the text itself otherwise, undefined when empty. */
export function parseNumber(text: string): number | string | undefined {
  const t = text.trim();
  if (t === '') {
    return undefined;
  }
  const n = Number(t);
  return Number.isFinite(n) && /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t) ? n : text;
}

interface NumberInputProps {
  value: Typed<number>;
  onChange: (value: number | string | undefined) => void;
  placeholder?: string;
  width?: number;
  id?: string;
  'data-testid'?: string;
  'aria-label'?: string;
  invalid?: boolean;
}

/** A number field that never loses what was typed: text that is not a number is stored as text. */
export function NumberInput({ value, onChange, ...rest }: NumberInputProps) {
  const [text, update] = useDraft<number>(value, String, parseNumber);
  return <Input {...rest} value={text} onChange={(e) => onChange(update(e.currentTarget.value))} />;
}
