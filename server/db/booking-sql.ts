import type { BookingEventView } from '@shared/schemas/booking';
import type { BookingRecord } from '../domain/booking-ports';

/** One query shape for every booking read: the row plus the names and slots a view needs. */
export const BOOKING_SELECT = `
  select b.*, w.name as workshop_name, w.owner_id, s.name as service_name, u.name as customer_name,
    array(select bs.slot_id::text from booking_slot bs join slot sl on sl.id = bs.slot_id
          where bs.booking_id = b.id order by sl.starts_at) as slot_ids
  from booking b
  join workshop w on w.id = b.workshop_id
  join service s on s.id = b.service_id
  join "user" u on u.id = b.customer_id`;

export interface BookingRow {
  id: string;
  customer_id: string;
  workshop_id: string;
  service_id: string;
  slot_count: number;
  starts_at: Date;
  ends_at: Date;
  status: BookingRecord['status'];
  price_cents: number;
  currency: string;
  options: BookingRecord['options'];
  vehicle: BookingRecord['vehicle'];
  notes: string | null;
  version: number;
  accept_deadline: Date | null;
  moves_booking_id?: string | null;
  created_at: Date;
  workshop_name: string;
  owner_id: string;
  service_name: string;
  customer_name: string;
  slot_ids: string[];
}

const iso = (d: Date | string) => new Date(d).toISOString();

export function toBookingRecord(r: BookingRow): BookingRecord {
  return {
    id: r.id,
    workshopId: r.workshop_id,
    workshopName: r.workshop_name,
    ownerId: r.owner_id,
    serviceId: r.service_id,
    serviceName: r.service_name,
    customerId: r.customer_id,
    customerName: r.customer_name,
    status: r.status,
    startsAt: iso(r.starts_at),
    endsAt: iso(r.ends_at),
    slotIds: r.slot_ids,
    slotCount: r.slot_count,
    priceCents: r.price_cents,
    currency: r.currency,
    options: r.options ?? {},
    vehicle: r.vehicle ?? null,
    notes: r.notes,
    version: r.version,
    createdAt: iso(r.created_at),
    acceptDeadline: r.accept_deadline ? iso(r.accept_deadline) : null,
    movesBookingId: r.moves_booking_id ?? null,
  };
}

export interface EventRow {
  type: string;
  at: Date;
  actor_role: string;
  data: Record<string, unknown> | null;
}

export const toEventView = (r: EventRow): BookingEventView => ({ type: r.type, at: iso(r.at), actorRole: r.actor_role, data: r.data });
