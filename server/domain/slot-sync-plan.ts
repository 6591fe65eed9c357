import type { SlotSpec } from './slot-generation';

/** A slot row as stored, with what regeneration needs to decide whether it may change it. */
export interface ExistingSlot {
  id: string;
  startsAt: Date;
  endsAt: Date;
  capacity: number;
  booked: number;
  /** Kept only for its bookings: the schedule no longer offers this time. */
  withdrawn: boolean;
}

/** What to write so the stored slots match the desired ones, without touching customers' bookings. */
export interface SlotSyncPlan {
  create: Array<SlotSpec & { capacity: number }>;
  /** New capacity, and a new end when the slot length changed. */
  update: Array<{ id: string; capacity: number; endsAt?: Date }>;
  remove: string[];
  /** Booked slots the schedule no longer offers: kept for their bookings, capacity cut to what is booked. */
  withdraw: string[];
  /** Withdrawn slots the schedule offers again (a closure removed): back on sale with `capacity`. */
  reinstate: Array<{ id: string; capacity: number }>;
}

export interface PlanSlotSyncInput {
  /** Slots the current hours call for (usually generateSlots' output). */
  desired: SlotSpec[];
  /** The workshop's bays: the capacity every free future slot should have. */
  capacity: number;
  existing: ExistingSlot[];
  now: Date;
}

/**
 * Plans regeneration: creates missing slots, resizes or removes free future ones, withdraws
 * booked ones the schedule no longer offers, and never touches a slot in the past.
 */
export function planSlotSync(input: PlanSlotSyncInput): SlotSyncPlan {
  const { desired, capacity, existing, now } = input;
  const nowMs = now.getTime();
  const plan: SlotSyncPlan = { create: [], update: [], remove: [], withdraw: [], reinstate: [] };

  // Matching is by start instant because the DB's unique key is (workshop_id, starts_at).
  const desiredEnds = new Map(desired.map((d) => [d.startsAt.getTime(), d.endsAt.getTime()]));
  const existingStarts = new Set(existing.map((e) => e.startsAt.getTime()));

  for (const slot of existing) {
    // Past slots are history (and may be referenced by completed bookings): never touched.
    if (slot.startsAt.getTime() < nowMs) continue;
    const end = desiredEnds.get(slot.startsAt.getTime());
    if (slot.booked > 0) {
      // Booked slots hold promises to customers: never moved, and kept when the schedule drops
      // their time (a closed day) — but then withdrawn, with nothing left to sell.
      if (end === undefined) {
        if (!slot.withdrawn || slot.capacity !== slot.booked) plan.withdraw.push(slot.id);
      } else if (slot.withdrawn) plan.reinstate.push({ id: slot.id, capacity: Math.max(capacity, slot.booked) });
      else if (capacity > slot.capacity) plan.update.push({ id: slot.id, capacity }); // more bays may join them
      continue;
    }
    if (slot.withdrawn && end !== undefined) {
      // Its bookings went and the schedule offers the time again: an ordinary free slot.
      plan.reinstate.push({ id: slot.id, capacity });
      continue;
    }
    if (end === undefined) plan.remove.push(slot.id);
    else if (slot.capacity !== capacity || slot.endsAt.getTime() !== end) {
      plan.update.push(slot.endsAt.getTime() === end ? { id: slot.id, capacity } : { id: slot.id, capacity, endsAt: new Date(end) });
    }
  }

  const planned = new Set<number>();
  for (const spec of desired) {
    const start = spec.startsAt.getTime();
    // A past slot cannot be booked, so creating one would only add clutter; an existing
    // start (booked, past or kept) must not be inserted again or the unique key rejects it.
    if (start < nowMs || existingStarts.has(start) || planned.has(start)) continue;
    planned.add(start);
    plan.create.push({ startsAt: new Date(start), endsAt: new Date(spec.endsAt.getTime()), capacity });
  }

  return plan;
}
