import type { SlotView } from '@shared/availability';
import { dayKey, shortDay, timeOf } from './format';

/*
 * Turns a flat, sorted slot list into a week table: one column per local day, one row per
 * local start time, both in the workshop's zone (so a DST day simply has a row less/more).
 */

export interface WeekDay {
  key: string;
  label: string;
  slots: SlotView[];
}

export interface WeekTable {
  days: WeekDay[];
  times: string[];
  /** `${dayKey}|${HH:MM}` → slot */
  cells: Map<string, SlotView>;
}

export function buildWeek(slots: SlotView[], tz: string): WeekTable {
  const days = new Map<string, WeekDay>();
  const times = new Set<string>();
  const cells = new Map<string, SlotView>();
  for (const s of slots) {
    const k = dayKey(s.startsAt, tz);
    const t = timeOf(s.startsAt, tz);
    let day = days.get(k);
    if (!day) days.set(k, (day = { key: k, label: shortDay(s.startsAt, tz), slots: [] }));
    day.slots.push(s);
    times.add(t);
    cells.set(`${k}|${t}`, s);
  }
  return { days: [...days.values()].sort((a, b) => a.key.localeCompare(b.key)), times: [...times].sort(), cells };
}

/**
 * The run of `count` back-to-back slots on the same local day starting at `first`, or null
 * when the day ends or has a gap first (the server applies the same rule when holding).
 */
export function runFrom(day: WeekDay | undefined, first: SlotView, count: number): SlotView[] | null {
  if (!day) return null;
  const i = day.slots.findIndex((s) => s.id === first.id);
  if (i < 0) return null;
  const run = day.slots.slice(i, i + count);
  if (run.length < count) return null;
  for (let j = 1; j < run.length; j++) if (run[j]!.startsAt !== run[j - 1]!.endsAt) return null;
  return run;
}

/** How a slot looks to a customer; text and icon say it, colour only repeats it. */
export type SlotLook = 'mine' | 'free' | 'few' | 'held' | 'full' | 'past';

export function lookOf(s: SlotView, myUnits: number, now: number): SlotLook {
  if (myUnits > 0) return 'mine';
  if (Date.parse(s.startsAt) <= now) return 'past';
  if (s.free > 0) return s.free <= Math.max(1, Math.floor(s.capacity / 3)) && s.capacity > 1 ? 'few' : 'free';
  return s.held > 0 ? 'held' : 'full';
}

export const LOOK_TEXT: Record<SlotLook, string> = {
  mine: 'Held by you',
  free: 'Free',
  few: 'Few left',
  held: 'On hold',
  full: 'Full',
  past: 'Past',
};

export const LOOK_ICON: Record<SlotLook, string> = {
  mine: '★',
  free: '✓',
  few: '!',
  held: '◔',
  full: '✕',
  past: '·',
};
