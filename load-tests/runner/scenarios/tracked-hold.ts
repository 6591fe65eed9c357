import type { Account } from '../../../server/test/fixtures/bench';
import type { Http } from '../http';
import type { newCounts, Samples } from '../stats';
import type { DeliveryTracker } from '../watchers';

export interface HoldTally {
  holds: ReturnType<typeof newCounts>;
  holdMs: Samples;
  tracker: DeliveryTracker;
  /** Keeps a few unexpected answers for the report. */
  note: (s: string) => unknown;
}

/**
 * One timed hold whose `held` change the watchers are expected to receive (`watchers` of them):
 * counted, timed and registered with the delivery tracker. Returns the hold id, or null when
 * the hold was refused (409 counted as a conflict, anything else as an error).
 */
export async function trackedHold(http: Http, t: HoldTally, w: { id: string; serviceId: string }, slotId: string, customer: Account, watchers: () => number): Promise<string | null> {
  t.holds.attempted++;
  const sentAt = t.tracker.sending(slotId);
  const h = await http.post('/api/holds', { workshopId: w.id, serviceId: w.serviceId, slotId }, customer.token);
  t.holdMs.add(h.ms);
  if (h.status !== 201) {
    t.tracker.failed(slotId, sentAt);
    if (h.status === 409) t.holds.conflicts++;
    else {
      t.holds.errors++;
      t.note(`hold ${h.status} ${JSON.stringify(h.body).slice(0, 100)}`);
    }
    return null;
  }
  t.holds.succeeded++;
  t.tracker.succeeded(watchers());
  return h.body.hold.id as string;
}
