import { matchPath } from './router.svelte';

/*
 * What a visitor was doing when they were asked to sign in: holding one slot of a workshop
 * with a service and its options. It travels in the `next` path through sign-in and sign-up,
 * so they come back to the same screen with the slot held (or picked out, if it went).
 */

export interface HoldIntent {
  workshopId: string;
  slotId: string;
  serviceId: string;
  /** The slot's start (ISO): only for the words on the sign-in screen. */
  at: string;
  skillTier?: string;
  urgency?: string;
}

/** The workshop path that carries the intent, e.g. `/workshops/w1?hold=s1&service=…&at=…`. */
export function intentPath(i: HoldIntent): string {
  const q = new URLSearchParams({ hold: i.slotId, service: i.serviceId, at: i.at });
  if (i.skillTier) q.set('tier', i.skillTier);
  if (i.urgency) q.set('urgency', i.urgency);
  return `/workshops/${encodeURIComponent(i.workshopId)}?${q}`;
}

/** The intent in a `next` path, or null when it carries none (or is malformed). */
export function parseIntent(next: string | null): HoldIntent | null {
  if (!next || !next.startsWith('/')) return null;
  const [path = '', search = ''] = next.split('?');
  const m = matchPath('/workshops/:id', path);
  const q = new URLSearchParams(search);
  const slotId = q.get('hold');
  const serviceId = q.get('service');
  const at = q.get('at') ?? '';
  if (!m?.id || !slotId || !serviceId || Number.isNaN(Date.parse(at))) return null;
  return { workshopId: m.id, slotId, serviceId, at, skillTier: q.get('tier') ?? undefined, urgency: q.get('urgency') ?? undefined };
}

/** `/signin` or `/signup` that returns to `next` afterwards. */
export const authPath = (mode: 'signin' | 'signup', next: string | null) => (next ? `/${mode}?next=${encodeURIComponent(next)}` : `/${mode}`);
