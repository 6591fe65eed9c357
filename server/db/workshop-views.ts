import type { ClosureView, OpeningHoursView, ServiceView, WorkshopView } from '@shared/schemas/views';
import type { IClosure, IOpeningHours, IService, IWorkshop } from './entities/index';

/**
 * A Postgres `date` as 'YYYY-MM-DD': row_to_json and MikroORM give the string, node-postgres'
 * plain queries a Date at local midnight (read back with local parts, so no zone shifts the day).
 */
export function calendarDate(v: unknown): string | null {
  if (v == null) return null;
  if (v instanceof Date) return `${v.getFullYear()}-${String(v.getMonth() + 1).padStart(2, '0')}-${String(v.getDate()).padStart(2, '0')}`;
  return String(v).slice(0, 10);
}

/** Entity → API view mappers: the only place that knows both shapes. */
export const workshopView = (w: IWorkshop): WorkshopView => ({
  id: w.id,
  ownerId: w.owner.id,
  name: w.name,
  slug: w.slug,
  description: w.description ?? null,
  city: w.city,
  address: w.address,
  lat: w.lat == null ? null : Number(w.lat),
  lng: w.lng == null ? null : Number(w.lng),
  timezone: w.timezone,
  phone: w.phone ?? null,
  email: w.email ?? null,
  status: w.status,
  bays: w.bays,
  slotMinutes: w.slotMinutes,
  holdTtlSeconds: w.holdTtlSeconds,
  acceptSlaMinutes: w.acceptSlaMinutes,
  autoAccept: w.autoAccept,
  autoAcceptMoves: w.autoAcceptMoves,
  ratingAvg: Math.round(Number(w.ratingAvg) * 100) / 100,
  ratingCount: w.ratingCount,
  registrationNumber: w.registrationNumber ?? null,
  insuranceExpiresOn: calendarDate(w.insuranceExpiresOn),
});

export const serviceView = (s: IService): ServiceView => ({
  id: s.id,
  workshopId: s.workshop.id,
  name: s.name,
  category: s.category,
  durationMinutes: s.durationMinutes,
  basePriceCents: s.basePriceCents,
  currency: s.currency,
  options: s.options,
  vehicleConstraints: s.vehicleConstraints ?? null,
  active: s.active,
});

export const hoursView = (h: IOpeningHours): OpeningHoursView => ({ weekday: h.weekday, opens: h.opens, closes: h.closes });

export const closureView = (c: IClosure): ClosureView => ({ id: c.id, date: c.date, reason: c.reason ?? null });

/** Plain-row readers for the hot paths (holds, confirms, snapshots), skipping entity hydration. */
export const WORKSHOP_COLUMNS = `id, owner_id, name, slug, description, city, address, lat, lng, timezone, phone, email, status, bays,
  slot_minutes, hold_ttl_seconds, accept_sla_minutes, auto_accept, auto_accept_moves, rating_avg, rating_count,
  registration_number, insurance_expires_on`;

export const workshopFromRow = (r: Record<string, any>): WorkshopView => ({
  id: r.id,
  ownerId: r.owner_id,
  name: r.name,
  slug: r.slug,
  description: r.description ?? null,
  city: r.city,
  address: r.address,
  lat: r.lat == null ? null : Number(r.lat),
  lng: r.lng == null ? null : Number(r.lng),
  timezone: r.timezone,
  phone: r.phone ?? null,
  email: r.email ?? null,
  status: r.status,
  bays: Number(r.bays),
  slotMinutes: Number(r.slot_minutes),
  holdTtlSeconds: Number(r.hold_ttl_seconds),
  acceptSlaMinutes: Number(r.accept_sla_minutes),
  autoAccept: Boolean(r.auto_accept),
  autoAcceptMoves: Boolean(r.auto_accept_moves),
  ratingAvg: Math.round(Number(r.rating_avg) * 100) / 100,
  ratingCount: Number(r.rating_count),
  registrationNumber: r.registration_number ?? null,
  insuranceExpiresOn: calendarDate(r.insurance_expires_on),
});

export const SERVICE_COLUMNS = 'id, workshop_id, name, category, duration_minutes, base_price_cents, currency, options, vehicle_constraints, active';

export const serviceFromRow = (r: Record<string, any>): ServiceView => ({
  id: r.id,
  workshopId: r.workshop_id,
  name: r.name,
  category: r.category,
  durationMinutes: Number(r.duration_minutes),
  basePriceCents: Number(r.base_price_cents),
  currency: r.currency,
  options: r.options,
  vehicleConstraints: r.vehicle_constraints ?? null,
  active: Boolean(r.active),
});
