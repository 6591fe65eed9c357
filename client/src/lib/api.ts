import type { ErrorCode } from '@shared/errors';
import type { AvailabilitySnapshot } from '@shared/availability';
import type { BoardSnapshot } from '@shared/realtime/events';
import type { BookingAction, BookingStatus } from '@shared/booking-status';
import type { LoginInput, PublicUser, RegisterInput } from '@shared/schemas/auth';
import type { BookingDetailView, BookingView, ConfirmBookingInput, CreateHoldInput, HoldView } from '@shared/schemas/booking';
import type { CreateServiceInput, UpdateServiceInput } from '@shared/schemas/service';
import type { ReviewInput, ReviewView } from '@shared/schemas/review';
import type { ClosureView, OpeningHoursView, ServiceView, WorkshopDetailView, WorkshopListItem, WorkshopView } from '@shared/schemas/views';
import type { ClosureInput, CreateWorkshopInput, OpeningHoursInput, UpdateWorkshopInput, WorkshopStatus, workshopSearchSchema } from '@shared/schemas/workshop';
import type { z } from 'zod';

export type WorkshopSearch = z.input<typeof workshopSearchSchema>;

/*
 * The one place that speaks HTTP. Same-origin fetch carries the HttpOnly `hf_token`
 * cookie, so nothing here ever sees the token. Every failure becomes an ApiError with the
 * server's error code, so screens branch on codes (SLOT_UNAVAILABLE…), never on statuses.
 */

/** A failed request: the server's `{error: {code, message}}`, or NETWORK when it never answered. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | 'NETWORK',
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

type Query = Record<string, string | number | undefined | null>;

function qs(q: Query = {}): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

async function request<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'NETWORK', 'Cannot reach Holdfast. Check your connection and try again.');
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON (a proxy's error page): fall through to the generic error */
  }
  if (!res.ok) {
    const err = (json as { error?: { code?: ErrorCode; message?: string; details?: unknown } } | null)?.error;
    throw new ApiError(res.status, err?.code ?? 'INTERNAL', err?.message ?? `Request failed (${res.status})`, err?.details);
  }
  return json as T;
}

const get = <T>(path: string) => request<T>('GET', path);
const post = <T>(path: string, body?: unknown, headers?: Record<string, string>) => request<T>('POST', path, body, headers);

export interface BookingQuery {
  status?: BookingStatus;
  workshopId?: string;
  from?: string;
  to?: string;
  limit?: number;
}

/** Typed endpoints; response shapes come from shared/ so client and server never drift. */
export const api = {
  auth: {
    register: (input: RegisterInput) => post<{ user: PublicUser }>('/api/auth/register', input),
    login: (input: LoginInput) => post<{ user: PublicUser }>('/api/auth/login', input),
    logout: () => post<void>('/api/auth/logout'),
    me: () => get<{ user: PublicUser }>('/api/me'),
  },
  workshops: {
    search: (q: WorkshopSearch) => get<{ workshops: WorkshopListItem[] }>(`/api/workshops${qs(q)}`),
    get: (id: string) => get<{ workshop: WorkshopDetailView }>(`/api/workshops/${id}`),
    availability: (id: string, from?: string, to?: string) =>
      get<AvailabilitySnapshot>(`/api/workshops/${id}/availability${qs({ from, to })}`),
    reviews: (id: string, limit = 10) => get<{ reviews: ReviewView[] }>(`/api/workshops/${id}/reviews${qs({ limit })}`),
  },
  holds: {
    create: (input: CreateHoldInput) => post<{ hold: HoldView }>('/api/holds', input),
    mine: () => get<{ holds: HoldView[] }>('/api/holds'),
    release: (id: string) => request<void>('DELETE', `/api/holds/${id}`),
    extend: (id: string) => post<{ hold: HoldView }>(`/api/holds/${id}/extend`),
  },
  bookings: {
    confirm: (input: ConfirmBookingInput, idempotencyKey: string) =>
      post<{ booking: BookingView }>('/api/bookings', input, { 'Idempotency-Key': idempotencyKey }),
    list: (q: BookingQuery = {}) => get<{ bookings: BookingView[] }>(`/api/bookings${qs({ ...q })}`),
    get: (id: string) => get<{ booking: BookingDetailView }>(`/api/bookings/${id}`),
    act: (id: string, action: BookingAction) => post<{ booking: BookingView }>(`/api/bookings/${id}/${action}`),
    reschedule: (id: string, holdId: string) => post<{ booking: BookingView }>(`/api/bookings/${id}/reschedule`, { holdId }),
    review: (id: string, input: ReviewInput) => post<{ review: ReviewView }>(`/api/bookings/${id}/review`, input),
    reviewOf: (id: string) => get<{ review: ReviewView | null }>(`/api/bookings/${id}/review`),
  },
  vendor: {
    workshops: () => get<{ workshops: WorkshopView[] }>('/api/vendor/workshops'),
    create: (input: CreateWorkshopInput) => post<{ workshop: WorkshopView }>('/api/workshops', input),
    update: (id: string, patch: UpdateWorkshopInput) => request<{ workshop: WorkshopView }>('PATCH', `/api/workshops/${id}`, patch),
    setHours: (id: string, rows: OpeningHoursInput) => request<{ hours: OpeningHoursView[] }>('PUT', `/api/workshops/${id}/hours`, rows),
    addClosure: (id: string, input: ClosureInput) => post<{ closure: ClosureView }>(`/api/workshops/${id}/closures`, input),
    removeClosure: (id: string, closureId: string) => request<void>('DELETE', `/api/workshops/${id}/closures/${closureId}`),
    createService: (id: string, input: CreateServiceInput) => post<{ service: ServiceView }>(`/api/workshops/${id}/services`, input),
    updateService: (id: string, serviceId: string, patch: UpdateServiceInput) =>
      request<{ service: ServiceView }>('PATCH', `/api/workshops/${id}/services/${serviceId}`, patch),
    retireService: (id: string, serviceId: string) => request<void>('DELETE', `/api/workshops/${id}/services/${serviceId}`),
  },
  admin: {
    workshops: (status?: WorkshopStatus) => get<{ workshops: WorkshopView[] }>(`/api/admin/workshops${qs({ status })}`),
    verify: (id: string) => post<{ workshop: WorkshopView }>(`/api/admin/workshops/${id}/verify`),
    suspend: (id: string) => post<{ workshop: WorkshopView }>(`/api/admin/workshops/${id}/suspend`),
    board: () => get<BoardSnapshot | { board: BoardSnapshot }>('/api/admin/board'),
  },
};

/** Words a person can act on, per error code; the server's own message is the fallback. */
const FRIENDLY: Partial<Record<ErrorCode | 'NETWORK', string>> = {
  SLOT_UNAVAILABLE: 'Someone else took that slot just before you. Pick another time — the grid is up to date.',
  SLOT_WITHDRAWN: 'The workshop changed its hours and that time is no longer offered. Pick another time.',
  HOLD_EXPIRED: 'Your hold ran out before you confirmed, so the slot was released. Hold it again to continue.',
  HOLD_LIMIT: 'You already hold the maximum number of slots. Confirm or release one first.',
  HOLD_EXTENSION_LIMIT: 'This hold cannot be extended any further.',
  INVALID_TRANSITION: 'That booking changed in the meantime; the screen now shows its current state.',
  VERSION_CONFLICT: 'Someone else changed this booking at the same moment. Try again.',
  WORKSHOP_NOT_BOOKABLE: 'This workshop is not taking bookings right now.',
  SERVICE_RETIRED: 'The workshop stopped offering that service while you held the slot, so it was released. Pick another service.',
  RATE_LIMITED: 'Too many attempts. Wait a moment and try again.',
  SERVICE_UNAVAILABLE: 'The service is briefly unavailable. Try again in a moment.',
  INVALID_CREDENTIALS: 'That email and password do not match an account.',
  EMAIL_TAKEN: 'An account with that email already exists. Sign in instead.',
  UNAUTHENTICATED: 'Please sign in to continue.',
};

/** A sentence for the person, whatever was thrown. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.code === 'SLOT_SERVICE_MISMATCH' || err.code === 'VALIDATION_FAILED') return err.message;
    return FRIENDLY[err.code] ?? err.message;
  }
  return err instanceof Error ? err.message : 'Something went wrong.';
}
