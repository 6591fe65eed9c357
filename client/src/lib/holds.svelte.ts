import type { CreateHoldInput, HoldView } from '@shared/schemas/booking';
import { api } from './api';
import { live } from './socket.svelte';
import { toasts } from './toasts.svelte';

/*
 * My active holds. Loaded from GET /api/holds (so a reload restores them), changed by my
 * own requests, and pruned by `hold:expired` from the server's sweeper. Screens ask
 * `mineBySlot` which slots are held by me, to tell "held by me" from "held by others".
 */
class Holds {
  list = $state<HoldView[]>([]);
  /** The last hold that expired on us, so the page that showed it can explain what happened. */
  lastExpired = $state<{ holdId: string; workshopId: string; slotIds: string[]; at: number } | null>(null);
  #enabled = false;

  /** slotId → my hold on it. */
  mineBySlot = $derived.by(() => {
    const m = new Map<string, HoldView>();
    for (const h of this.list) for (const id of h.slotIds) m.set(id, h);
    return m;
  });

  constructor() {
    live.on('hold:expired', (e) => this.#expired(e.holdId, e.workshopId));
    // Expiries while we were offline are not replayed: re-read on every connect.
    live.onConnect(() => {
      if (this.#enabled) void this.refresh();
    });
  }

  /** Customers only (vendors and admins cannot hold). */
  async enable() {
    this.#enabled = true;
    await this.refresh();
  }

  disable() {
    this.#enabled = false;
    this.list = [];
  }

  async refresh() {
    try {
      const { holds } = await api.holds.mine();
      const known = new Set(holds.map((h) => h.id));
      for (const h of this.list) if (!known.has(h.id) && Date.parse(h.expiresAt) <= Date.now() + 1000) this.#noteExpired(h);
      this.list = holds;
    } catch {
      /* offline: keep what we show; the next connect retries */
    }
  }

  byId(id: string): HoldView | undefined {
    return this.list.find((h) => h.id === id);
  }

  async create(input: CreateHoldInput): Promise<HoldView> {
    const { hold } = await api.holds.create(input);
    this.list = [...this.list.filter((h) => h.id !== hold.id), hold];
    return hold;
  }

  async release(id: string) {
    await api.holds.release(id).catch((err) => {
      // Already gone (expired or used): the outcome the person wanted anyway.
      if ((err as { code?: string }).code !== 'NOT_FOUND') throw err;
    });
    this.list = this.list.filter((h) => h.id !== id);
  }

  async extend(id: string): Promise<HoldView> {
    const { hold } = await api.holds.extend(id);
    this.list = this.list.map((h) => (h.id === id ? hold : h));
    return hold;
  }

  /** A hold became a booking (the server consumed it). */
  consumed(id: string) {
    this.list = this.list.filter((h) => h.id !== id);
  }

  #noteExpired(h: { id: string; workshopId: string; slotIds: string[] }) {
    this.lastExpired = { holdId: h.id, workshopId: h.workshopId, slotIds: h.slotIds, at: Date.now() };
    toasts.push('warning', 'Your hold expired', 'The slot went back to the pool. Hold it again if it is still free.');
  }

  #expired(holdId: string, workshopId: string) {
    const had = this.list.find((h) => h.id === holdId);
    this.list = this.list.filter((h) => h.id !== holdId);
    if (had) this.#noteExpired({ id: holdId, workshopId, slotIds: had.slotIds });
  }
}

export const holds = new Holds();
