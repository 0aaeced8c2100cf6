/**
 * Turns whatever a request or the engine threw into one readable line for Grafana's error area.
 */

/** Longest body excerpt quoted in a message. */
const MAX_EXCERPT = 300;

interface HttpErrorLike {
  status: number;
  statusText?: string;
  data?: unknown;
  cancelled?: boolean;
}

function isHttpError(err: unknown): err is HttpErrorLike {
  return typeof err === 'object' && err !== null && typeof (err as HttpErrorLike).status === 'number';
}

/** A response body (bytes, text or parsed JSON) as text, when it is not already an object. */
function bodyText(data: unknown): string | undefined {
  if (typeof data === 'string') {
    return data;
  }
  // By tag, not instanceof: the buffer may come from another realm (an iframe, a test DOM).
  if (Object.prototype.toString.call(data) === '[object ArrayBuffer]') {
    return new TextDecoder().decode(new Uint8Array(data as ArrayBuffer));
  }
  if (ArrayBuffer.isView(data)) {
    return new TextDecoder().decode(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  return undefined;
}

function excerpt(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > MAX_EXCERPT ? `${line.slice(0, MAX_EXCERPT)}…` : line;
}

/**
 * The message inside an error body: Prometheus' `errorType: error`, Grafana's `message`, an HTML
 * page's title, or an excerpt of the text. Undefined for an empty body.
 */
export function bodyMessage(data: unknown): string | undefined {
  let parsed: unknown = data;
  const text = bodyText(data);
  if (text !== undefined) {
    if (!text.trim()) {
      return undefined;
    }
    try {
      parsed = JSON.parse(text);
    } catch {
      const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text);
      if (/^\s*</.test(text)) {
        return title?.[1]?.trim() ? `HTML page "${excerpt(title[1])}"` : 'an HTML page instead of a Prometheus response';
      }
      return excerpt(text);
    }
  }
  if (typeof parsed === 'object' && parsed !== null) {
    const body = parsed as { status?: unknown; errorType?: unknown; error?: unknown; message?: unknown };
    if (typeof body.error === 'string') {
      return typeof body.errorType === 'string' && body.errorType ? `${body.errorType}: ${body.error}` : body.error;
    }
    if (typeof body.message === 'string') {
      return body.message;
    }
  }
  return typeof parsed === 'string' ? excerpt(parsed) : undefined;
}

/** One readable line for anything thrown while querying or computing. */
export function errorMessage(err: unknown): string {
  if (isHttpError(err)) {
    if (err.cancelled) {
      return 'Request cancelled';
    }
    const status = `HTTP ${err.status}${err.statusText ? ` ${err.statusText}` : ''}`;
    const detail = bodyMessage(err.data);
    return detail ? `${status}: ${detail}` : status;
  }
  if (err instanceof Error) {
    return err.message || err.name;
  }
  if (typeof err === 'string') {
    return err;
  }
  if (typeof err === 'object' && err !== null && typeof (err as { message?: unknown }).message === 'string') {
    return (err as { message: string }).message;
  }
  return 'Unknown error';
}
