import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../runtime';
import { verifiedWorkshop, connect, filePrefix, watchOk, WAIT_MS, type ClientSocket } from './fixtures';
import { apiClient, startTestServer, type ApiClient } from './harness';

/*
 * Hostile or broken clients: unknown events, wrong payloads, missing acks, oversized
 * messages. Each gets an error ack or is dropped; the server keeps serving everyone.
 */

let server: RunningServer;
let api: ApiClient;
let workshopId: string;
const sockets: ClientSocket[] = [];
const open = async () => {
  const s = await connect(server.url);
  sockets.push(s);
  return s;
};
// Untyped view of a socket: these tests send what the event maps forbid.
const raw = (s: ClientSocket) => s as unknown as { emit(...a: unknown[]): void; timeout(ms: number): { emitWithAck(...a: unknown[]): Promise<any> } };

beforeAll(async () => {
  server = await startTestServer({ REDIS_PREFIX: filePrefix('rt-input') });
  api = apiClient(server.url);
  workshopId = (await verifiedWorkshop(server, api)).workshop.id;
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await server?.close();
});

describe('bad socket input', () => {
  it('answers wrong payloads with VALIDATION_FAILED', async () => {
    const s = raw(await open());
    const bad: unknown[] = [undefined, null, 42, 'workshop', [], { workshopId: 'nope' }, { workshopId, extra: true }, { workshopId, from: 'yesterday' },
      { workshopId, from: '2030-01-02T00:00:00Z', to: '2030-01-01T00:00:00Z' }, { workshopId: { $ne: null } }, { workshopId: new Uint8Array([1, 2, 3]) }, new Uint8Array(8)];
    for (const payload of bad) {
      const r = await s.timeout(WAIT_MS).emitWithAck('workshop:watch', payload);
      expect(r, JSON.stringify(payload)).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    }
    expect(await s.timeout(WAIT_MS).emitWithAck('workshop:unwatch', { workshopId: 7 })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    // A watch with no payload at all: the ack is the only argument.
    expect(await s.timeout(WAIT_MS).emitWithAck('workshop:watch')).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    // The same socket still works.
    expect((await watchOk(s as unknown as ClientSocket, workshopId)).workshopId).toBe(workshopId);
  });

  it('drops unknown events and requests without an ack, and answers the next request', async () => {
    const client = await open();
    const s = raw(client);
    s.emit('no:such:event', { a: 1 });
    s.emit('__proto__', 1);
    s.emit('workshop:watch', { workshopId }); // no ack: nothing to answer, so nothing is done
    s.emit('workshop:watch', 'garbage');
    s.emit('board:watch');
    s.emit('workshop:unwatch'); // ack is optional here; a bad payload is just dropped
    // Packets of one socket are handled in order: once this answers, the ones above were handled.
    expect(await s.timeout(WAIT_MS).emitWithAck('board:watch')).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const onServer = server.realtime.io.of('/').sockets.get(client.id!);
    expect([...onServer!.rooms]).toEqual([client.id]);
    // Unknown events are never answered: the client's own timeout is the only outcome.
    expect(await s.timeout(500).emitWithAck('no:such:event', 1).catch((e: Error) => e.message)).toMatch(/timed out/);
    expect((await watchOk(client, workshopId)).workshopId).toBe(workshopId);
  });

  it('closes a connection that sends a huge message and keeps serving others', async () => {
    const victim = await open();
    const closed = new Promise<string>((r) => victim.once('disconnect', (reason) => r(reason)));
    raw(victim).emit('workshop:watch', { workshopId, pad: 'x'.repeat(200 * 1024) });
    expect(await closed).toMatch(/transport (close|error)/);
    const other = await open();
    expect((await watchOk(other, workshopId)).workshopId).toBe(workshopId);
    expect((await api.get('/health')).status).toBe(200);
  });

  it('rate-limits a flood of concurrent requests on one connection instead of queueing them all', async () => {
    const s = raw(await open());
    const answers = await Promise.all(Array.from({ length: 40 }, () => s.timeout(WAIT_MS).emitWithAck('workshop:watch', { workshopId })));
    expect(answers.every((r) => r.ok || r.error.code === 'RATE_LIMITED')).toBe(true);
    expect(answers.some((r) => r.ok)).toBe(true);
    expect((await watchOk(s as unknown as ClientSocket, workshopId)).workshopId).toBe(workshopId);
  });
});
