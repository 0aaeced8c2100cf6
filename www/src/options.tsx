/**
 * The options editor of a selected panel, built the way Grafana builds its "Panel options" pane:
 * the plugin's own option builder (`setPanelOptions`) run against the panel's options, each item
 * rendered with its editor. Grafana registers the standard editors (switch, number, text, select,
 * radio, unit, …) at start-up from its core; the playground registers its own from @grafana/ui.
 */
import {
  FieldConfigPropertyItem,
  PanelOptionsEditorBuilder,
  PanelPlugin,
  StandardEditorProps,
  StandardEditorsRegistryItem,
  identityOverrideProcessor,
  standardEditorsRegistry,
  standardFieldConfigEditorRegistry,
  DataFrame,
  SelectableValue,
} from '@grafana/data';
import { Field, Input, RadioButtonGroup, Select, Switch, TextArea, UnitPicker } from '@grafana/ui';
import React, { useEffect, useState } from 'react';

type Editor = StandardEditorProps<any, any>;

/** A text box that reports changes on blur, as Grafana's text editors do. */
function TextEditor({ value, onChange, item }: Editor) {
  const [draft, setDraft] = useState<string>(value ?? '');
  useEffect(() => setDraft(value ?? ''), [value]);
  const settings = item.settings ?? {};
  const commit = () => draft !== (value ?? '') && onChange(draft);
  return settings.useTextarea ? (
    <TextArea rows={settings.rows ?? 4} value={draft} onChange={(e) => setDraft(e.currentTarget.value)} onBlur={commit} />
  ) : (
    <Input value={draft} placeholder={settings.placeholder} onChange={(e) => setDraft(e.currentTarget.value)} onBlur={commit} />
  );
}

function NumberEditor({ value, onChange, item }: Editor) {
  const [draft, setDraft] = useState<string>(value === undefined || value === null ? '' : String(value));
  useEffect(() => setDraft(value === undefined || value === null ? '' : String(value)), [value]);
  const settings = item.settings ?? {};
  const commit = () => {
    if (draft.trim() === '') {
      onChange(undefined);
      return;
    }
    const n = Number(draft);
    if (Number.isFinite(n)) {
      onChange(n);
    } else {
      setDraft(value === undefined || value === null ? '' : String(value));
    }
  };
  return (
    <Input type="number" value={draft} min={settings.min} max={settings.max} step={settings.step}
      onChange={(e) => setDraft(e.currentTarget.value)} onBlur={commit} />
  );
}

function SwitchEditor({ value, onChange }: Editor) {
  return <Switch value={Boolean(value)} onChange={(e) => onChange(e.currentTarget.checked)} />;
}

function SelectEditor({ value, onChange, item }: Editor) {
  const options: Array<SelectableValue<unknown>> = item.settings?.options ?? [];
  return <Select value={value} options={options} onChange={(v) => onChange(v?.value)} />;
}

function RadioEditor({ value, onChange, item }: Editor) {
  const options: Array<SelectableValue<unknown>> = item.settings?.options ?? [];
  return <RadioButtonGroup value={value} options={options} onChange={(v) => onChange(v)} />;
}

function UnitEditor({ value, onChange }: Editor) {
  return <UnitPicker value={value} onChange={(unit) => onChange(unit)} />;
}

function JsonEditor({ value }: Editor) {
  return <TextArea readOnly rows={3} value={JSON.stringify(value ?? null)} />;
}

const EDITORS: Array<StandardEditorsRegistryItem> = [
  { id: 'text', name: 'Text', editor: TextEditor },
  { id: 'number', name: 'Number', editor: NumberEditor },
  { id: 'slider', name: 'Slider', editor: NumberEditor },
  { id: 'boolean', name: 'Boolean', editor: SwitchEditor },
  { id: 'select', name: 'Select', editor: SelectEditor },
  { id: 'multiSelect', name: 'Multi select', editor: SelectEditor },
  { id: 'radio', name: 'Radio', editor: RadioEditor },
  { id: 'unit', name: 'Unit', editor: UnitEditor },
  { id: 'strings', name: 'Strings', editor: JsonEditor },
  { id: 'color', name: 'Color', editor: TextEditor },
  { id: 'thresholds', name: 'Thresholds', editor: JsonEditor },
  { id: 'mappings', name: 'Mappings', editor: JsonEditor },
  { id: 'links', name: 'Links', editor: JsonEditor },
  { id: 'stats-picker', name: 'Stats', editor: JsonEditor },
  { id: 'fieldColor', name: 'Field color', editor: JsonEditor },
  { id: 'field-name', name: 'Field name', editor: TextEditor },
];

const numberOrUndefined = (value: unknown) => {
  const n = typeof value === 'number' ? value : Number(value);
  return value === '' || value === null || value === undefined || !Number.isFinite(n) ? undefined : n;
};

/** The standard field options the playground knows (the ones FleetLens panels use). */
const FIELD_CONFIG: FieldConfigPropertyItem[] = [
  { id: 'unit', path: 'unit', name: 'Unit', editor: UnitEditor as any, override: UnitEditor as any, process: (v) => v || undefined, shouldApply: () => true, category: ['Standard options'] },
  { id: 'decimals', path: 'decimals', name: 'Decimals', editor: NumberEditor as any, override: NumberEditor as any, process: numberOrUndefined, shouldApply: () => true, category: ['Standard options'] },
  { id: 'min', path: 'min', name: 'Min', editor: NumberEditor as any, override: NumberEditor as any, process: numberOrUndefined, shouldApply: () => true, category: ['Standard options'] },
  { id: 'max', path: 'max', name: 'Max', editor: NumberEditor as any, override: NumberEditor as any, process: numberOrUndefined, shouldApply: () => true, category: ['Standard options'] },
  { id: 'displayName', path: 'displayName', name: 'Display name', editor: TextEditor as any, override: TextEditor as any, process: identityOverrideProcessor, shouldApply: () => true, category: ['Standard options'] },
  { id: 'noValue', path: 'noValue', name: 'No value', editor: TextEditor as any, override: TextEditor as any, process: identityOverrideProcessor, shouldApply: () => true, category: ['Standard options'] },
  { id: 'thresholds', path: 'thresholds', name: 'Thresholds', editor: JsonEditor as any, override: JsonEditor as any, process: identityOverrideProcessor, shouldApply: () => true, category: ['Thresholds'] },
];

let registered = false;

/** Registers the standard editors once, before any plugin builds its options. */
export function registerStandardEditors(): void {
  if (registered) {
    return;
  }
  registered = true;
  standardEditorsRegistry.setInit(() => EDITORS);
  standardFieldConfigEditorRegistry.setInit(() => FIELD_CONFIG);
}

function getPath(options: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((obj, key) => (obj && typeof obj === 'object' ? (obj as Record<string, unknown>)[key] : undefined), options);
}

function setPath(options: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const [head, ...rest] = path.split('.');
  const next = { ...options };
  next[head] = rest.length === 0 ? value : setPath((options[head] as Record<string, unknown>) ?? {}, rest.join('.'), value);
  return next;
}

/** The plugin's option items for these options (Grafana's builder, `showIf` applied). */
export function optionItems(plugin: PanelPlugin, options: Record<string, unknown>, data: DataFrame[]) {
  const builder = new PanelOptionsEditorBuilder<any>();
  const supplier = (plugin as any).getPanelOptionsSupplier?.();
  if (supplier) {
    supplier(builder, { data, options });
  }
  return builder.getItems().filter((item) => !item.showIf || item.showIf(options, data));
}

/** The panel options with every default the plugin declares filled in. */
export function withDefaults(plugin: PanelPlugin, options: Record<string, unknown>): Record<string, unknown> {
  let merged = { ...options };
  for (const item of optionItems(plugin, options, [])) {
    if (getPath(merged, item.path) === undefined && item.defaultValue !== undefined) {
      merged = setPath(merged, item.path, item.defaultValue);
    }
  }
  return merged;
}

interface OptionsPaneProps {
  plugin: PanelPlugin;
  title: string;
  options: Record<string, unknown>;
  data: DataFrame[];
  onChange: (options: Record<string, unknown>) => void;
}

/** The options pane: one field per option item, grouped by category as Grafana does. */
export function OptionsPane({ plugin, title, options, data, onChange }: OptionsPaneProps) {
  const items = optionItems(plugin, options, data);
  const groups = new Map<string, typeof items>();
  for (const item of items) {
    const category = item.category?.join(' › ') || 'Panel options';
    groups.set(category, [...(groups.get(category) ?? []), item]);
  }
  return (
    <div data-testid="options-pane" aria-label={`Options of ${title}`}>
      {[...groups.entries()].map(([category, list]) => (
        <section key={category} className="options-group">
          <h4>{category}</h4>
          {list.map((item) => {
            const ItemEditor = item.editor as React.ComponentType<Editor>;
            return (
              <Field key={item.id} label={item.name} description={item.description} data-testid={`option-${item.path}`}>
                <ItemEditor
                  value={getPath(options, item.path)}
                  item={item as any}
                  context={{ data, options }}
                  onChange={(value?: unknown) => onChange(setPath(options, item.path, value))}
                />
              </Field>
            );
          })}
        </section>
      ))}
    </div>
  );
}
