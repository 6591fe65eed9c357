import type { BookingEventView } from '@shared/schemas/booking';
import type { StaffRole } from '@shared/schemas/staff';
import type { BookingRecord } from '../domain/booking-ports';
import type { VisitService } from '@shared/visit';

/**
 * A booking's services (a visit) for a query that has the booking as `b` and its first service as
 * `s`: a lateral join giving `v.names` (" + "-joined, the visit's name) and `v.services` (the
 * view's list), read from booking_service; VISIT_NAME and VISIT_SERVICES fall back to the one
 * service for a booking whose rows its transaction has not committed yet.
 */
export const VISIT_JOIN = `
  left join lateral (
    select string_agg(sv.name, ' + ' order by x.position) as names,
           json_agg(json_build_object('serviceId', x.service_id, 'name', sv.name, 'durationMinutes', x.duration_minutes, 'priceCents', x.price_cents) order by x.position) as services
      from booking_service x join service sv on sv.id = x.service_id
     where x.booking_id = b.id) v on true`;
export const VISIT_NAME = 'coalesce(v.names, s.name)';
export const VISIT_SERVICES = `coalesce(v.services, json_build_array(json_build_object('serviceId', b.service_id, 'name', s.name, 'durationMinutes', s.duration_minutes, 'priceCents', b.price_cents)))`;

/** One query shape for every booking read: the row plus the names, services and slots a view needs. */
export const BOOKING_SELECT = `
  select b.*, w.name as workshop_name, w.owner_id, ${VISIT_NAME} as service_name, ${VISIT_SERVICES} as services, u.name as customer_name,
    array(select bs.slot_id::text from booking_slot bs join slot sl on sl.id = bs.slot_id
          where bs.booking_id = b.id order by sl.starts_at) as slot_ids,
    (select coalesce(jsonb_object_agg(m.user_id, m.role), '{}'::jsonb) from workshop_member m where m.workshop_id = b.workshop_id) as staff,
    a.name as assignee_name
  from booking b
  join workshop w on w.id = b.workshop_id
  join service s on s.id = b.service_id
  join "user" u on u.id = b.customer_id
  left join "user" a on a.id = b.assignee_id

  ${VISIT_JOIN}`;

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
  services: VisitService[];
  customer_name: string;
  slot_ids: string[];
  /** Who works in the booking's workshop (user id → role); absent from the confirm's own row. */
  staff?: Record<string, StaffRole>;
  assignee_id?: string | null;
  assignee_name?: string | null;
  bay?: number | null;
}

const iso = (d: Date | string) => new Date(d).toISOString();

export function toBookingRecord(r: BookingRow): BookingRecord {
  return {
    id: r.id,
    workshopId: r.workshop_id,
    workshopName: r.workshop_name,
    ownerId: r.owner_id,
    staff: r.staff ?? {},
    serviceId: r.service_id,
    serviceName: r.service_name,
    services: r.services.map((x) => ({ serviceId: x.serviceId, name: x.name, durationMinutes: Number(x.durationMinutes), priceCents: Number(x.priceCents) })),
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
    assignee: r.assignee_id && r.assignee_name ? { id: r.assignee_id, name: r.assignee_name } : null,
    bay: r.bay ?? null,
  };
}

export interface EventRow {
  type: string;
  at: Date;
  actor_role: string;
  /** Who did it (null: the system, or an account deleted since). */
  actor_name?: string | null;
  data: Record<string, unknown> | null;
}

export const toEventView = (r: EventRow): BookingEventView => ({ type: r.type, at: iso(r.at), actorRole: r.actor_role, actorName: r.actor_name ?? null, data: r.data });
