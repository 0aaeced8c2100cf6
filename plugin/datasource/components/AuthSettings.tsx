import React from 'react';
import { DataSourcePluginOptionsEditorProps } from '@grafana/data';
import { InlineField, Input, SecretInput } from '@grafana/ui';

import { AUTHORIZATION, bearerHeaderIndex } from '../settings';
import { testIds } from '../testIds';
import { FleetLensOptions, FleetLensSecureOptions } from '../types';

type Props = DataSourcePluginOptionsEditorProps<FleetLensOptions, FleetLensSecureOptions>;

const BEARER = /^Bearer\s+/i;

/**
 * Bearer token and tenant. The token travels as the custom header `Authorization: Bearer …`
 * that Grafana's proxy adds from `jsonData.httpHeaderNameN` + `secureJsonData.httpHeaderValueN`;
 * once saved it is only shown as configured. The tenant is plain jsonData, sent by the data
 * source itself as `X-Scope-OrgID` on every request.
 */
export function AuthSettings({ options, onOptionsChange }: Props) {
  const n = bearerHeaderIndex(options.jsonData);
  const nameKey = `httpHeaderName${n}` as const;
  const valueKey = `httpHeaderValue${n}` as const;
  const configured = Boolean(options.secureJsonFields?.[valueKey]);
  const typed = options.secureJsonData?.[valueKey] ?? '';

  const setToken = (token: string) =>
    onOptionsChange({
      ...options,
      jsonData: { ...options.jsonData, [nameKey]: AUTHORIZATION },
      secureJsonData: { ...options.secureJsonData, [valueKey]: token.trim() ? `Bearer ${token.trim().replace(BEARER, '')}` : '' },
    });
  const reset = () =>
    onOptionsChange({
      ...options,
      secureJsonFields: { ...options.secureJsonFields, [valueKey]: false },
      secureJsonData: { ...options.secureJsonData, [valueKey]: '' },
    });

  return (
    <>
      <InlineField label="Bearer token" labelWidth={20} tooltip="Sent by Grafana's proxy as Authorization: Bearer <token>; stored encrypted">
        <SecretInput
          data-testid={testIds.configEditor.bearer}
          width={40}
          isConfigured={configured}
          value={typed.replace(BEARER, '')}
          placeholder="token (leave empty for none)"
          onChange={(e) => setToken(e.currentTarget.value)}
          onReset={reset}
        />
      </InlineField>
      <InlineField label="Tenant" labelWidth={20} tooltip="Sent as X-Scope-OrgID on every request (Mimir, Cortex); empty = none">
        <Input
          data-testid={testIds.configEditor.tenant}
          width={40}
          value={options.jsonData.tenant ?? ''}
          placeholder="e.g. team-a"
          onChange={(e) => onOptionsChange({ ...options, jsonData: { ...options.jsonData, tenant: e.currentTarget.value } })}
        />
      </InlineField>
    </>
  );
}
