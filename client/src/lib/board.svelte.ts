import type { BoardSnapshot } from '@shared/realtime/events';
import { api } from './api';
import { live } from './socket.svelte';

/*
 * The admin live board: `board:watch` answers with a snapshot, then `board:changed` and
 * the periodic `board:snapshot` replace it. Each snapshot appends a point to a short
 * history that the sparklines draw. Re-watched on every connect (rooms are per connection).
 */

export interface BoardPoint {
  at: number;
  holdsPerMin: number;
  bookingsPerMin: number;
  conversion: number | null;
  p95: number | null;
  sockets: number;
}

const HISTORY = 60;

class Board {
  snapshot = $state.raw<BoardSnapshot | null>(null);
  history = $state.raw<BoardPoint[]>([]);
  error = $state<string | null>(null);
  updatedAt = $state<number | null>(null);
  #offs: Array<() => void> = [];
  #watching = false;

  #take = (b: BoardSnapshot) => {
    if (this.snapshot && Date.parse(b.at) < Date.parse(this.snapshot.at)) return; // a late, older board
    this.snapshot = b;
    this.updatedAt = Date.now();
    const t = b.totals;
    const point: BoardPoint = {
      at: Date.parse(b.at),
      holdsPerMin: t.holdsPerMin,
      bookingsPerMin: t.bookingsPerMin,
      conversion: t.conversion15m,
      p95: t.holdToBroadcastP95Ms,
      sockets: t.connectedSockets,
    };
    // board:watch answers twice (ack and event) with the same board: one point, not two.
    const last = this.history.at(-1);
    this.history = last && last.at === point.at ? [...this.history.slice(0, -1), point] : [...this.history, point].slice(-HISTORY);
  };

  async #watch() {
    if (!live.socket.connected) return this.#poll();
    try {
      const r = await live.socket.timeout(5000).emitWithAck('board:watch');
      if (!r.ok) throw new Error(r.error.message);
      this.error = null;
      this.#take(r.data);
    } catch (err) {
      this.error = err instanceof Error ? err.message : 'Could not load the board';
      await this.#poll();
    }
  }

  /** HTTP fallback while the socket is down (GET /api/v1/admin/board). */
  async #poll() {
    try {
      this.#take((await api.admin.board()).board);
      this.error = null;
    } catch {
      /* keep the last board; the banner says we are offline */
    }
  }

  start() {
    if (this.#watching) return;
    this.#watching = true;
    this.#offs = [
      live.on('board:changed', this.#take),
      live.on('board:snapshot', this.#take),
      live.onConnect(() => void this.#watch()),
    ];
    void this.#watch();
  }

  stop() {
    this.#watching = false;
    for (const off of this.#offs) off();
    this.#offs = [];
  }
}

export const board = new Board();
