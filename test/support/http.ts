/** Small helpers for talking to the running services in tests. */
import { call } from '../../scripts/src/http';

// The one HTTP helper of the scripts and the tests; test files take it from here with the waits below.
export { call } from '../../scripts/src/http';

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
