import type { ServiceOptions } from '../service-options';
import type { WorkshopStatus } from './workshop';

/** A service on a workshop's menu. */
export interface ServiceView {
  id: string;
  workshopId: string;
  name: string;
  category: string;
  durationMinutes: number;
  basePriceCents: number;
  currency: string;
  options: ServiceOptions;
  active: boolean;
}

export interface OpeningHoursView {
  weekday: number;
  opens: string;
  closes: string;
}

export interface ClosureView {
  id: string;
  date: string;
  reason: string | null;
}

/** A workshop as the catalog shows it. */
export interface WorkshopView {
  id: string;
  ownerId: string;
  name: string;
  slug: string;
  description: string | null;
  city: string;
  address: string;
  lat: number | null;
  lng: number | null;
  timezone: string;
  status: WorkshopStatus;
  bays: number;
  slotMinutes: number;
  holdTtlSeconds: number;
  acceptSlaMinutes: number;
  autoAccept: boolean;
  ratingAvg: number;
  ratingCount: number;
}

/** A workshop in search results: when its next free slot starts (null: nothing free ahead). */
export interface WorkshopListItem extends WorkshopView {
  nextFreeAt: string | null;
}

export interface WorkshopDetailView extends WorkshopView {
  services: ServiceView[];
  hours: OpeningHoursView[];
  closures: ClosureView[];
}
