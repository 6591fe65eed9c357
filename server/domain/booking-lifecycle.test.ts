import { describe, expect, it } from 'vitest';
import {
  BOOKING_ACTIONS,
  BOOKING_STATUSES,
  type BookingStatus,
  type LifecycleAction,
} from '@shared/booking-status';
import {
  allowedActions,
  decideReschedule,
  decideTransition,
  isTerminal,
  requireReschedulable,
  requireTransition,
  type LifecycleRole,
  type LifecycleTiming,
} from './booking-lifecycle';
import { DomainError } from './errors';

const ROLES: LifecycleRole[] = ['customer', 'vendor', 'admin', 'system'];
const ACTIONS: LifecycleAction[] = [...BOOKING_ACTIONS, 'expire', 'workshop-cancel'];
const TERMINAL: BookingStatus[] = ['completed', 'declined', 'cancelled', 'expired', 'no_show'];

// Fixed instants (no real clock): a booking starting at START, looked at half an hour before
// it and half an hour after it. State and role rules do not depend on the time.
const MIN = 60_000;
const START = Date.UTC(2027, 2, 28, 9, 0);
const BEFORE: LifecycleTiming = { now: START - 30 * MIN, startsAt: START };
const AFTER: LifecycleTiming = { now: START + 30 * MIN, startsAt: START };
const at = (offsetMinutes: number): LifecycleTiming => ({ now: START + offsetMinutes * MIN, startsAt: START });
/** A time at which an allowed row's window is open: no-shows after the start, the rest before. */
const timeFor = (action: LifecycleAction) => (action === 'no-show' ? AFTER : BEFORE);

// Written out by hand from the lifecycle rules, deliberately not derived from the
// implementation's table, so a typo there cannot make the test agree with itself.
type Row = [from: BookingStatus, action: LifecycleAction, role: LifecycleRole, to: BookingStatus, returns: boolean];
const ALLOWED: Row[] = [
  ['pending', 'accept', 'vendor', 'accepted', false],
  ['pending', 'accept', 'admin', 'accepted', false],
  ['pending', 'decline', 'vendor', 'declined', true],
  ['pending', 'decline', 'admin', 'declined', true],
  ['pending', 'cancel', 'customer', 'cancelled', true],
  ['pending', 'cancel', 'admin', 'cancelled', true],
  ['pending', 'expire', 'system', 'expired', true],
  ['pending', 'workshop-cancel', 'vendor', 'cancelled', true],
  ['accepted', 'workshop-cancel', 'vendor', 'cancelled', true],
  ['accepted', 'cancel', 'customer', 'cancelled', true],
  ['accepted', 'cancel', 'admin', 'cancelled', true],
  ['accepted', 'start', 'vendor', 'in_progress', false],
  ['accepted', 'start', 'admin', 'in_progress', false],
  ['accepted', 'no-show', 'vendor', 'no_show', false],
  ['accepted', 'no-show', 'admin', 'no_show', false],
  ['in_progress', 'complete', 'vendor', 'completed', false],
  ['in_progress', 'complete', 'admin', 'completed', false],
];

const key = (from: string, action: string, role: string) => `${from}|${action}|${role}`;
const allowedKeys = new Set(ALLOWED.map(([f, a, r]) => key(f, a, r)));
// (from, action) pairs that some role may take: any other role gets FORBIDDEN there.
const existingPairs = new Set(ALLOWED.map(([f, a]) => `${f}|${a}`));

const rejected: [BookingStatus, LifecycleAction, LifecycleRole, 'FORBIDDEN' | 'INVALID_TRANSITION'][] = [];
for (const from of BOOKING_STATUSES)
  for (const action of ACTIONS)
    for (const role of ROLES)
      if (!allowedKeys.has(key(from, action, role)))
        rejected.push([from, action, role, existingPairs.has(`${from}|${action}`) ? 'FORBIDDEN' : 'INVALID_TRANSITION']);

describe('decideTransition', () => {
  it('covers the whole status × action × role space', () => {
    expect(ALLOWED.length + rejected.length).toBe(BOOKING_STATUSES.length * ACTIONS.length * ROLES.length);
    expect(rejected.length).toBe(8 * 8 * 4 - ALLOWED.length);
  });

  it.each(ALLOWED)('%s --%s by %s--> %s (returnsCapacity %s)', (from, action, role, to, returns) => {
    expect(decideTransition(from, action, role, timeFor(action))).toEqual({ ok: true, to, returnsCapacity: returns });
  });

  it.each(rejected)('%s --%s by %s is rejected with %s', (from, action, role, code) => {
    expect(decideTransition(from, action, role, BEFORE)).toEqual({ ok: false, code });
    expect(decideTransition(from, action, role, AFTER)).toEqual({ ok: false, code });
  });

  it('returns capacity exactly for decline, cancel (the customer\'s or the workshop\'s) and expire', () => {
    for (const [from, action, role] of ALLOWED) {
      const d = decideTransition(from, action, role, timeFor(action));
      expect(d.ok && d.returnsCapacity).toBe(['decline', 'cancel', 'expire', 'workshop-cancel'].includes(action));
    }
  });

  it('lets the workshop cancel only before the start', () => {
    expect(decideTransition('accepted', 'workshop-cancel', 'vendor', AFTER)).toMatchObject({ ok: false, code: 'TOO_LATE' });
  });

  it('does not let a customer cancel once work has started', () => {
    expect(decideTransition('in_progress', 'cancel', 'customer', BEFORE)).toEqual({ ok: false, code: 'INVALID_TRANSITION' });
  });

  it('never lets people expire a booking, nor the system act for people', () => {
    for (const role of ['customer', 'vendor', 'admin'] as const)
      expect(decideTransition('pending', 'expire', role, BEFORE)).toEqual({ ok: false, code: 'FORBIDDEN' });
    expect(decideTransition('pending', 'accept', 'system', BEFORE)).toEqual({ ok: false, code: 'FORBIDDEN' });
  });
});

describe('terminal states', () => {
  it.each(TERMINAL)('%s allows nothing to anyone', (status) => {
    expect(isTerminal(status)).toBe(true);
    for (const role of ROLES) {
      expect(allowedActions(status, role, BEFORE)).toEqual([]);
      expect(allowedActions(status, role, AFTER)).toEqual([]);
      for (const action of ACTIONS)
        expect(decideTransition(status, action, role, AFTER)).toEqual({ ok: false, code: 'INVALID_TRANSITION' });
    }
  });

  it('active states are not terminal', () => {
    for (const status of ['pending', 'accepted', 'in_progress'] as const) expect(isTerminal(status)).toBe(false);
  });
});

describe('allowedActions', () => {
  // Half an hour before the start (BEFORE) and half an hour after it (AFTER).
  it.each([
    ['pending', 'vendor', BEFORE, ['accept', 'decline']],
    ['pending', 'customer', BEFORE, ['cancel']],
    ['pending', 'customer', AFTER, []],
    ['pending', 'admin', BEFORE, ['accept', 'decline', 'cancel']],
    ['pending', 'system', BEFORE, []], // expire is a system action, never a button
    ['accepted', 'vendor', BEFORE, ['start']],
    ['accepted', 'vendor', AFTER, ['start', 'no-show']],
    ['accepted', 'customer', BEFORE, ['cancel']],
    ['accepted', 'customer', AFTER, []],
    ['accepted', 'admin', AFTER, ['cancel', 'start', 'no-show']],
    ['in_progress', 'vendor', BEFORE, ['complete']],
    ['in_progress', 'customer', BEFORE, []],
    ['in_progress', 'admin', AFTER, ['complete']],
  ] as const)('%s for %s at %j → %j', (status, role, timing, expected) => {
    expect(allowedActions(status, role, timing)).toEqual(expected);
  });

  it('agrees with decideTransition for every status, role and time', () => {
    for (const timing of [BEFORE, AFTER, at(-3 * 24 * 60)])
      for (const status of BOOKING_STATUSES)
        for (const role of ROLES)
          expect(allowedActions(status, role, timing)).toEqual(
            BOOKING_ACTIONS.filter((a) => decideTransition(status, a, role, timing).ok),
          );
  });
});

describe('time windows: one table for the server and the buttons', () => {
  it('work starts no earlier than an hour before the booked time, never days early', () => {
    expect(decideTransition('accepted', 'start', 'vendor', at(-2 * 24 * 60))).toEqual({ ok: false, code: 'TOO_EARLY', opensAt: START - 60 * MIN });
    expect(decideTransition('accepted', 'start', 'vendor', at(-61))).toMatchObject({ ok: false, code: 'TOO_EARLY' });
    expect(decideTransition('accepted', 'start', 'vendor', at(-60))).toMatchObject({ ok: true, to: 'in_progress' });
    expect(decideTransition('accepted', 'start', 'admin', at(180))).toMatchObject({ ok: true });
  });

  it('a job cannot be completed before its time either', () => {
    expect(decideTransition('in_progress', 'complete', 'vendor', at(-2 * 24 * 60))).toMatchObject({ ok: false, code: 'TOO_EARLY' });
    expect(decideTransition('in_progress', 'complete', 'vendor', at(45))).toMatchObject({ ok: true, to: 'completed' });
  });

  it('a no-show is marked only after the start plus a grace period', () => {
    expect(decideTransition('accepted', 'no-show', 'vendor', at(-60))).toEqual({ ok: false, code: 'TOO_EARLY', opensAt: START + 15 * MIN });
    expect(decideTransition('accepted', 'no-show', 'vendor', at(14))).toMatchObject({ ok: false, code: 'TOO_EARLY' });
    expect(decideTransition('accepted', 'no-show', 'admin', at(15))).toMatchObject({ ok: true, to: 'no_show' });
  });

  it('customers cancel until the start; admins can still cancel afterwards', () => {
    expect(decideTransition('accepted', 'cancel', 'customer', at(-1))).toMatchObject({ ok: true });
    expect(decideTransition('accepted', 'cancel', 'customer', at(0))).toEqual({ ok: false, code: 'TOO_LATE', closedAt: START });
    expect(decideTransition('pending', 'cancel', 'customer', AFTER)).toMatchObject({ ok: false, code: 'TOO_LATE' });
    expect(decideTransition('accepted', 'cancel', 'admin', AFTER)).toMatchObject({ ok: true });
  });

  it('time never overrides state or role: the role and state answers come first', () => {
    expect(decideTransition('accepted', 'start', 'customer', at(-3000))).toEqual({ ok: false, code: 'FORBIDDEN' });
    expect(decideTransition('completed', 'start', 'vendor', at(-3000))).toEqual({ ok: false, code: 'INVALID_TRANSITION' });
  });

  it('a booking can be moved while pending or accepted and only before it starts', () => {
    expect(decideReschedule('pending', BEFORE)).toEqual({ ok: true });
    expect(decideReschedule('accepted', BEFORE)).toEqual({ ok: true });
    expect(decideReschedule('accepted', at(0))).toEqual({ ok: false, code: 'TOO_LATE' });
    expect(decideReschedule('in_progress', BEFORE)).toEqual({ ok: false, code: 'INVALID_TRANSITION' });
    expect(() => requireReschedulable('accepted', AFTER)).toThrow(/already started/);
  });
});

describe('requireTransition', () => {
  it('returns the target state when allowed', () => {
    expect(requireTransition('pending', 'accept', 'vendor', BEFORE)).toEqual({ to: 'accepted', returnsCapacity: false });
  });

  it.each([
    ['pending', 'accept', 'customer', BEFORE, 'FORBIDDEN'],
    ['completed', 'cancel', 'customer', BEFORE, 'INVALID_TRANSITION'],
    ['accepted', 'start', 'vendor', at(-24 * 60), 'TOO_EARLY'],
    ['accepted', 'cancel', 'customer', AFTER, 'INVALID_TRANSITION'],
  ] as const)('%s --%s by %s at %j throws %s', (from, action, role, timing, code) => {
    let caught: unknown;
    try {
      requireTransition(from, action, role, timing);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DomainError);
    expect((caught as DomainError).code).toBe(code);
  });
});
