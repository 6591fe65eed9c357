import { describe, expect, it } from 'vitest';
import type { SlotSpec } from './slot-generation';
import { type ExistingSlot, planSlotSync } from './slot-sync-plan';

const NOW = new Date('2027-06-01T10:00:00Z');
const at = (hhmm: string, day = '2027-06-01') => new Date(`${day}T${hhmm}:00Z`);
const spec = (hhmm: string, day?: string): SlotSpec => {
  const startsAt = at(hhmm, day);
  return { startsAt, endsAt: new Date(startsAt.getTime() + 3_600_000) };
};
const slot = (id: string, hhmm: string, capacity: number, booked: number, day?: string, withdrawn = false): ExistingSlot => ({
  id,
  ...spec(hhmm, day),
  capacity,
  booked,
  withdrawn,
});
const desiredHours = (...hhmm: string[]) => hhmm.map((h) => spec(h));

describe('planSlotSync', () => {
  it('creates every desired future slot when none exist, with the bays as capacity', () => {
    const plan = planSlotSync({ desired: desiredHours('11:00', '12:00'), capacity: 3, existing: [], now: NOW });
    expect(plan.create).toEqual([
      { ...spec('11:00'), capacity: 3 },
      { ...spec('12:00'), capacity: 3 },
    ]);
    expect(plan.update).toEqual([]);
    expect(plan.remove).toEqual([]);
  });

  it('does nothing when stored slots already match', () => {
    const existing = [slot('a', '11:00', 3, 0), slot('b', '12:00', 3, 2)];
    const plan = planSlotSync({ desired: desiredHours('11:00', '12:00'), capacity: 3, existing, now: NOW });
    expect(plan).toEqual({ create: [], update: [], remove: [], withdraw: [], reinstate: [] });
  });

  it('creates only the missing slots, matching by instant rather than Date identity', () => {
    const existing = [slot('a', '11:00', 2, 0)];
    const desired = [{ startsAt: new Date(at('11:00').getTime()), endsAt: at('12:00') }, spec('12:00')];
    const plan = planSlotSync({ desired, capacity: 2, existing, now: NOW });
    expect(plan.create.map((c) => c.startsAt.toISOString())).toEqual(['2027-06-01T12:00:00.000Z']);
  });

  it('never creates the same start twice, even if desired repeats it', () => {
    const plan = planSlotSync({ desired: desiredHours('11:00', '11:00', '12:00'), capacity: 2, existing: [], now: NOW });
    expect(plan.create.map((c) => c.startsAt.getTime())).toEqual([at('11:00').getTime(), at('12:00').getTime()]);
  });

  it('does not recreate a start held by a booked or past slot', () => {
    const existing = [slot('past', '09:00', 1, 0), slot('booked', '11:00', 1, 1)];
    const plan = planSlotSync({ desired: desiredHours('09:00', '11:00'), capacity: 4, existing, now: NOW });
    expect(plan.create).toEqual([]);
    // The past slot is history; the booked one may only grow (here to the 4 new bays).
    expect(plan.update).toEqual([{ id: 'booked', capacity: 4 }]);
  });

  it('does not create desired slots that are already in the past', () => {
    const plan = planSlotSync({ desired: desiredHours('08:00', '10:00', '11:00'), capacity: 1, existing: [], now: NOW });
    expect(plan.create.map((c) => c.startsAt.toISOString())).toEqual([
      '2027-06-01T10:00:00.000Z', // starting exactly now is still bookable
      '2027-06-01T11:00:00.000Z',
    ]);
  });

  describe('when the bays change', () => {
    const existing = [
      slot('free', '11:00', 3, 0),
      slot('partly-booked', '12:00', 3, 1),
      slot('full', '13:00', 3, 3),
      slot('past-free', '08:00', 3, 0),
    ];
    const desired = desiredHours('08:00', '11:00', '12:00', '13:00');

    it('resizes free future slots and leaves booked and past ones untouched (fewer bays)', () => {
      const plan = planSlotSync({ desired, capacity: 1, existing, now: NOW });
      expect(plan.update).toEqual([{ id: 'free', capacity: 1 }]);
      expect(plan.remove).toEqual([]);
      expect(plan.create).toEqual([]);
    });

    it('lets booked slots grow with the bays (never shrink), and leaves past ones alone', () => {
      const plan = planSlotSync({ desired, capacity: 5, existing, now: NOW });
      expect(plan.update).toEqual([
        { id: 'free', capacity: 5 },
        { id: 'partly-booked', capacity: 5 },
        { id: 'full', capacity: 5 },
      ]);
    });

    it('gives a free slot its new end when the slot length changes, but never moves a booked one', () => {
      const long = desired.map((d) => ({ startsAt: d.startsAt, endsAt: new Date(d.startsAt.getTime() + 2 * 3600_000) }));
      const plan = planSlotSync({ desired: long, capacity: 3, existing, now: NOW });
      expect(plan.update).toEqual([{ id: 'free', capacity: 3, endsAt: long.find((d) => d.startsAt.getTime() === existing[0]!.startsAt.getTime())!.endsAt }]);
    });
  });

  describe('when the hours shrink', () => {
    const existing = [
      slot('keep', '11:00', 2, 0),
      slot('free-gone', '15:00', 2, 0),
      slot('booked-gone', '16:00', 2, 1),
      slot('past-gone', '07:00', 2, 0),
      slot('next-day-free-gone', '11:00', 2, 0, '2027-06-02'),
    ];

    it('removes only free future slots that are no longer desired', () => {
      const plan = planSlotSync({ desired: desiredHours('11:00'), capacity: 2, existing, now: NOW });
      expect(plan.remove.sort()).toEqual(['free-gone', 'next-day-free-gone']);
      expect(plan.update).toEqual([]);
      expect(plan.create).toEqual([]);
    });

    it('never removes a booked slot even if nothing is desired any more', () => {
      const plan = planSlotSync({ desired: [], capacity: 2, existing, now: NOW });
      expect(plan.remove).not.toContain('booked-gone');
      expect(plan.remove).not.toContain('past-gone');
      expect(plan.remove.sort()).toEqual(['free-gone', 'keep', 'next-day-free-gone']);
    });

    it('withdraws a booked slot the schedule no longer offers, so its spare bays cannot be sold (a closed day)', () => {
      const plan = planSlotSync({ desired: desiredHours('11:00'), capacity: 2, existing, now: NOW });
      expect(plan.withdraw).toEqual(['booked-gone']);
      expect(plan.update.map((u) => u.id)).not.toContain('booked-gone');
      // Once withdrawn with capacity = booked, the next regeneration leaves it be.
      const again = planSlotSync({ desired: [], capacity: 2, existing: [slot('booked-gone', '16:00', 1, 1, undefined, true)], now: NOW });
      expect(again).toEqual({ create: [], update: [], remove: [], withdraw: [], reinstate: [] });
    });
  });

  it('reinstates withdrawn slots when the schedule offers their time again (closure removed), booked or not', () => {
    const existing = [slot('w-booked', '11:00', 1, 1, undefined, true), slot('w-free', '12:00', 0, 0, undefined, true)];
    const plan = planSlotSync({ desired: desiredHours('11:00', '12:00'), capacity: 3, existing, now: NOW });
    expect(plan.reinstate).toEqual([{ id: 'w-booked', capacity: 3 }, { id: 'w-free', capacity: 3 }]);
    expect(plan.create).toEqual([]);
    expect(plan.withdraw).toEqual([]);
  });

  it('removes a withdrawn slot whose bookings all went and whose time is still not offered', () => {
    const plan = planSlotSync({ desired: [], capacity: 2, existing: [slot('w', '11:00', 0, 0, undefined, true)], now: NOW });
    expect(plan.remove).toEqual(['w']);
  });

  it('combines create, update and remove in one plan', () => {
    const existing = [slot('resize', '11:00', 1, 0), slot('drop', '12:00', 1, 0), slot('booked', '13:00', 1, 1)];
    const plan = planSlotSync({ desired: desiredHours('11:00', '14:00'), capacity: 2, existing, now: NOW });
    expect(plan).toEqual({
      create: [{ ...spec('14:00'), capacity: 2 }],
      update: [{ id: 'resize', capacity: 2 }],
      remove: ['drop'],
      withdraw: ['booked'],
      reinstate: [],
    });
  });
});
