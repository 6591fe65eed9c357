import { Server } from 'socket.io';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { slotsChangedEventSchema, watchRequestSchema, unwatchRequestSchema, type AvailabilitySnapshot, type SlotsChangedEvent } from '@shared/availability';
import { ackError, ackOk, type Ack, type ClientToServerEvents, type ServerToClientEvents } from './events';
import { rooms } from './rooms';
import { createSlotSync } from './slot-sync';
import { coalesce, createFakeServer, WORKSHOP_ID } from './slot-sync.fixtures';

/*
 * The contract pieces used together over a real Socket.IO connection: the event maps typed
 * once (swapped on each side), the input schemas, the room names and slot-sync. The server
 * here is a stand-in for server/realtime, only as smart as the contract needs.
 */

describe('watch request schemas', () => {
  it('accepts a workshop id with an optional window, with or without offsets', () => {
    expect(watchRequestSchema.parse({ workshopId: WORKSHOP_ID })).toEqual({ workshopId: WORKSHOP_ID });
    const req = { workshopId: WORKSHOP_ID, from: '2030-01-07T08:00:00Z', to: '2030-01-08T08:00:00+01:00' };
    expect(watchRequestSchema.parse(req)).toEqual(req);
  });

  it.each([
    ['a non-uuid id', { workshopId: 'w1' }],
    ['an unknown key', { workshopId: WORKSHOP_ID, room: 'admin' }],
    ['a date without time', { workshopId: WORKSHOP_ID, from: '2030-01-07' }],
    ['an inverted window', { workshopId: WORKSHOP_ID, from: '2030-01-08T00:00:00Z', to: '2030-01-07T00:00:00Z' }],
  ])('rejects %s', (_, input) => expect(watchRequestSchema.safeParse(input).success).toBe(false));

  it('unwatch takes only the workshop id', () => {
    expect(unwatchRequestSchema.safeParse({ workshopId: WORKSHOP_ID }).success).toBe(true);
    expect(unwatchRequestSchema.safeParse({ workshopId: WORKSHOP_ID, from: '2030-01-07T08:00:00Z' }).success).toBe(false);
  });
});

describe('slots:changed frame schema', () => {
  const SLOT = '1b4e28ba-2fa1-41d2-883f-0016d3cca427';
  const counts = { id: SLOT, capacity: 2, booked: 0, held: 1, free: 1 };
  const frame = { workshopId: WORKSHOP_ID, epoch: 'e1', changes: [{ seq: 7, cause: 'held', slots: [counts] }, { seq: 9, cause: 'schedule', slots: [] }] };

  it('accepts a frame of changes in seq order', () => expect(slotsChangedEventSchema.parse(frame)).toEqual(frame));

  it.each([
    ['no changes', { ...frame, changes: [] }],
    ['the old single-change shape', { workshopId: WORKSHOP_ID, epoch: 'e1', seq: 7, cause: 'held', slots: [counts] }],
    ['an unknown cause', { ...frame, changes: [{ seq: 7, cause: 'moved', slots: [] }] }],
    ['personal data in a change', { ...frame, changes: [{ seq: 7, cause: 'held', slots: [{ ...counts, customerId: SLOT }] }] }],
  ])('rejects %s', (_, input) => expect(slotsChangedEventSchema.safeParse(input).success).toBe(false));
});

describe('rooms', () => {
  it('spells every room name one way', () => {
    expect([rooms.workshop('a'), rooms.vendor('a'), rooms.user('u'), rooms.admin]).toEqual(['workshop:a', 'vendor:a', 'user:u', 'admin']);
  });
});

describe('event maps over a real socket', () => {
  const fake = createFakeServer();
  const ioServer = new Server<ClientToServerEvents, ServerToClientEvents>();
  let client: Socket<ServerToClientEvents, ClientToServerEvents>;

  beforeAll(async () => {
    ioServer.on('connection', (socket) => {
      socket.on('workshop:watch', async (req, ack) => {
        const parsed = watchRequestSchema.safeParse(req);
        if (!parsed.success) return ack(ackError('VALIDATION_FAILED', parsed.error.issues[0]?.message ?? 'invalid'));
        await socket.join(rooms.workshop(parsed.data.workshopId));
        ack(ackOk(fake.snapshot()));
      });
      socket.on('workshop:unwatch', async (req, ack) => {
        await socket.leave(rooms.workshop(req.workshopId));
        ack?.(ackOk(null));
      });
      socket.on('board:watch', (ack) => ack(ackError('FORBIDDEN', 'admins only')));
    });
    // listen(0) makes Socket.IO own an HTTP server on a free port (no node: import in shared/).
    ioServer.listen(0);
    await new Promise<void>((resolve) => ioServer.httpServer.once('listening', resolve));
    const { port } = ioServer.httpServer.address() as { port: number };
    client = connect(`http://127.0.0.1:${port}`, { transports: ['websocket'] });
    await new Promise<void>((resolve) => client.once('connect', resolve));
  });
  afterAll(async () => {
    client.close();
    await ioServer.close(); // also closes its HTTP server
  });

  it('types acks on both sides', () => {
    expectTypeOf(client.emitWithAck<'workshop:watch'>).returns.resolves.toEqualTypeOf<Ack<AvailabilitySnapshot>>();
    expectTypeOf<Parameters<ServerToClientEvents['slots:changed']>[0]>().toEqualTypeOf<SlotsChangedEvent>();
  });

  it('answers a bad request with a typed error ack', async () => {
    const r = await client.emitWithAck('workshop:watch', { workshopId: 'nope' });
    expect(r).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(await client.emitWithAck('board:watch')).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: 'admins only' } });
  });

  it('keeps a slot-sync in step with room broadcasts, then unwatches', async () => {
    const sync = createSlotSync({
      fetchSnapshot: async () => {
        const r = await client.timeout(5_000).emitWithAck('workshop:watch', { workshopId: WORKSHOP_ID });
        if (!r.ok) throw new Error(r.error.message);
        return r.data;
      },
    });
    client.on('slots:changed', sync.apply);
    await sync.start();
    const changed = new Promise<void>((resolve) => client.once('slots:changed', () => resolve()));
    const frame = coalesce(fake.change(1, 2, 1), fake.change(0, 1, 0));
    ioServer.to(rooms.workshop(WORKSHOP_ID)).emit('slots:changed', frame);
    await changed;
    expect(sync.state.seq).toBe(2);
    expect(sync.state.slots[1]).toMatchObject({ booked: 2, held: 1, free: 0 });
    expect(sync.state.slots[0]).toMatchObject({ booked: 1, held: 0, free: 2 });

    expect(await client.emitWithAck('workshop:unwatch', { workshopId: WORKSHOP_ID })).toEqual({ ok: true, data: null });
    expect(ioServer.sockets.adapter.rooms.get(rooms.workshop(WORKSHOP_ID))).toBeUndefined();
    client.off('slots:changed', sync.apply);
    sync.stop();
  });
});
