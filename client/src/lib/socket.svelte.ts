import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '@shared/realtime/events';

/*
 * The tab's one Socket.IO connection (PROTOCOL.md). Stores register what they need on
 * every (re)connect through onConnect: a new connection is in no rooms, so each live
 * screen re-watches and re-snapshots there. `status` drives the offline banner.
 */

export type AppSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
export type LiveStatus = 'connecting' | 'online' | 'offline';

class LiveConnection {
  status = $state<LiveStatus>('connecting');
  /** True once any connection succeeded; before that a failure is "connecting", not "lost". */
  everConnected = $state(false);
  /** Increments on every successful connect; screens can key "last synced" on it. */
  connects = $state(0);
  /** Set while the browser itself reports no network. */
  browserOffline = $state(typeof navigator !== 'undefined' && navigator.onLine === false);

  readonly socket: AppSocket;
  #onConnect = new Set<() => void>();
  #failures = 0;

  constructor() {
    this.socket = io({
      path: '/socket.io',
      transports: ['websocket'],
      withCredentials: true,
      autoConnect: false,
      reconnectionDelay: 500,
      reconnectionDelayMax: 5000,
    });
    this.socket.on('connect', () => {
      this.#failures = 0;
      this.status = 'online';
      this.everConnected = true;
      this.connects++;
      for (const fn of [...this.#onConnect]) {
        try {
          fn();
        } catch (err) {
          console.error('onConnect handler failed', err);
        }
      }
    });
    this.socket.on('disconnect', (reason) => {
      // Our own disconnect (reconnect after sign-in) is not an outage worth a banner.
      this.status = reason === 'io client disconnect' ? 'connecting' : 'offline';
      // Socket.IO does not retry after the server closed us (e.g. a deploy): retry ourselves.
      if (reason === 'io server disconnect') setTimeout(() => this.connect(), 500 + Math.random() * 1500);
    });
    this.socket.on('connect_error', () => {
      this.#failures++;
      if (this.everConnected || this.#failures >= 2) this.status = 'offline';
    });
    window.addEventListener('offline', () => (this.browserOffline = true));
    window.addEventListener('online', () => {
      this.browserOffline = false;
      // Skip the rest of a reconnect backoff: the network is back now.
      if (!this.socket.connected) {
        this.socket.disconnect();
        this.socket.connect();
      }
    });
  }

  get connected(): boolean {
    return this.status === 'online';
  }

  connect() {
    if (!this.socket.connected && !this.socket.active) this.socket.connect();
  }

  /** A fresh connection (after sign-in/out) so the server re-derives our rooms from the cookie. */
  reconnect() {
    this.socket.disconnect();
    this.status = 'connecting';
    this.socket.connect();
  }

  /** Runs `fn` on every successful connect (now too, if connected). Returns an unsubscribe. */
  onConnect(fn: () => void, opts: { now?: boolean } = {}): () => void {
    this.#onConnect.add(fn);
    if (opts.now && this.socket.connected) fn();
    return () => this.#onConnect.delete(fn);
  }

  /** Subscribes to a server event; returns an unsubscribe. */
  on<E extends keyof ServerToClientEvents>(event: E, fn: ServerToClientEvents[E]): () => void {
    // socket.io-client's overloads do not accept a generic key; the map still types both sides.
    (this.socket.on as (e: string, f: unknown) => void)(event, fn);
    return () => (this.socket.off as (e: string, f: unknown) => void)(event, fn);
  }
}

export const live = new LiveConnection();
