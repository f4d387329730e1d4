/**
 * HTTP with JSON for the scripts and the tests: one place for the request's headers, its
 * deadline and the reading of the answer. Streams (the page's SSE) use fetch directly.
 */
export interface Reply<T = any> {
  status: number;
  body: T;
}

export interface CallOptions {
  headers?: Record<string, string>;
  /** The whole exchange, answer read; past it the call fails (a service that hangs must not hang a test or a script). */
  timeoutMs?: number;
}

/** A service here answers in milliseconds: one that takes ten seconds is stuck, or overloaded on purpose (the bench says so). */
const DEFAULT_TIMEOUT_MS = 10_000;

/** The status and the body as text, whatever they are. A body other than a string is sent as JSON. */
export async function request(method: string, url: string, body?: unknown, { headers = {}, timeoutMs = DEFAULT_TIMEOUT_MS }: CallOptions = {}) {
  const init: RequestInit = { method, headers: { ...headers }, signal: AbortSignal.timeout(timeoutMs) };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
  }
  const response = await fetch(url, init);
  return { status: response.status, text: await response.text() };
}

/** Any status is an answer (tests assert on 4xx); an empty body is undefined, a body that is not JSON an error. */
export async function call<T = any>(method: string, url: string, body?: unknown, options?: CallOptions): Promise<Reply<T>> {
  const { status, text } = await request(method, url, body, options);
  return { status, body: parseJson(method, url, status, text) as T };
}

/** A step that must succeed: the body of a 2xx, else an error naming the call and what it answered. */
export async function send<T = any>(method: string, url: string, body?: unknown, options?: CallOptions): Promise<T> {
  const { status, text } = await request(method, url, body, options);
  if (status < 200 || status > 299) throw new Error(`${method} ${url} answered ${status}: ${text}`);
  return parseJson(method, url, status, text) as T;
}

function parseJson(method: string, url: string, status: number, text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${method} ${url} answered ${status} with a body that is not JSON: ${text.slice(0, 200)}`);
  }
}
