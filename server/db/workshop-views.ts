import type { ClosureView, OpeningHoursView, ServiceView, WorkshopView } from '@shared/schemas/views';
import type { IClosure, IOpeningHours, IService, IWorkshop } from './entities/index';

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
  status: w.status,
  bays: w.bays,
  slotMinutes: w.slotMinutes,
  holdTtlSeconds: w.holdTtlSeconds,
  acceptSlaMinutes: w.acceptSlaMinutes,
  autoAccept: w.autoAccept,
  ratingAvg: Math.round(Number(w.ratingAvg) * 100) / 100,
  ratingCount: w.ratingCount,
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
  active: s.active,
});

export const hoursView = (h: IOpeningHours): OpeningHoursView => ({ weekday: h.weekday, opens: h.opens, closes: h.closes });

export const closureView = (c: IClosure): ClosureView => ({ id: c.id, date: c.date, reason: c.reason ?? null });
