import type { ErrorCode } from '@shared/errors';
import type { BookingAction, BookingStatus } from '@shared/booking-status';
import type { AcceptInvitationInput, ChangePasswordInput, LoginInput, PasswordResetConfirmInput, RegisterInput, UpdateProfileInput } from '@shared/schemas/auth';
import type { MailPreferencesPatch } from '@shared/schemas/mail';
import type { AuditTarget } from '@shared/schemas/audit';
import type { CommissionOverridesInput, MoneyPolicyInput } from '@shared/schemas/money-policy';
import type { ConfirmBookingInput, CreateHoldInput } from '@shared/schemas/booking';
import type { CreateServiceInput, UpdateServiceInput } from '@shared/schemas/service';
import type { CreateVehicleInput, UpdateVehicleInput } from '@shared/schemas/vehicle';
import type { ReviewInput } from '@shared/schemas/review';
import type { DisputeStatus, OpenDisputeInput, ResolveDisputeInput } from '@shared/schemas/dispute';
import type { CreateWebhookInput, UpdateWebhookInput } from '@shared/schemas/webhook';
import type { CloseDayInput, MoveTarget } from '@shared/schemas/disruption';
import type { CreateWorkshopInput, OpeningHoursInput, UpdateWorkshopInput, WorkshopStatus } from '@shared/schemas/workshop';
import type { WorkshopSearchParams } from '@shared/schemas/search';
import type { CreateQuoteInput, StageUpdateInput } from '@shared/schemas/repair-tracking';
import type { MatchNeedInput, MatchWeights } from '@shared/schemas/match';
import type { AssignmentInput, InvitableRole, StaffInviteAcceptInput, StaffInviteInput } from '@shared/schemas/staff';
import { compactQuery, createApiClient } from '@shared/api/client';

export type WorkshopSearch = WorkshopSearchParams;

/*
 * The one place that speaks HTTP, through the typed client generated from the server's
 * contract (shared/api). Same-origin fetch carries the HttpOnly `hf_token` cookie, so nothing
 * here ever sees the token. Every failure becomes an ApiError with the server's error code, so
 * screens branch on codes (SLOT_UNAVAILABLE…), never on statuses.
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

const client = createApiClient({ credentials: 'same-origin' });

/** The typed call's success body, or an ApiError (NETWORK when the server never answered). */
async function call<T>(request: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let r: { data?: T; error?: unknown; response: Response };
  try {
    r = await request;
  } catch {
    throw new ApiError(0, 'NETWORK', 'Cannot reach Holdfast. Check your connection and try again.');
  }
  if (!r.response.ok) {
    const err = (r.error as { error?: { code?: ErrorCode; message?: string; details?: unknown } } | null | undefined)?.error;
    throw new ApiError(r.response.status, err?.code ?? 'INTERNAL', err?.message ?? `Request failed (${r.response.status})`, err?.details);
  }
  return r.data as T;
}

/** For answers without a body (204). */
const done = async (request: Promise<{ response: Response }>): Promise<void> => {
  await call(request);
};

export interface BookingQuery {
  status?: BookingStatus;
  workshopId?: string;
  from?: string;
  to?: string;
  limit?: number;
}

const path = <T extends Record<string, string>>(p: T) => ({ params: { path: p } });

/** Typed endpoints: paths, inputs and response shapes all come from the generated contract. */
export const api = {
  auth: {
    register: (body: RegisterInput) => call(client.POST('/api/v1/auth/register', { body })),
    login: (body: LoginInput) => call(client.POST('/api/v1/auth/login', { body })),
    logout: () => done(client.POST('/api/v1/auth/logout')),
    me: () => call(client.GET('/api/v1/me')),
    updateProfile: (body: UpdateProfileInput) => call(client.PATCH('/api/v1/me', { body })),
    /** Ends every session of the user; the answer signs this browser in again (a new cookie). */
    changePassword: (body: ChangePasswordInput) => call(client.POST('/api/v1/me/password', { body })),
    /** Always accepted (202), whether or not the address has an account. */
    requestPasswordReset: (email: string) => done(client.POST('/api/v1/auth/password-reset', { body: { email } })),
    resetPassword: (body: PasswordResetConfirmInput) => done(client.POST('/api/v1/auth/password-reset/confirm', { body })),
    verifyEmail: (token: string) => done(client.POST('/api/v1/auth/verify-email', { body: { token } })),
    resendVerification: () => done(client.POST('/api/v1/me/verify-email/resend')),
    acceptInvitation: (body: AcceptInvitationInput) => call(client.POST('/api/v1/auth/invitations/accept', { body })),
    staffInvitePreview: (token: string) => call(client.POST('/api/v1/auth/staff-invitations/preview', { body: { token } })),
    acceptStaffInvite: (body: StaffInviteAcceptInput) => call(client.POST('/api/v1/auth/staff-invitations/accept', { body })),
  },
  /** A workshop's team and job assignment (README "Staff and roles"). */
  staff: {
    list: (id: string) => call(client.GET('/api/v1/workshops/{id}/staff', path({ id }))),
    invite: (id: string, body: StaffInviteInput) => call(client.POST('/api/v1/workshops/{id}/staff/invitations', { ...path({ id }), body })),
    revokeInvitation: (id: string, invitationId: string) => done(client.DELETE('/api/v1/workshops/{id}/staff/invitations/{invitationId}', path({ id, invitationId }))),
    setRole: (id: string, userId: string, role: InvitableRole) => call(client.PATCH('/api/v1/workshops/{id}/staff/{userId}', { ...path({ id, userId }), body: { role } })),
    remove: (id: string, userId: string) => done(client.DELETE('/api/v1/workshops/{id}/staff/{userId}', path({ id, userId }))),
    assign: (bookingId: string, body: AssignmentInput) => call(client.PUT('/api/v1/bookings/{id}/assignment', { ...path({ id: bookingId }), body })),
  },
  mail: {
    preferences: () => call(client.GET('/api/v1/me/mail-preferences')),
    setPreferences: (body: MailPreferencesPatch) => call(client.PUT('/api/v1/me/mail-preferences', { body })),
  },
  workshops: {
    search: (q: WorkshopSearch) => call(client.GET('/api/v1/workshops', { params: { query: compactQuery(q) } })),
    /** Places by name from the gazetteer shipped with Holdfast (for "near" and a workshop's location). */
    places: (q: string, limit = 6) => call(client.GET('/api/v1/places', { params: { query: { q, limit: String(limit) } } })),
    get: (id: string) => call(client.GET('/api/v1/workshops/{id}', path({ id }))),
    availability: (id: string, from?: string, to?: string) =>
      call(client.GET('/api/v1/workshops/{id}/availability', { params: { path: { id }, query: compactQuery({ from, to }) } })),
    reviews: (id: string, limit = 10) => call(client.GET('/api/v1/workshops/{id}/reviews', { params: { path: { id }, query: { limit } } })),
    paymentTerms: (id: string) => call(client.GET('/api/v1/workshops/{id}/payment-terms', path({ id }))),
  },
  payments: {
    /** Which processor takes cards, and in stripe mode the publishable key for Stripe.js. */
    config: () => call(client.GET('/api/v1/payments/config')),
    /** Simulated mode: the customer passes or fails the simulated bank check (3-D Secure) of a confirm. */
    authenticate: (clientSecret: string, approve: boolean) => call(client.POST('/api/v1/payments/simulated/authenticate', { body: { clientSecret, approve } })),
  },
  /** The matching engine: ranked bookable options for a need (live counts), and the admins' weights. */
  match: {
    find: (body: MatchNeedInput) => call(client.POST('/api/v1/match', { body })),
    weights: () => call(client.GET('/api/v1/admin/match-weights')),
    setWeights: (weights: MatchWeights, reason?: string) => call(client.PUT('/api/v1/admin/match-weights', { body: { weights, ...(reason ? { reason } : {}) } })),
  },
  holds: {
    create: (body: CreateHoldInput) => call(client.POST('/api/v1/holds', { body })),
    mine: () => call(client.GET('/api/v1/holds')),
    release: (id: string) => done(client.DELETE('/api/v1/holds/{id}', path({ id }))),
    extend: (id: string) => call(client.POST('/api/v1/holds/{id}/extend', path({ id }))),
  },
  bookings: {
    confirm: (body: ConfirmBookingInput, idempotencyKey: string) =>
      call(client.POST('/api/v1/bookings', { body, params: { header: { 'idempotency-key': idempotencyKey } } })),
    list: (q: BookingQuery = {}) => call(client.GET('/api/v1/bookings', { params: { query: compactQuery({ ...q }) } })),
    get: (id: string) => call(client.GET('/api/v1/bookings/{id}', path({ id }))),
    act: (id: string, action: BookingAction, reason?: string) =>
      call(client.POST('/api/v1/bookings/{id}/{action}', { ...path({ id, action }), body: reason ? { reason } : undefined })),
    respondToNoShow: (id: string, text: string) => call(client.POST('/api/v1/bookings/{id}/no-show-response', { ...path({ id }), body: { text } })),
    reschedule: (id: string, holdId: string) => call(client.POST('/api/v1/bookings/{id}/reschedule', { ...path({ id }), body: { holdId } })),
    review: (id: string, body: ReviewInput) => call(client.POST('/api/v1/bookings/{id}/review', { ...path({ id }), body })),
    reviewOf: (id: string) => call(client.GET('/api/v1/bookings/{id}/review', path({ id }))),
    dispute: (id: string) => call(client.GET('/api/v1/bookings/{id}/dispute', path({ id }))),
    openDispute: (id: string, body: OpenDisputeInput) => call(client.POST('/api/v1/bookings/{id}/dispute', { ...path({ id }), body })),
  },
  /** A workshop cancelling or moving a booking with a reason, and the customer's one-click answers. */
  disruption: {
    cancel: (id: string, reason: string) => call(client.POST('/api/v1/bookings/{id}/workshop-cancel', { ...path({ id }), body: { reason } })),
    move: (id: string, to: MoveTarget, reason: string) => call(client.POST('/api/v1/bookings/{id}/workshop-move', { ...path({ id }), body: { to, reason } })),
    freeRuns: (id: string) => call(client.GET('/api/v1/bookings/{id}/free-runs', path({ id }))),
    alternatives: (id: string) => call(client.GET('/api/v1/bookings/{id}/alternatives', path({ id }))),
    acceptAlternative: (id: string, startsAt: string) => call(client.POST('/api/v1/bookings/{id}/alternatives/accept', { ...path({ id }), body: { startsAt } })),
    cancelAfterMove: (id: string) => call(client.POST('/api/v1/bookings/{id}/cancel-after-move', path({ id }))),
  },
  reviews: {
    /** The owning workshop's one public answer. */
    reply: (id: string, text: string) => call(client.POST('/api/v1/reviews/{id}/reply', { ...path({ id }), body: { text } })),
    report: (id: string, reason: string) => done(client.POST('/api/v1/reviews/{id}/report', { ...path({ id }), body: { reason } })),
  },
  /** The customer's garage, VIN decoding and registration lookup. */
  vehicles: {
    list: () => call(client.GET('/api/v1/me/vehicles')),
    create: (body: CreateVehicleInput) => call(client.POST('/api/v1/me/vehicles', { body })),
    update: (id: string, body: UpdateVehicleInput) => call(client.PATCH('/api/v1/me/vehicles/{id}', { ...path({ id }), body })),
    remove: (id: string) => done(client.DELETE('/api/v1/me/vehicles/{id}', path({ id }))),
    decodeVin: (vin: string) => call(client.GET('/api/v1/vehicles/vin/{vin}', path({ vin }))),
    lookupRegistration: (registration: string) => call(client.GET('/api/v1/vehicles/registration/{registration}', path({ registration }))),
  },
  webhooks: {
    list: () => call(client.GET('/api/v1/webhooks')),
    create: (body: CreateWebhookInput) => call(client.POST('/api/v1/webhooks', { body })),
    secret: (id: string) => call(client.GET('/api/v1/webhooks/{id}/secret', path({ id }))),
    update: (id: string, body: UpdateWebhookInput) => call(client.PATCH('/api/v1/webhooks/{id}', { ...path({ id }), body })),
    remove: (id: string) => done(client.DELETE('/api/v1/webhooks/{id}', path({ id }))),
    deliveries: (id: string) => call(client.GET('/api/v1/webhooks/{id}/deliveries', { params: { path: { id }, query: { limit: 50 } } })),
    redeliver: (id: string, deliveryId: string) => call(client.POST('/api/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver', path({ id, deliveryId }))),
  },
  calendar: {
    /** The booking's `.ics` file (a plain link: the session cookie signs it). */
    bookingFile: (id: string) => `/api/v1/bookings/${encodeURIComponent(id)}/calendar.ics`,
    feed: () => call(client.GET('/api/v1/me/calendar-feed')),
    /** A new feed address; an earlier one stops working. */
    newFeed: () => call(client.POST('/api/v1/me/calendar-feed')),
    revokeFeed: () => done(client.DELETE('/api/v1/me/calendar-feed')),
  },
  /** Live repair tracking: the job's stages and quotes for extra work. */
  job: {
    get: (id: string) => call(client.GET('/api/v1/bookings/{id}/job', path({ id }))),
    setStage: (id: string, body: StageUpdateInput) => call(client.POST('/api/v1/bookings/{id}/stage', { ...path({ id }), body })),
    sendQuote: (id: string, body: CreateQuoteInput) => call(client.POST('/api/v1/bookings/{id}/quotes', { ...path({ id }), body })),
    withdrawQuote: (id: string, quoteId: string) => call(client.POST('/api/v1/bookings/{id}/quotes/{quoteId}/withdraw', path({ id, quoteId }))),
    approveQuote: (id: string, quoteId: string) => call(client.POST('/api/v1/bookings/{id}/quotes/{quoteId}/approve', path({ id, quoteId }))),
    declineQuote: (id: string, quoteId: string) => call(client.POST('/api/v1/bookings/{id}/quotes/{quoteId}/decline', path({ id, quoteId }))),
  },
  messages: {
    thread: (id: string) => call(client.GET('/api/v1/bookings/{id}/messages', path({ id }))),
    post: (id: string, body: string) => call(client.POST('/api/v1/bookings/{id}/messages', { ...path({ id }), body: { body } })),
    markRead: (id: string) => done(client.POST('/api/v1/bookings/{id}/messages/read', path({ id }))),
    unread: () => call(client.GET('/api/v1/messages/unread')),
  },
  vendor: {
    workshops: () => call(client.GET('/api/v1/vendor/workshops')),
    create: (body: CreateWorkshopInput) => call(client.POST('/api/v1/workshops', { body })),
    update: (id: string, body: UpdateWorkshopInput) => call(client.PATCH('/api/v1/workshops/{id}', { ...path({ id }), body })),
    setHours: (id: string, body: OpeningHoursInput) => call(client.PUT('/api/v1/workshops/{id}/hours', { ...path({ id }), body })),
    /** 409 DAY_HAS_BOOKINGS (details: DayHasBookingsDetails) while bookings on the day have no resolution. */
    addClosure: (id: string, body: CloseDayInput) => call(client.POST('/api/v1/workshops/{id}/closures', { ...path({ id }), body })),
    removeClosure: (id: string, closureId: string) => done(client.DELETE('/api/v1/workshops/{id}/closures/{closureId}', path({ id, closureId }))),
    createService: (id: string, body: CreateServiceInput) => call(client.POST('/api/v1/workshops/{id}/services', { ...path({ id }), body })),
    updateService: (id: string, serviceId: string, body: UpdateServiceInput) =>
      call(client.PATCH('/api/v1/workshops/{id}/services/{serviceId}', { ...path({ id, serviceId }), body })),
    retireService: (id: string, serviceId: string) => done(client.DELETE('/api/v1/workshops/{id}/services/{serviceId}', path({ id, serviceId }))),
    placeZones: (city: string) => call(client.GET('/api/v1/places/zones', { params: { query: { city } } })),
    verification: (id: string) => call(client.GET('/api/v1/workshops/{id}/verification', path({ id }))),
    quality: (id: string) => call(client.GET('/api/v1/workshops/{id}/quality', path({ id }))),
    requestReview: (id: string) => call(client.POST('/api/v1/workshops/{id}/review-request', path({ id }))),
    money: (id: string) => call(client.GET('/api/v1/workshops/{id}/money', path({ id }))),
    moneyPolicy: (id: string) => call(client.GET('/api/v1/workshops/{id}/money-policy', path({ id }))),
    setMoneyPolicy: (id: string, body: MoneyPolicyInput) => call(client.PUT('/api/v1/workshops/{id}/money-policy', { ...path({ id }), body })),
    payoutAccount: (id: string) => call(client.GET('/api/v1/workshops/{id}/payout-account', path({ id }))),
    /** "Set up payouts": where to send the owner (the provider's onboarding). */
    payoutAccountLink: (id: string) => call(client.POST('/api/v1/workshops/{id}/payout-account/link', path({ id }))),
    /** Where the statement CSV downloads from (a plain link: the cookie signs the request in). */
    statementUrl: (id: string, range: { from?: string; to?: string }) =>
      `/api/v1/workshops/${encodeURIComponent(id)}/money/statement.csv?${new URLSearchParams(compactQuery(range) as Record<string, string>)}`,
    /** Bookings, rates, lead time and utilisation over local days of the workshop's zone. */
    report: (id: string, range: { from?: string; to?: string }) => call(client.GET('/api/v1/workshops/{id}/reports', { params: { path: { id }, query: compactQuery(range) } })),
    /** Where the report's CSV downloads from (a plain link: the cookie signs the request in). */
    reportCsvUrl: (id: string, range: { from?: string; to?: string }) =>
      `/api/v1/workshops/${encodeURIComponent(id)}/reports.csv?${new URLSearchParams(compactQuery(range) as Record<string, string>)}`,
  },
  admin: {
    workshops: (status?: WorkshopStatus) => call(client.GET('/api/v1/admin/workshops', { params: { query: compactQuery({ status }) } })),
    verify: (id: string) => call(client.POST('/api/v1/admin/workshops/{id}/verify', path({ id }))),
    suspend: (id: string) => call(client.POST('/api/v1/admin/workshops/{id}/suspend', path({ id }))),
    returnToVendor: (id: string, reason: string) => call(client.POST('/api/v1/admin/workshops/{id}/return', { ...path({ id }), body: { reason } })),
    board: () => call(client.GET('/api/v1/admin/board')),
    invitations: () => call(client.GET('/api/v1/admin/invitations')),
    invite: (email: string) => call(client.POST('/api/v1/admin/invitations', { body: { email } })),
    revokeInvitation: (id: string) => done(client.DELETE('/api/v1/admin/invitations/{id}', path({ id }))),
    noShowResponses: () => call(client.GET('/api/v1/admin/no-show-responses')),
    finance: (range: { from?: string; to?: string }) => call(client.GET('/api/v1/admin/finance', { params: { query: compactQuery(range) } })),
    /** The marketplace report over days of `tz` (UTC by default), optionally one city. */
    reports: (q: { from?: string; to?: string; city?: string; tz?: string }) => call(client.GET('/api/v1/admin/reports', { params: { query: compactQuery(q) } })),
    reportsCsvUrl: (q: { from?: string; to?: string; city?: string; tz?: string }) => `/api/v1/admin/reports.csv?${new URLSearchParams(compactQuery(q) as Record<string, string>)}`,
    disputes: (status?: DisputeStatus) => call(client.GET('/api/v1/admin/disputes', { params: { query: status ? { status } : {} } })),
    resolveDispute: (id: string, body: ResolveDisputeInput) => call(client.POST('/api/v1/admin/disputes/{id}/resolve', { ...path({ id }), body })),
    setCommission: (id: string, body: CommissionOverridesInput) => call(client.PUT('/api/v1/admin/workshops/{id}/commission', { ...path({ id }), body })),
    reportedReviews: () => call(client.GET('/api/v1/admin/reviews/reported')),
    moderateReview: (id: string, action: 'hide' | 'unhide' | 'dismiss-reports', reason: string) =>
      call(client.POST(`/api/v1/admin/reviews/{id}/${action}`, { ...path({ id }), body: { reason } })),
    qualityQueue: () => call(client.GET('/api/v1/admin/quality/queue')),
    dismissQuality: (workshopId: string, reason: string) => done(client.POST('/api/v1/admin/quality/{workshopId}/dismiss', { params: { path: { workshopId } }, body: { reason } })),
    /** Suspend with the reason for the audit trail (the route reads an optional JSON `{reason}` the contract does not declare). */
    suspendWithReason: (id: string, reason: string) => call(client.POST('/api/v1/admin/workshops/{id}/suspend', { ...path({ id }), body: { reason } } as never)),
    audit: (q: { targetType?: AuditTarget; targetId?: string; before?: string; limit?: number } = {}) => call(client.GET('/api/v1/admin/audit', { params: { query: compactQuery(q) } })),
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
