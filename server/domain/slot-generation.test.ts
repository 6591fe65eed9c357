import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { generateSlots, localDayOf, type SlotSpec, type WeeklyHours } from './slot-generation';

const LONDON = 'Europe/London';
const days = (weekdays: number[], opens: string, closes: string): WeeklyHours[] =>
  weekdays.map((weekday) => ({ weekday, opens, closes }));
const MON_SAT = days([1, 2, 3, 4, 5, 6], '08:00', '17:00');
const local = (iso: string, zone = LONDON) => DateTime.fromISO(iso, { zone }).toJSDate();
const iso = (s: SlotSpec) => s.startsAt.toISOString();

function countPerDay(slots: SlotSpec[], zone = LONDON): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of slots) out[localDayOf(s.startsAt, zone)] = (out[localDayOf(s.startsAt, zone)] ?? 0) + 1;
  return out;
}
function firstOn(slots: SlotSpec[], day: string, zone = LONDON): SlotSpec | undefined {
  return slots.find((s) => localDayOf(s.startsAt, zone) === day);
}
function expectWellFormed(slots: SlotSpec[], minutes: number) {
  const starts = slots.map((s) => s.startsAt.getTime());
  expect(new Set(starts).size).toBe(starts.length);
  expect(starts).toEqual([...starts].sort((a, b) => a - b));
  for (const s of slots) expect(s.endsAt.getTime() - s.startsAt.getTime()).toBe(minutes * 60_000);
}

describe('generateSlots across London clock changes (Mon–Sat 08:00–17:00)', () => {
  const cases = [
    { name: 'March 2027 (GMT→BST)', sat: '2027-03-27', sun: '2027-03-28', mon: '2027-03-29', satZ: '08', monZ: '07' },
    { name: 'October 2027 (BST→GMT)', sat: '2027-10-30', sun: '2027-10-31', mon: '2027-11-01', satZ: '07', monZ: '08' },
    { name: 'October 2026 (BST→GMT)', sat: '2026-10-24', sun: '2026-10-25', mon: '2026-10-26', satZ: '07', monZ: '08' },
  ];
  for (const c of cases) {
    it(`keeps 08:00 local in ${c.name}`, () => {
      const from = local(`${c.sat}T00:00`);
      const slots = generateSlots({ timezone: LONDON, slotMinutes: 60, hours: MON_SAT, closures: [], from, horizonDays: 7 });
      expectWellFormed(slots, 60);
      expect(firstOn(slots, c.sat)?.startsAt.toISOString()).toBe(`${c.sat}T${c.satZ}:00:00.000Z`);
      expect(firstOn(slots, c.mon)?.startsAt.toISOString()).toBe(`${c.mon}T${c.monZ}:00:00.000Z`);
      const perDay = countPerDay(slots);
      expect(perDay[c.sun]).toBeUndefined(); // closed on Sundays
      expect(Object.values(perDay)).toEqual([9, 9, 9, 9, 9, 9]); // Sat + Mon–Fri, none lost or doubled
    });

    it(`opens at 08:00 local on the change Sunday and the Monday after in ${c.name}`, () => {
      const hours = days([0, 1, 2, 3, 4, 5, 6], '08:00', '17:00');
      const slots = generateSlots({ timezone: LONDON, slotMinutes: 30, hours, closures: [], from: local(`${c.sun}T00:00`), horizonDays: 2 });
      for (const day of [c.sun, c.mon]) {
        const first = firstOn(slots, day);
        expect(DateTime.fromJSDate(first!.startsAt, { zone: LONDON }).toFormat('HH:mm')).toBe('08:00');
      }
      expect(firstOn(slots, c.sun)?.startsAt.toISOString()).toBe(`${c.sun}T${c.monZ}:00:00.000Z`);
      expect(countPerDay(slots)).toEqual({ [c.sun]: 18, [c.mon]: 18 });
    });
  }
});

describe('generateSlots when the clock change falls inside opening hours', () => {
  const night = days([0], '00:00', '04:00');

  it('skips the nonexistent 01:00–02:00 on the March change day', () => {
    const slots = generateSlots({ timezone: LONDON, slotMinutes: 30, hours: night, closures: [], from: local('2027-03-28T00:00'), horizonDays: 1 });
    expect(slots.map(iso)).toEqual(
      ['00:00', '00:30', '01:00', '01:30', '02:00', '02:30'].map((t) => `2027-03-28T${t}:00.000Z`),
    );
    const walls = slots.map((s) => DateTime.fromJSDate(s.startsAt, { zone: LONDON }).toFormat('HH:mm'));
    expect(walls).toEqual(['00:00', '00:30', '02:00', '02:30', '03:00', '03:30']);
    expectWellFormed(slots, 30);
  });

  it('gives each wall time of the repeated October hour a single slot', () => {
    const slots = generateSlots({ timezone: LONDON, slotMinutes: 30, hours: night, closures: [], from: local('2027-10-31T00:00'), horizonDays: 1 });
    const walls = slots.map((s) => DateTime.fromJSDate(s.startsAt, { zone: LONDON }).toFormat('HH:mm'));
    expect(walls).toEqual(['00:00', '00:30', '01:00', '01:30', '02:00', '02:30', '03:00', '03:30']);
    expectWellFormed(slots, 30);
    for (let i = 1; i < slots.length; i++) expect(slots[i]!.startsAt >= slots[i - 1]!.endsAt).toBe(true);
  });

  it('skips a gap time even when its shifted instant is on no other slot', () => {
    // Luxon would move 01:00 to 02:00 BST; that slot would run past the 02:30 close.
    const slots = generateSlots({ timezone: LONDON, slotMinutes: 60, hours: days([0], '00:00', '02:30'), closures: [], from: local('2027-03-28T00:00'), horizonDays: 1 });
    expect(slots.map(iso)).toEqual(['2027-03-28T00:00:00.000Z']);
  });

  it('never overlaps a slot that straddles the gap with the next one', () => {
    // 00:45 GMT + 45 min ends at 02:30 BST, so the wall-time 02:15 BST slot would overlap it.
    const london = generateSlots({ timezone: LONDON, slotMinutes: 45, hours: night, closures: [], from: local('2027-03-28T00:00'), horizonDays: 1 });
    expect(london.map(iso)).toEqual(['00:00', '00:45', '02:00'].map((t) => `2027-03-28T${t}:00.000Z`));
    // Lord Howe springs forward by 30 minutes (02:00 → 02:30), off the hourly grid.
    const LH = 'Australia/Lord_Howe';
    const lh = generateSlots({ timezone: LH, slotMinutes: 60, hours: days([0], '00:30', '05:00'), closures: [], from: local('2026-10-04T00:00', LH), horizonDays: 1 });
    expect(lh.map(iso)).toEqual(['2026-10-03T14:00:00.000Z', '2026-10-03T15:00:00.000Z', '2026-10-03T16:30:00.000Z']);
  });

  it('handles São Paulo midnight changes (2018 spring gap, 2019 repeated hour)', () => {
    const SP = 'America/Sao_Paulo';
    const spring = generateSlots({ timezone: SP, slotMinutes: 60, hours: days([0], '00:00', '03:00'), closures: [], from: local('2018-11-03T12:00', SP), horizonDays: 2 });
    expect(spring.map(iso)).toEqual(['2018-11-04T03:00:00.000Z', '2018-11-04T04:00:00.000Z']); // 00:00 never happened
    const autumn = generateSlots({ timezone: SP, slotMinutes: 60, hours: days([6], '22:00', '24:00'), closures: [], from: local('2019-02-16T00:00', SP), horizonDays: 1 });
    expect(autumn).toHaveLength(2);
    expectWellFormed(autumn, 60);
  });
});

describe('generateSlots rules', () => {
  const TUESDAY = '2027-06-01';
  const base = { timezone: LONDON, closures: [], from: local(`${TUESDAY}T00:00`), horizonDays: 1 };
  const walls = (slots: SlotSpec[]) => slots.map((s) => DateTime.fromJSDate(s.startsAt, { zone: LONDON }).toFormat('HH:mm'));

  it('honours a lunch break given as two rows for one weekday', () => {
    const hours = [...days([2], '08:00', '12:00'), ...days([2], '13:00', '17:00')];
    const slots = generateSlots({ ...base, slotMinutes: 60, hours });
    expect(walls(slots)).toEqual(['08:00', '09:00', '10:00', '11:00', '13:00', '14:00', '15:00', '16:00']);
  });

  it('does not duplicate starts when hour rows overlap', () => {
    const hours = [...days([2], '08:00', '12:00'), ...days([2], '10:00', '14:00')];
    const slots = generateSlots({ ...base, slotMinutes: 60, hours });
    expect(walls(slots)).toEqual(['08:00', '09:00', '10:00', '11:00', '12:00', '13:00']);
  });

  it('skips a closure day entirely and keeps the others', () => {
    const slots = generateSlots({ ...base, slotMinutes: 60, hours: MON_SAT, closures: [{ date: '2027-06-02' }], horizonDays: 3 });
    expect(countPerDay(slots)).toEqual({ '2027-06-01': 9, '2027-06-03': 9 });
  });

  it('steps by slotMinutes and drops a tail that does not fit', () => {
    expect(generateSlots({ ...base, slotMinutes: 30, hours: MON_SAT })).toHaveLength(18);
    expect(generateSlots({ ...base, slotMinutes: 60, hours: MON_SAT })).toHaveLength(9);
    const ninety = generateSlots({ ...base, slotMinutes: 90, hours: days([2], '08:00', '12:00') });
    expect(walls(ninety)).toEqual(['08:00', '09:30']); // 11:00 + 90 would pass 12:00
  });

  it('excludes slots that start before `from`', () => {
    const slots = generateSlots({ ...base, from: local(`${TUESDAY}T11:15`), slotMinutes: 60, hours: MON_SAT });
    expect(walls(slots)).toEqual(['12:00', '13:00', '14:00', '15:00', '16:00']);
    const onTheDot = generateSlots({ ...base, from: local(`${TUESDAY}T16:00`), slotMinutes: 60, hours: MON_SAT });
    expect(walls(onTheDot)).toEqual(['16:00']);
  });

  it('bounds the horizon in local days, starting at the local day of `from`', () => {
    const every = days([0, 1, 2, 3, 4, 5, 6], '08:00', '09:00');
    expect(generateSlots({ ...base, slotMinutes: 60, hours: every, horizonDays: 0 })).toEqual([]);
    expect(Object.keys(countPerDay(generateSlots({ ...base, slotMinutes: 60, hours: every, horizonDays: 7 })))).toHaveLength(7);
    // 23:30Z on 1 June is already 2 June in Auckland: that local day comes first.
    const NZ = 'Pacific/Auckland';
    const nz = generateSlots({ ...base, timezone: NZ, slotMinutes: 60, hours: every, from: new Date('2027-06-01T23:30:00Z'), horizonDays: 2 });
    expect(Object.keys(countPerDay(nz, NZ))).toEqual(['2027-06-03']); // 2 June's 08:00 already passed
  });

  it('throws a plain Error for an invalid time zone', () => {
    expect(() => generateSlots({ ...base, timezone: 'Mars/Olympus', slotMinutes: 60, hours: MON_SAT })).toThrow(Error);
    expect(() => localDayOf(new Date(), 'Not/AZone')).toThrow(/time zone/);
  });

  it('localDayOf uses the workshop calendar, not UTC', () => {
    expect(localDayOf(new Date('2027-06-01T23:30:00Z'), LONDON)).toBe('2027-06-02');
    expect(localDayOf(new Date('2027-06-01T23:30:00Z'), 'America/New_York')).toBe('2027-06-01');
  });

  // ~3,900 generations: a few seconds alone, but on a loaded two-core CI box it has passed 30 s.
  it('is sorted, unique and non-overlapping on every real transition 2018–2028', { timeout: 120_000 }, () => {
    // Includes zones that switch at midnight and by 30 minutes, where naive stepping breaks.
    const zones = [LONDON, 'America/Sao_Paulo', 'America/Havana', 'America/Santiago', 'Asia/Beirut', 'Australia/Lord_Howe', 'America/New_York'];
    const hours = days([0, 1, 2, 3, 4, 5, 6], '00:00', '24:00');
    let transitions = 0;
    for (const zone of zones) {
      for (let d = DateTime.fromISO('2018-01-01', { zone }); d.year < 2029; d = d.plus({ days: 1 })) {
        if (d.offset === d.plus({ days: 1 }).offset) continue;
        transitions++;
        for (const step of [15, 30, 45, 60, 90]) {
          const slots = generateSlots({ timezone: zone, slotMinutes: step, hours, closures: [], from: d.toJSDate(), horizonDays: 2 });
          expectWellFormed(slots, step);
          const overlaps = slots.filter((s, i) => i > 0 && s.startsAt < slots[i - 1]!.endsAt);
          expect(overlaps, `${zone} ${d.toISODate()} every ${step} min`).toEqual([]);
        }
      }
    }
    expect(transitions).toBeGreaterThan(100);
  });
});
