import type { SlotSpec } from './slot-generation';

/** A slot row as stored, with what regeneration needs to decide whether it may change it. */
export interface ExistingSlot {
  id: string;
  startsAt: Date;
  endsAt: Date;
  capacity: number;
  booked: number;
}

/** What to write so the stored slots match the desired ones, without touching customers' bookings. */
export interface SlotSyncPlan {
  create: Array<SlotSpec & { capacity: number }>;
  update: Array<{ id: string; capacity: number }>;
  remove: string[];
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
 * Plans regeneration: creates missing slots, resizes or removes free future ones, and never
 * touches a slot that is in the past or has bookings.
 */
export function planSlotSync(input: PlanSlotSyncInput): SlotSyncPlan {
  const { desired, capacity, existing, now } = input;
  const nowMs = now.getTime();
  const plan: SlotSyncPlan = { create: [], update: [], remove: [] };

  // Matching is by start instant because the DB's unique key is (workshop_id, starts_at).
  const desiredStarts = new Set(desired.map((d) => d.startsAt.getTime()));
  const existingStarts = new Set(existing.map((e) => e.startsAt.getTime()));

  for (const slot of existing) {
    // Past slots are history (and may be referenced by completed bookings); booked slots
    // hold promises to customers: shrinking or deleting either would break them, even if
    // the hours or bays changed since.
    if (slot.startsAt.getTime() < nowMs || slot.booked > 0) continue;
    if (!desiredStarts.has(slot.startsAt.getTime())) plan.remove.push(slot.id);
    else if (slot.capacity !== capacity) plan.update.push({ id: slot.id, capacity });
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
