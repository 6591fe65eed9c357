import { DateTime, IANAZone } from 'luxon';

/** One opening interval on a weekday; several rows per weekday model breaks (e.g. lunch). */
export interface WeeklyHours {
  /** 0 = Sunday … 6 = Saturday (JavaScript's convention, not luxon's 1 = Monday). */
  weekday: number;
  /** 'HH:MM' local wall time. */
  opens: string;
  /** 'HH:MM' local wall time; '24:00' is accepted as end of day. */
  closes: string;
}

/** A whole local calendar day on which the workshop is closed. */
export interface ClosureDay {
  /** 'YYYY-MM-DD' in the workshop's local calendar. */
  date: string;
}

/** A slot to exist: absolute instants, so storage (timestamptz) never has to know the zone. */
export interface SlotSpec {
  startsAt: Date;
  endsAt: Date;
}

export interface GenerateSlotsInput {
  /** IANA zone of the workshop, e.g. 'Europe/London'. */
  timezone: string;
  slotMinutes: number;
  hours: WeeklyHours[];
  closures: ClosureDay[];
  /** No slot starting before this instant is returned. */
  from: Date;
  /** Number of local calendar days to cover, counting the local day of `from` as the first. */
  horizonDays: number;
}

const MINUTE_MS = 60_000;

function assertZone(timezone: string): void {
  // Luxon silently yields invalid DateTimes for unknown zones; fail loudly instead so a bad
  // workshop row cannot quietly produce zero slots.
  if (!IANAZone.isValidZone(timezone)) throw new Error(`Invalid IANA time zone: ${timezone}`);
}

/** 'HH:MM' → minutes after local midnight (NaN for garbage, which then yields no slots). */
function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
}

// One formatter per zone: building it validates the zone once; luxon would re-validate per call.
const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** The workshop-local calendar date ('YYYY-MM-DD') of an instant; multi-slot holds must stay on one. */
export function localDayOf(date: Date, timezone: string): string {
  let fmt = dayFormats.get(timezone);
  if (!fmt) {
    assertZone(timezone);
    // en-CA formats dates as YYYY-MM-DD.
    fmt = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(timezone, fmt);
  }
  if (Number.isNaN(date.getTime())) throw new Error(`Invalid date: ${String(date)}`);
  return fmt.format(date);
}

/**
 * How many slots weekly `hours` make over `horizonDays` at most (each weekday counted as often
 * as it can occur in that many days). Cheap enough to check on every settings change.
 */
export function slotsOverHorizon(hours: WeeklyHours[], slotMinutes: number, horizonDays: number): number {
  if (!Number.isInteger(slotMinutes) || slotMinutes <= 0) return Infinity;
  const perWeek = hours.reduce((sum, row) => sum + Math.max(0, Math.floor((toMinutes(row.closes) - toMinutes(row.opens)) / slotMinutes) || 0), 0);
  return perWeek * Math.ceil(horizonDays / 7);
}

/**
 * Slots for the workshop's opening hours, laid out on local wall time (so 08:00 stays 08:00
 * across DST changes), sorted by start, one per start instant, never overlapping within a row.
 */
export function generateSlots(input: GenerateSlotsInput): SlotSpec[] {
  const { timezone, slotMinutes, hours, closures, from, horizonDays } = input;
  assertZone(timezone);
  // A non-positive step would loop forever; that is worth a guard even behind zod.
  if (!Number.isInteger(slotMinutes) || slotMinutes <= 0) {
    throw new Error(`slotMinutes must be a positive integer, got ${slotMinutes}`);
  }

  const closed = new Set(closures.map((c) => c.date));
  const fromMs = from.getTime();
  const durationMs = slotMinutes * MINUTE_MS;
  const byStart = new Map<number, SlotSpec>();

  // Walk calendar dates in UTC: pure date arithmetic, immune to days whose local midnight
  // does not exist (zones that switch DST at 00:00).
  const firstLocal = DateTime.fromJSDate(from, { zone: timezone });
  const firstDay = DateTime.utc(firstLocal.year, firstLocal.month, firstLocal.day);

  for (let i = 0; i < horizonDays; i++) {
    const day = firstDay.plus({ days: i });
    if (closed.has(day.toISODate() ?? '')) continue;
    const weekday = day.weekday % 7; // luxon: 1 = Monday … 7 = Sunday → 0 = Sunday

    for (const row of hours) {
      if (row.weekday !== weekday) continue;
      const closes = toMinutes(row.closes);
      let prevEndMs = -Infinity;
      for (let m = toMinutes(row.opens); m + slotMinutes <= closes; m += slotMinutes) {
        const hour = Math.floor(m / 60);
        const minute = m % 60;
        const local = DateTime.fromObject(
          { year: day.year, month: day.month, day: day.day, hour, minute },
          { zone: timezone },
        );
        // Luxon shifts a nonexistent wall time (spring-forward gap) forward; such a slot
        // would duplicate or overlap a real one, so it is skipped. In the repeated autumn
        // hour luxon picks one offset, so each wall time still maps to a single instant.
        if (local.day !== day.day || local.hour !== hour || local.minute !== minute) continue;
        const startMs = local.toMillis();
        // Wall-time steps are shorter than slotMinutes of real time across a spring-forward
        // gap, so the slot straddling it would overlap the next one and sell one bay twice:
        // keep the earlier slot. Tracked before the `from` filter so the result for a given
        // instant never depends on when regeneration ran.
        if (startMs < prevEndMs) continue;
        prevEndMs = startMs + durationMs;
        if (startMs < fromMs || byStart.has(startMs)) continue;
        byStart.set(startMs, { startsAt: new Date(startMs), endsAt: new Date(startMs + durationMs) });
      }
    }
  }

  return [...byStart.values()].sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
}
