/**
 * The playground's `BackendSrv`: what Grafana's `getBackendSrv()` returns, over the browser's
 * `fetch`. Every request a plugin makes goes through here, is recorded (the Query Inspector's
 * view of it) and can be cancelled by unsubscribing, as in Grafana.
 */
import type { BackendSrv, BackendSrvRequest, FetchError, FetchResponse } from '@grafana/runtime';
import { Observable, lastValueFrom } from 'rxjs';

/** One request as the playground recorded it. */
export interface RecordedRequest {
  url: string;
  method: string;
  requestId?: string;
  status?: number;
  startMs: number;
  durationMs?: number;
  /** Body size in bytes when it arrived. */
  bytes?: number;
  error?: string;
}

/** The most requests kept; older ones are dropped. */
const MAX_RECORDED = 2000;

export const recorded: RecordedRequest[] = [];

function record(entry: RecordedRequest): void {
  recorded.push(entry);
  if (recorded.length > MAX_RECORDED) {
    recorded.splice(0, recorded.length - MAX_RECORDED);
  }
}

/** `url` with `params` appended as a query string (arrays repeat the key, as Grafana does). */
export function withParams(url: string, params: BackendSrvRequest['params']): string {
  if (!params || typeof params !== 'object') {
    return url;
  }
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params as Record<string, unknown>)) {
    if (value === undefined || value === null) {
      continue;
    }
    for (const item of Array.isArray(value) ? value : [value]) {
      search.append(key, String(item));
    }
  }
  const text = search.toString();
  return text ? `${url}${url.includes('?') ? '&' : '?'}${text}` : url;
}

async function readBody(response: Response, type: BackendSrvRequest['responseType']): Promise<unknown> {
  switch (type) {
    case 'arraybuffer':
      return response.arrayBuffer();
    case 'blob':
      return response.blob();
    case 'text':
      return response.text();
    default: {
      const text = await response.text();
      if (text === '') {
        return undefined;
      }
      try {
        return JSON.parse(text);
      } catch {
        return text;
      }
    }
  }
}

/** The error body as Grafana's FetchError carries it: parsed JSON when it is JSON, else the text. */
async function errorData(response: Response): Promise<FetchError['data']> {
  const text = await response.text().catch(() => '');
  try {
    return JSON.parse(text);
  } catch {
    return { message: text.slice(0, 500) || response.statusText };
  }
}

function fetchObservable<T>(options: BackendSrvRequest): Observable<FetchResponse<T>> {
  return new Observable<FetchResponse<T>>((subscriber) => {
    const controller = new AbortController();
    const method = (options.method ?? 'GET').toUpperCase();
    const url = withParams(options.url, options.params);
    const headers = new Headers((options.headers as Record<string, string>) ?? {});
    let body: BodyInit | undefined;
    if (options.data !== undefined && method !== 'GET' && method !== 'HEAD') {
      if (typeof options.data === 'string' || options.data instanceof ArrayBuffer || options.data instanceof Blob) {
        body = options.data as BodyInit;
      } else {
        body = JSON.stringify(options.data);
        if (!headers.has('Content-Type')) {
          headers.set('Content-Type', 'application/json');
        }
      }
    }
    const entry: RecordedRequest = { url, method, requestId: options.requestId, startMs: performance.now() };
    record(entry);
    fetch(url, { method, headers, body, signal: controller.signal, credentials: 'same-origin' })
      .then(async (response) => {
        entry.status = response.status;
        if (!response.ok) {
          const data = await errorData(response);
          const error: FetchError = {
            status: response.status,
            statusText: response.statusText,
            data,
            config: options,
          };
          throw error;
        }
        const data = (await readBody(response, options.responseType)) as T;
        entry.bytes = data instanceof ArrayBuffer ? data.byteLength : undefined;
        entry.durationMs = performance.now() - entry.startMs;
        subscriber.next({
          data,
          status: response.status,
          statusText: response.statusText,
          ok: true,
          headers: response.headers,
          redirected: response.redirected,
          type: response.type,
          url: response.url,
          config: options,
        });
        subscriber.complete();
      })
      .catch((err: unknown) => {
        entry.durationMs = performance.now() - entry.startMs;
        if (controller.signal.aborted) {
          return;
        }
        const fetchError: FetchError =
          typeof err === 'object' && err !== null && 'status' in err
            ? (err as FetchError)
            : { status: 0, statusText: 'Network error', data: { message: `${url}: ${String(err)}` }, config: options };
        entry.error = fetchError.data?.message ?? fetchError.statusText;
        subscriber.error(fetchError);
      });
    return () => controller.abort();
  });
}

/** The backend service handed to `setBackendSrv`. */
export const backendSrv = {
  fetch: fetchObservable,
  request: <T>(options: BackendSrvRequest) => lastValueFrom(fetchObservable<T>(options)).then((r) => r.data),
  datasourceRequest: <T>(options: BackendSrvRequest) => lastValueFrom(fetchObservable<T>(options)),
  get: <T>(url: string, params?: BackendSrvRequest['params']) =>
    lastValueFrom(fetchObservable<T>({ url, params })).then((r) => r.data),
  post: <T>(url: string, data?: unknown) => lastValueFrom(fetchObservable<T>({ url, method: 'POST', data })).then((r) => r.data),
  put: <T>(url: string, data?: unknown) => lastValueFrom(fetchObservable<T>({ url, method: 'PUT', data })).then((r) => r.data),
  patch: <T>(url: string, data?: unknown) => lastValueFrom(fetchObservable<T>({ url, method: 'PATCH', data })).then((r) => r.data),
  delete: <T>(url: string) => lastValueFrom(fetchObservable<T>({ url, method: 'DELETE' })).then((r) => r.data),
  resolveCancelerIfExists: () => undefined,
} as unknown as BackendSrv;
