import type { CreateServiceInput } from '@shared/schemas/service';
import type { CreateWorkshopInput, OpeningHoursInput } from '@shared/schemas/workshop';
import type { ServiceOptionsInput } from '@shared/service-options';

/*
 * Demo data for `npm run seed`. Emails are the identity the seed looks accounts up by, and a
 * workshop's name (per owner) is how it finds workshops again, so renaming either here makes
 * the next run create new records instead of recognising the old ones.
 */

export const DEMO_PASSWORDS = {
  admin: 'holdfast-admin',
  vendor: 'holdfast-vendor',
  customer: 'holdfast-customer',
} as const;

export interface DemoAccount {
  email: string;
  name: string;
}

export const DEMO_ADMIN: DemoAccount = { email: 'admin@holdfast.test', name: 'Holdfast Admin' };

export const DEMO_CUSTOMERS: DemoAccount[] = [
  { email: 'customer1@holdfast.test', name: 'Amelia Clarke' },
  { email: 'customer2@holdfast.test', name: 'Oliver Bennett' },
  { email: 'customer3@holdfast.test', name: 'Isla Murray' },
  { email: 'customer4@holdfast.test', name: 'Noah Patel' },
  { email: 'customer5@holdfast.test', name: 'Grace Evans' },
];

/** Weekday 0 is Sunday (the slot generator's convention): Mon–Fri 08–18, Sat 09–13, Sun closed. */
export const DEMO_HOURS: OpeningHoursInput = [
  ...[1, 2, 3, 4, 5].map((weekday) => ({ weekday, opens: '08:00', closes: '18:00' })),
  { weekday: 6, opens: '09:00', closes: '13:00' },
];

// Multipliers are what the shared pricing applies; "standard"/"normal" are listed so the
// client can show them as explicit choices rather than as an absent option.
const SKILL_TIERS: ServiceOptionsInput['skillTiers'] = [
  { id: 'standard', label: 'Standard', multiplier: 1 },
  { id: 'master', label: 'Master technician', multiplier: 1.25 },
];
const URGENCY: ServiceOptionsInput['urgency'] = [
  { id: 'normal', label: 'Normal', multiplier: 1 },
  { id: 'same-day', label: 'Same day', multiplier: 1.5, todayOnly: true },
];
const TIERED = { skillTiers: SKILL_TIERS, urgency: URGENCY };

const gbp = (pounds: number) => Math.round(pounds * 100);
const svc = (s: Omit<CreateServiceInput, 'currency'>): CreateServiceInput => ({ ...s, currency: 'GBP' });

const OIL = svc({ name: 'Oil & filter change', category: 'maintenance', durationMinutes: 30, basePriceCents: gbp(59), options: { urgency: URGENCY } });
const BRAKES = svc({ name: 'Brake pads – front', category: 'brakes', durationMinutes: 90, basePriceCents: gbp(149), options: TIERED });
const MOT = svc({ name: 'MOT test', category: 'inspection', durationMinutes: 60, basePriceCents: gbp(54.85) });
const TYRES = svc({ name: 'Tyre fitting', category: 'tyres', durationMinutes: 30, basePriceCents: gbp(20), options: { urgency: URGENCY } });
const DIAG = svc({ name: 'Diagnostics', category: 'diagnostics', durationMinutes: 60, basePriceCents: gbp(65), options: TIERED });

export interface DemoWorkshop {
  vendor: DemoAccount;
  workshop: CreateWorkshopInput;
  services: CreateServiceInput[];
}

const LONDON = 'Europe/London';

export const DEMO_WORKSHOPS: DemoWorkshop[] = [
  {
    vendor: { email: 'vendor1@holdfast.test', name: 'Priya Shah' },
    workshop: {
      name: 'Brightside Motors',
      description: 'Independent family garage near the city centre: servicing, brakes and MOTs while you wait.',
      city: 'Leeds',
      address: '14 Kirkstall Road, Leeds LS3 1LH',
      phone: '0113 496 0142',
      email: 'desk@brightside-motors.example',
      lat: 53.8031,
      lng: -1.5672,
      timezone: LONDON,
      registrationNumber: 'GB-08123401',
      bays: 3,
      holdTtlSeconds: 120,
      autoAccept: false,
    },
    services: [OIL, BRAKES, MOT, DIAG],
  },
  {
    vendor: { email: 'vendor2@holdfast.test', name: 'Callum Reid' },
    workshop: {
      name: 'Castle Autocare',
      description: 'Two-bay workshop under the castle: diagnostics specialists for modern petrol, diesel and hybrid cars.',
      city: 'Edinburgh',
      address: '27 Dalry Road, Edinburgh EH11 2BQ',
      phone: '0131 496 0027',
      email: 'hello@castle-autocare.example',
      lat: 55.9425,
      lng: -3.2186,
      timezone: LONDON,
      registrationNumber: 'GB-08123402',
      bays: 2,
      holdTtlSeconds: 120,
      autoAccept: false,
    },
    services: [DIAG, OIL, TYRES, BRAKES],
  },
  {
    vendor: { email: 'vendor3@holdfast.test', name: 'Tom Hughes' },
    workshop: {
      name: 'Harbour Garage',
      description: 'Four bays by the harbourside: tyres, MOTs and quick servicing; bookings are confirmed instantly.',
      city: 'Bristol',
      address: '8 Cumberland Road, Bristol BS1 6UF',
      phone: '0117 496 0808',
      email: 'bookings@harbour-garage.example',
      lat: 51.4468,
      lng: -2.604,
      timezone: LONDON,
      registrationNumber: 'GB-08123403',
      bays: 4,
      holdTtlSeconds: 120,
      // The one auto-accepting workshop, so the demo shows both booking flows.
      autoAccept: true,
    },
    services: [TYRES, MOT, OIL, BRAKES, DIAG],
  },
];
