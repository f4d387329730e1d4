import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { answerClientError } from '../src/http';

/** A server that answers 200 to what reaches it, with answerClientError for what does not. */
async function withServer(run: (port: number) => Promise<void>) {
  const server = http.createServer((_, res) => res.end('{}'));
  server.on('clientError', answerClientError);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await run((server.address() as AddressInfo).port);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

/** Sends raw bytes and returns what came back. */
function raw(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

test('when the URL is past Node’s header limit, then the answer is a 431 with the JSON error body', async () => {
  await withServer(async (port) => {
    const response = await fetch(`http://127.0.0.1:${port}/orders/${'x'.repeat(20_000)}`);
    expect(response.status).toBe(431);
    expect(await response.json()).toEqual({ error: { code: 'HEADERS_TOO_LARGE', message: expect.any(String) } });
  });
});

test('when the bytes are not HTTP, then the answer is a 400 with the JSON error body', async () => {
  await withServer(async (port) => {
    const answer = await raw(port, 'GET / HTTP/1.1\r\nHost: a\r\nBad Header\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual({ error: { code: 'MALFORMED_REQUEST', message: expect.any(String) } });
  });
});
