import { z } from 'zod';
import { priceFor, type OptionChoice, type ServiceOptions } from './service-options';

/*
 * A visit: one booking for one or more services of one workshop, done back to back. Its duration
 * is the sum of the services' durations (one consecutive run of slots on one day), its price the
 * sum of each service's price for its own option choice. Shared so the workshop page shows the
 * total the server holds and charges.
 */

/** The most services one visit (one hold, one booking) may name. */
export const MAX_VISIT_SERVICES = 5;

/** One service of a booking, as the booking recorded it (its price when it was held). */
export const visitServiceSchema = z.strictObject({
  serviceId: z.uuid(),
  name: z.string(),
  durationMinutes: z.int(),
  priceCents: z.int(),
});
export type VisitService = z.infer<typeof visitServiceSchema>;

/** What summing needs of a service. */
export type VisitServiceFacts = { id: string; name: string; durationMinutes: number; basePriceCents: number; currency: string; options: ServiceOptions };

export type VisitItem = { serviceId: string; name: string; durationMinutes: number; priceCents: number; options: OptionChoice };

export type VisitTotal =
  | { ok: true; items: VisitItem[]; durationMinutes: number; priceCents: number; currency: string }
  | { ok: false; reason: string; serviceId?: string };

/**
 * The visit's services in order with each one's price for its choice, and the sums. Refuses an
 * empty visit, one service twice, mixed currencies, and a choice a service does not offer.
 */
export function visitTotal(services: readonly VisitServiceFacts[], choiceOf: (serviceId: string) => OptionChoice = () => ({})): VisitTotal {
  if (services.length === 0) return { ok: false, reason: 'A visit needs at least one service' };
  const seen = new Set<string>();
  const items: VisitItem[] = [];
  let priceCents = 0;
  let durationMinutes = 0;
  const currency = services[0]!.currency;
  for (const s of services) {
    if (seen.has(s.id)) return { ok: false, reason: `${s.name} is in the visit twice`, serviceId: s.id };
    seen.add(s.id);
    if (s.currency !== currency) return { ok: false, reason: `${s.name} is priced in ${s.currency}, the rest of the visit in ${currency}`, serviceId: s.id };
    const options = choiceOf(s.id);
    const price = priceFor(s.basePriceCents, s.options, options);
    if (!price.ok) return { ok: false, reason: services.length > 1 ? `${s.name}: ${price.reason}` : price.reason, serviceId: s.id };
    priceCents += price.priceCents;
    durationMinutes += s.durationMinutes;
    items.push({ serviceId: s.id, name: s.name, durationMinutes: s.durationMinutes, priceCents: price.priceCents, options });
  }
  if (!Number.isSafeInteger(priceCents)) return { ok: false, reason: 'Price is too large' };
  return { ok: true, items, durationMinutes, priceCents, currency };
}

/** How many consecutive slots of `slotMinutes` a visit of `durationMinutes` takes (at least one). */
export function slotsNeeded(durationMinutes: number, slotMinutes: number): number {
  return Math.max(1, Math.ceil(durationMinutes / slotMinutes));
}

/** A visit's name on one line ("Oil change + MOT test"), as mail, calendars and exports show it. */
export const visitName = (names: readonly string[]) => names.join(' + ');
