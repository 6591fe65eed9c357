import type { AvailabilitySnapshot, SlotsChangedEvent } from '@shared/availability';
import { createSlotSync, type SlotSync, type SlotSyncState } from '@shared/realtime/slot-sync';
import { api } from './api';
import { live } from './socket.svelte';

/*
 * One workshop's live availability for a time window, kept gap-free by the shared
 * slot-sync (seq/epoch, reorder buffer, re-snapshot on gaps). The snapshot comes from the
 * `workshop:watch` ack, which also joins the workshop's room; while the socket is down
 * it comes over HTTP so the page still renders, and the next connect re-watches.
 */

const grids = new Set<LiveGrid>();
live.on('slots:changed', (e: SlotsChangedEvent) => {
  for (const g of grids) if (g.workshopId === e.workshopId) g.apply(e);
});

export class LiveGrid {
  state = $state.raw<SlotSyncState>({ workshopId: '', seq: 0, epoch: '', slots: [], syncing: true });
  /** The last change we applied, for a visual "just changed" pulse and the live region. */
  lastCause = $state<string | null>(null);
  loaded = $state(false);
  #sync: SlotSync;
  #offConnect: () => void = () => {};
  #stopped = false;
  /** The connection whose `workshop:watch` our state came from (null: an HTTP snapshot). */
  #watchedOn: string | null = null;

  constructor(
    readonly workshopId: string,
    readonly from: string,
    readonly to: string,
  ) {
    this.#sync = createSlotSync({
      fetchSnapshot: () => this.#snapshot(),
      onState: (s) => {
        this.state = s;
        if (!s.syncing) this.loaded = true;
      },
      fetchTimeoutMs: 6000,
    });
  }

  async #snapshot(): Promise<AvailabilitySnapshot> {
    if (live.socket.connected) {
      const id = live.socket.id ?? null;
      const r = await live.socket.timeout(5000).emitWithAck('workshop:watch', { workshopId: this.workshopId, from: this.from, to: this.to });
      if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
      this.#watchedOn = id;
      return r.data;
    }
    this.#watchedOn = null;
    return api.workshops.availability(this.workshopId, this.from, this.to);
  }

  start() {
    grids.add(this);
    // Every connect: a new connection is in no rooms, and events were missed meanwhile.
    this.#offConnect = live.onConnect(() => void this.#rewatch());
    void this.#sync.start().catch(() => {});
    return this;
  }

  /**
   * Re-snapshots through the socket. A resync joins a fetch already in flight, and that one
   * may be an HTTP snapshot started before this connection existed (so it joined no room):
   * then fetch once more, until the state comes from a watch on the current connection.
   */
  async #rewatch() {
    for (let i = 0; i < 3 && !this.#stopped; i++) {
      await this.#sync.resync().catch(() => {});
      if (!live.socket.connected || this.#watchedOn === live.socket.id) return;
    }
  }

  /** One frame (PROTOCOL.md): its changes apply in order; the pulse shows the last one's cause. */
  apply(e: SlotsChangedEvent) {
    if (this.#stopped) return;
    this.lastCause = e.changes[e.changes.length - 1]?.cause ?? this.lastCause;
    this.#sync.apply(e);
  }

  /** Re-read now (e.g. after our own 409, so the grid shows why). */
  refresh() {
    return this.#sync.resync().catch(() => {});
  }

  stop() {
    this.#stopped = true;
    grids.delete(this);
    this.#offConnect();
    this.#sync.stop();
    const stillWatched = [...grids].some((g) => g.workshopId === this.workshopId);
    if (!stillWatched && live.socket.connected) live.socket.emit('workshop:unwatch', { workshopId: this.workshopId });
  }

  get stats() {
    return this.#sync.stats;
  }
}
