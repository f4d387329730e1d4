/** Small helpers for talking to the running services in tests. */
export interface Reply<T = any> {
  status: number;
  body: T;
}

export async function call<T = any>(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> {
  const init: RequestInit = { method, headers: { ...headers }, signal: AbortSignal.timeout(10_000) };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
  }
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** Polls until `check` returns a value (not undefined), or fails with the last value seen. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/** Waits until the order reaches `status` and returns it. */
export async function orderReaches(orderUrl: string, orderId: string, status: string, timeoutMs = 30_000): Promise<any> {
  let seen: string | undefined;
  try {
    return await eventually(
      `order ${orderId} to be ${status}`,
      async () => {
        const { body } = await call('GET', `${orderUrl}/orders/${orderId}`);
        seen = body?.status;
        return seen === status ? body : undefined;
      },
      timeoutMs,
    );
  } catch (err) {
    throw new Error(`${(err as Error).message} (last seen ${seen})`);
  }
}
