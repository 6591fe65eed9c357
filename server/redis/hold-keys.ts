/**
 * Key names of the hold store. Everything a workshop script touches shares the
 * `{w:<id>}` hash tag and everything a customer script touches shares `{c:<id>}`,
 * so every Lua script stays inside one Redis Cluster hash slot.
 */
export interface WorkshopKeys {
  /** hash: `c:<slotId>` capacity, `b:<slotId>` booked, `h:<slotId>` held */
  slots: string;
  /** hash: `seq` (event sequence) and `epoch` (made when `seq` is created) */
  meta: string;
  /** zset: holdId → expiresAt (this workshop's holds not yet released) */
  expiry: string;
  /** hash: holdId → JSON HoldRecord; no TTL, so units are returned even if `hold` lapsed */
  ledger: string;
  /** hash with PX TTL: one hold's fields */
  hold: (holdId: string) => string;
  /** string counter: bumped when the set of slots changes (validates cached slot lists) */
  schedule: string;
}

export function workshopKeys(prefix: string, workshopId: string): WorkshopKeys {
  const base = `${prefix}{w:${workshopId}}`;
  return {
    slots: `${base}:slots`,
    meta: `${base}:meta`,
    expiry: `${base}:expiry`,
    ledger: `${base}:ledger`,
    hold: (holdId) => `${base}:hold:${holdId}`,
    schedule: `${base}:schedule`,
  };
}

/** zset of one customer's holds: `${workshopId}:${holdId}` → expiresAt (anti-hoarding). */
export const customerHoldsKey = (prefix: string, customerId: string) =>
  `${prefix}{c:${customerId}}:holds`;

/** Counter of the customer's hold attempts in the current rate window (RATE_LIMIT_HOLDS_PER_MIN). */
export const customerHoldRateKey = (prefix: string, customerId: string) =>
  `${prefix}{c:${customerId}}:rl:holds`;

/** Global zset `${workshopId}:${holdId}` → expiresAt, so sweepers find due holds of every workshop. */
export const dueKey = (prefix: string) => `${prefix}holds:due`;

/** String holdId → workshopId: confirm only knows the hold id. */
export const holdIndexKey = (prefix: string, holdId: string) => `${prefix}hold-workshop:${holdId}`;

/** Hold ids are UUIDs (no ':'), so the last ':' separates them from any workshop id. */
export const holdMember = (workshopId: string, holdId: string) => `${workshopId}:${holdId}`;

export function parseHoldMember(member: string): { workshopId: string; holdId: string } {
  const at = member.lastIndexOf(':');
  return { workshopId: member.slice(0, at), holdId: member.slice(at + 1) };
}
