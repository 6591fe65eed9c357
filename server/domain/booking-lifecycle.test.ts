import { describe, expect, it } from 'vitest';
import {
  BOOKING_ACTIONS,
  BOOKING_STATUSES,
  type BookingStatus,
  type LifecycleAction,
} from '@shared/booking-status';
import {
  allowedActions,
  decideTransition,
  isTerminal,
  requireTransition,
  type LifecycleRole,
} from './booking-lifecycle';
import { DomainError } from './errors';

const ROLES: LifecycleRole[] = ['customer', 'vendor', 'admin', 'system'];
const ACTIONS: LifecycleAction[] = [...BOOKING_ACTIONS, 'expire'];
const TERMINAL: BookingStatus[] = ['completed', 'declined', 'cancelled', 'expired', 'no_show'];

// Written out by hand from DESIGN §6 and the brief, deliberately not derived from the
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
    expect(rejected.length).toBe(8 * 7 * 4 - ALLOWED.length);
  });

  it.each(ALLOWED)('%s --%s by %s--> %s (returnsCapacity %s)', (from, action, role, to, returns) => {
    expect(decideTransition(from, action, role)).toEqual({ ok: true, to, returnsCapacity: returns });
  });

  it.each(rejected)('%s --%s by %s is rejected with %s', (from, action, role, code) => {
    expect(decideTransition(from, action, role)).toEqual({ ok: false, code });
  });

  it('returns capacity exactly for decline, cancel and expire', () => {
    for (const [from, action, role] of ALLOWED) {
      const d = decideTransition(from, action, role);
      expect(d.ok && d.returnsCapacity).toBe(['decline', 'cancel', 'expire'].includes(action));
    }
  });

  it('does not let a customer cancel once work has started', () => {
    expect(decideTransition('in_progress', 'cancel', 'customer')).toEqual({ ok: false, code: 'INVALID_TRANSITION' });
  });

  it('never lets people expire a booking, nor the system act for people', () => {
    for (const role of ['customer', 'vendor', 'admin'] as const)
      expect(decideTransition('pending', 'expire', role)).toEqual({ ok: false, code: 'FORBIDDEN' });
    expect(decideTransition('pending', 'accept', 'system')).toEqual({ ok: false, code: 'FORBIDDEN' });
  });
});

describe('terminal states', () => {
  it.each(TERMINAL)('%s allows nothing to anyone', (status) => {
    expect(isTerminal(status)).toBe(true);
    for (const role of ROLES) {
      expect(allowedActions(status, role)).toEqual([]);
      for (const action of ACTIONS)
        expect(decideTransition(status, action, role)).toEqual({ ok: false, code: 'INVALID_TRANSITION' });
    }
  });

  it('active states are not terminal', () => {
    for (const status of ['pending', 'accepted', 'in_progress'] as const) expect(isTerminal(status)).toBe(false);
  });
});

describe('allowedActions', () => {
  it.each([
    ['pending', 'vendor', ['accept', 'decline']],
    ['pending', 'customer', ['cancel']],
    ['pending', 'admin', ['accept', 'decline', 'cancel']],
    ['pending', 'system', []], // expire is a system action, never a button
    ['accepted', 'vendor', ['start', 'no-show']],
    ['accepted', 'customer', ['cancel']],
    ['accepted', 'admin', ['cancel', 'start', 'no-show']],
    ['in_progress', 'vendor', ['complete']],
    ['in_progress', 'customer', []],
    ['in_progress', 'admin', ['complete']],
  ] as const)('%s for %s → %j', (status, role, expected) => {
    expect(allowedActions(status, role)).toEqual(expected);
  });

  it('agrees with decideTransition for every status and role', () => {
    for (const status of BOOKING_STATUSES)
      for (const role of ROLES)
        expect(allowedActions(status, role)).toEqual(
          BOOKING_ACTIONS.filter((a) => allowedKeys.has(key(status, a, role))),
        );
  });
});

describe('requireTransition', () => {
  it('returns the target state when allowed', () => {
    expect(requireTransition('pending', 'accept', 'vendor')).toEqual({ to: 'accepted', returnsCapacity: false });
  });

  it.each([
    ['pending', 'accept', 'customer', 'FORBIDDEN'],
    ['completed', 'cancel', 'customer', 'INVALID_TRANSITION'],
  ] as const)('%s --%s by %s throws %s', (from, action, role, code) => {
    let caught: unknown;
    try {
      requireTransition(from, action, role);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DomainError);
    expect((caught as DomainError).code).toBe(code);
  });
});
