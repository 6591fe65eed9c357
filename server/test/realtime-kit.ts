import { io as connectClient, type Socket } from 'socket.io-client';
import { expect, inject } from 'vitest';
import type { AvailabilitySnapshot } from '@shared/availability';
import type { Ack, ClientToServerEvents, ServerToClientEvents } from '@shared/realtime/events';
import type { ApiClient } from './harness';

/*
 * Helpers for the realtime tests: real socket.io-client connections, awaiting events
 * instead of sleeping, and recording everything a socket receives so "never received"
 * can be asserted after a sentinel event that is known to arrive later.
 */

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
export type EventName = keyof ServerToClientEvents;
type Payload<E extends EventName> = Parameters<ServerToClientEvents[E]>[0];

/** Generous: a loaded 2-core machine runs several test files at once. */
export const WAIT_MS = 15_000;

/**
 * This file's own REDIS_PREFIX (under the run's prefix, so global teardown still cleans it):
 * test files run in parallel, and a shared prefix would share Socket.IO channels, presence
 * and the marketplace counters between them.
 */
export const filePrefix = (tag: string) => `${inject('redisPrefix')}${tag}:`;

/** A connected socket; rejects on connect_error (e.g. a refused token). */
export function connect(url: string, auth: { token?: string; cookie?: string; origin?: string; headers?: Record<string, string> } = {}): Promise<ClientSocket> {
  const extraHeaders = { ...auth.headers, ...(auth.cookie ? { cookie: auth.cookie } : {}), ...(auth.origin ? { origin: auth.origin } : {}) };
  const socket: ClientSocket = connectClient(url, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    auth: auth.token ? { token: auth.token } : {},
    extraHeaders: Object.keys(extraHeaders).length ? extraHeaders : undefined,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

/** The next `name` event matching `predicate` (listener added now: start it before the action). */
export function nextEvent<E extends EventName>(socket: ClientSocket, name: E, predicate: (p: Payload<E>) => boolean = () => true, timeoutMs = WAIT_MS): Promise<Payload<E>> {
  return new Promise((resolve, reject) => {
    const listener = (p: Payload<E>) => {
      if (!predicate(p)) return;
      clearTimeout(timer);
      socket.off(name, listener as never);
      resolve(p);
    };
    const timer = setTimeout(() => {
      socket.off(name, listener as never);
      reject(new Error(`no ${name} event within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on(name, listener as never);
  });
}

export interface Received {
  name: string;
  payload: any;
}

/** Records every event a socket receives; waitFor also looks at what already arrived. */
export function record(socket: ClientSocket) {
  const events: Received[] = [];
  const waiters = new Set<() => void>();
  socket.onAny((name: string, payload: unknown) => {
    events.push({ name, payload });
    for (const w of [...waiters]) w();
  });
  return {
    events,
    of: (name: string) => events.filter((e) => e.name === name).map((e) => e.payload),
    waitFor(name: string, predicate: (p: any) => boolean = () => true, timeoutMs = WAIT_MS): Promise<any> {
      const find = () => events.find((e) => e.name === name && predicate(e.payload));
      const hit = find();
      if (hit) return Promise.resolve(hit.payload);
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = find();
          if (!found) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found.payload);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no ${name} event matching within ${timeoutMs} ms; got ${events.map((e) => e.name).join(', ') || 'nothing'}`));
        }, timeoutMs);
        waiters.add(check);
      });
    },
  };
}

/** workshop:watch with a timeout; returns the ack as-is. */
export function watch(socket: ClientSocket, workshopId: string): Promise<Ack<AvailabilitySnapshot>> {
  return socket.timeout(WAIT_MS).emitWithAck('workshop:watch', { workshopId });
}

/** workshop:watch that must succeed. */
export async function watchOk(socket: ClientSocket, workshopId: string): Promise<AvailabilitySnapshot> {
  const r = await watch(socket, workshopId);
  if (!r.ok) throw new Error(`watch failed: ${r.error.code} ${r.error.message}`);
  return r.data;
}

/** A free slot a day or more ahead (so a manual clock moved by minutes never reaches it). */
export async function slotAhead(api: ApiClient, workshopId: string, index = 0): Promise<{ id: string; startsAt: string }> {
  const res = await api.get(`/api/workshops/${workshopId}/availability`);
  expect(res.status).toBe(200);
  const soon = Date.now() + 24 * 3600_000;
  const slots = (res.body.slots as Array<{ id: string; startsAt: string; free: number }>).filter((s) => Date.parse(s.startsAt) > soon && s.free > 0);
  const slot = slots[index];
  if (!slot) throw new Error('no free slot ahead');
  return slot;
}

/** POST /api/holds that must succeed; returns the hold id. */
export async function hold(api: ApiClient, token: string, workshopId: string, serviceId: string, slotId: string): Promise<string> {
  const res = await api.post('/api/holds', { workshopId, serviceId, slotId }, token);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.hold.id;
}

/** POST /api/bookings that must succeed; returns the booking. */
export async function confirm(api: ApiClient, token: string, holdId: string): Promise<{ id: string; status: string; workshopId: string }> {
  const res = await api.post('/api/bookings', { holdId, vehicle: { registration: 'AB12 CDE' } }, token);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.booking;
}

/** The reason of the socket's next disconnect (listener added now: start it before the action). */
export function disconnected(socket: ClientSocket, timeoutMs = WAIT_MS): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`still connected after ${timeoutMs} ms`)), timeoutMs);
    socket.once('disconnect', (reason) => {
      clearTimeout(timer);
      resolve(reason);
    });
  });
}
