import { describe, expect, it } from 'vitest';

import { bodyMessage, errorMessage } from './errors';

const bytes = (text: string) => new TextEncoder().encode(text).buffer;

describe('errorMessage', () => {
  const promError = '{"status":"error","errorType":"bad_data","error":"1:5: parse error: unexpected <EOF>"}';
  const cases: Array<{ name: string; err: unknown; want: string }> = [
    {
      name: 'HTTP error with a Prometheus body as bytes',
      err: { status: 400, statusText: 'Bad Request', data: bytes(promError) },
      want: 'HTTP 400 Bad Request: bad_data: 1:5: parse error: unexpected <EOF>',
    },
    {
      name: 'HTTP error with a Prometheus body already parsed',
      err: { status: 422, data: JSON.parse(promError) },
      want: 'HTTP 422: bad_data: 1:5: parse error: unexpected <EOF>',
    },
    {
      name: "Grafana's own error body",
      err: { status: 502, statusText: 'Bad Gateway', data: bytes('{"message":"Bad Gateway: connection refused"}') },
      want: 'HTTP 502 Bad Gateway: Bad Gateway: connection refused',
    },
    {
      name: 'an HTML page with a title',
      err: { status: 404, statusText: 'Not Found', data: bytes('<!doctype html><html><head><title> Not here </title></head></html>') },
      want: 'HTTP 404 Not Found: HTML page "Not here"',
    },
    {
      name: 'an HTML page without a title',
      err: { status: 500, data: bytes('<html><body>oops</body></html>') },
      want: 'HTTP 500: an HTML page instead of a Prometheus response',
    },
    { name: 'plain text body', err: { status: 503, data: 'service\n unavailable' }, want: 'HTTP 503: service unavailable' },
    { name: 'empty body', err: { status: 504, statusText: 'Gateway Timeout', data: new ArrayBuffer(0) }, want: 'HTTP 504 Gateway Timeout' },
    { name: 'cancelled request', err: { status: -1, cancelled: true, data: null }, want: 'Request cancelled' },
    { name: 'an Error from the engine', err: new Error('prometheus: bad_data: parse error'), want: 'prometheus: bad_data: parse error' },
    { name: 'a string', err: 'boom', want: 'boom' },
    { name: 'an object with a message', err: { message: 'from somewhere' }, want: 'from somewhere' },
    { name: 'nothing useful', err: 42, want: 'Unknown error' },
  ];
  for (const c of cases) {
    it(c.name, () => expect(errorMessage(c.err)).toBe(c.want));
  }

  it('cuts long bodies', () => {
    const message = errorMessage({ status: 500, data: 'x'.repeat(1000) });
    expect(message.length).toBeLessThan(320);
    expect(message.endsWith('…')).toBe(true);
  });

  it('reads typed-array views at their offset', () => {
    const buffer = bytes('xx{"error":"inner"}');
    expect(bodyMessage(new Uint8Array(buffer, 2))).toBe('inner');
  });
});
