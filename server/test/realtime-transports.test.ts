import { afterAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../runtime';
import { connect } from './fixtures';
import { startTestServer } from './harness';

// Plain fetch: the Engine.IO handshake is outside the HTTP API's contract.
const servers: RunningServer[] = [];
afterAll(() => Promise.all(servers.map((s) => s.close())));

const pollingHandshake = async (url: string) => {
  const res = await fetch(`${url}/socket.io/?EIO=4&transport=polling`);
  return { status: res.status, body: await res.text() };
};

describe('Socket.IO transports', () => {
  it('accept WebSocket only by default: a long-polling handshake is refused, a WebSocket connects', async () => {
    const s = await startTestServer();
    servers.push(s);
    const polling = await pollingHandshake(s.url);
    expect(polling.status).toBe(400);
    expect(polling.body).toContain('Transport unknown');
    const socket = await connect(s.url);
    expect(socket.connected).toBe(true);
    socket.close();
  });

  it('accept long-polling too with SOCKET_LONG_POLLING=true (one process: no stickiness needed)', async () => {
    const s = await startTestServer({ SOCKET_LONG_POLLING: 'true', WEB_CONCURRENCY: '1' });
    servers.push(s);
    const polling = await pollingHandshake(s.url);
    expect(polling.status).toBe(200);
    expect(polling.body).toMatch(/^0\{"sid":/);
  });
});
