import type { Change, HoldRecord, HoldService, SlotCounts, SlotSeed } from './hold-store.types';

/** A workshop script's JSON reply, before it is shaped into the public types. */
export type ScriptReply = {
  ok: boolean;
  code?: string;
  slotId?: string;
  expiresAt?: number;
  hold?: RawHold;
  change?: RawChange;
};
type RawHold = Omit<HoldRecord, 'slotIds' | 'options' | 'quote' | 'services'> & { slotIds: unknown; options?: unknown; quote?: unknown; services?: unknown };
type RawChange = { seq: number; epoch: string; slots: unknown };

// cjson encodes an empty Lua table as `{}`, so every list must be normalized.
const list = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);

export const parseReply = (json: string): ScriptReply => JSON.parse(json) as ScriptReply;

export function toCounts(raw: SlotCounts): SlotCounts {
  const { id, capacity, booked, held, free } = raw;
  return { id: String(id), capacity, booked, held, free };
}

export function toChange(workshopId: string, raw: RawChange | undefined): Change {
  if (!raw) throw new Error('hold store: script reply without a change');
  return {
    workshopId,
    seq: Number(raw.seq),
    epoch: String(raw.epoch),
    slots: list<SlotCounts>(raw.slots).map(toCounts),
    madeAt: performance.now(),
  };
}

export function toHold(raw: RawHold | undefined): HoldRecord {
  if (!raw) throw new Error('hold store: script reply without a hold');
  return {
    id: String(raw.id),
    workshopId: String(raw.workshopId),
    customerId: String(raw.customerId),
    serviceId: String(raw.serviceId),
    slotIds: list<unknown>(raw.slotIds).map(String),
    expiresAt: Number(raw.expiresAt),
    createdAt: Number(raw.createdAt),
    extensions: Number(raw.extensions),
    options: parseOptions(raw.options),
    ...parseQuote(raw.quote),
    ...parseServices(raw.services),
  };
}

// A visit's services travel through Lua as a JSON string too (absent on a one-service hold).
function parseServices(v: unknown): { services?: HoldService[] } {
  if (typeof v !== 'string') return {};
  try {
    const list = JSON.parse(v) as unknown;
    if (!Array.isArray(list) || list.length === 0) return {};
    const services = list.map((x: Record<string, unknown>) => ({
      serviceId: String(x.serviceId),
      options: x.options && typeof x.options === 'object' && !Array.isArray(x.options) ? (x.options as HoldService['options']) : {},
      priceCents: Number(x.priceCents),
      durationMinutes: Number(x.durationMinutes),
    }));
    return { services };
  } catch {
    return {};
  }
}

// Like options, the quote travels through Lua as a JSON string.
function parseQuote(v: unknown): { quote?: HoldRecord['quote'] } {
  if (typeof v !== 'string') return {};
  try {
    const q = JSON.parse(v) as { priceCents?: unknown; currency?: unknown };
    return Number.isInteger(q.priceCents) && typeof q.currency === 'string' ? { quote: { priceCents: q.priceCents as number, currency: q.currency } } : {};
  } catch {
    return {};
  }
}

// Options travel through Lua as a JSON string, because cjson cannot tell an empty object from an empty list.
function parseOptions(v: unknown): HoldRecord['options'] {
  if (typeof v !== 'string') return {};
  try {
    const o = JSON.parse(v) as unknown;
    return o && typeof o === 'object' && !Array.isArray(o) ? (o as HoldRecord['options']) : {};
  } catch {
    return {};
  }
}

/** The per-hold hash (read outside scripts by findHold/activeHolds); null when it has lapsed. */
export function holdFromHash(id: string, f: Record<string, string>): HoldRecord | null {
  if (!f.customerId || !f.workshopId || !f.slotIds) return null;
  return toHold({
    id,
    workshopId: f.workshopId,
    customerId: f.customerId,
    serviceId: f.serviceId ?? '',
    slotIds: JSON.parse(f.slotIds) as unknown,
    expiresAt: Number(f.expiresAt),
    createdAt: Number(f.createdAt),
    extensions: Number(f.extensions),
    options: f.options,
    quote: f.quote,
    services: f.services,
  });
}

/** Flattens seeds into script arguments: (slotId, capacity, booked) per slot. */
export function seedArgs(seeds: SlotSeed[]): string[] {
  const seen = new Set<string>();
  const args: string[] = [];
  for (const s of seeds) {
    if (!Number.isInteger(s.capacity) || !Number.isInteger(s.booked) || s.capacity < 0 || s.booked < 0) {
      throw new RangeError(`hold store: bad seed for slot ${s.slotId}`);
    }
    if (seen.has(s.slotId)) throw new RangeError(`hold store: slot ${s.slotId} listed twice`);
    seen.add(s.slotId);
    args.push(s.slotId, String(s.capacity), String(s.booked));
  }
  return args;
}
