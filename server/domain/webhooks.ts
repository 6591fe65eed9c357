import type { BookingView } from '@shared/schemas/booking';
import type { CreateWebhookInput, WebhookDeliveryView, WebhookEndpointView, WebhookEventType, WebhookPayload } from '@shared/schemas/webhook';
import type { Principal } from './actor';
import type { Clock } from './clock';
import { DomainError, forbidden, notFound } from './errors';

/*
 * Outgoing webhooks: endpoints that vendors (for one of their workshops) and admins (one workshop
 * or all) register, and the delivery of each booking event to them. Deliveries are made by the
 * database in the same transaction as the event (docs/webhooks.md); this module decides who may
 * manage an endpoint, when a failed delivery is tried again, when an endpoint is disabled, and
 * runs one round of due deliveries through ports (no SQL, no HTTP here).
 */

export interface EndpointRecord extends WebhookEndpointView {
  ownerId: string;
}

/** A delivery claimed for sending, with what the payload needs. */
export interface DueDelivery {
  id: string;
  eventId: string;
  eventType: WebhookEventType;
  bookingId: string;
  attempts: number;
  /** When the worker first took it (the server's clock): the retry window runs from here. */
  firstAttemptAt: Date;
  endpoint: { id: string; url: string; secret: string };
  event: { type: string; at: Date; actorRole: string; data: Record<string, unknown> | null };
}

export interface AttemptOutcome {
  ok: boolean;
  statusCode: number | null;
  latencyMs: number;
  excerpt: string | null;
  error: string | null;
}

export interface WebhookStore {
  create(e: { ownerId: string; workshopId: string | null; url: string; secret: string; eventTypes: WebhookEventType[]; at: Date }): Promise<EndpointRecord>;
  find(id: string): Promise<(EndpointRecord & { secret: string }) | null>;
  listOwned(ownerId: string): Promise<EndpointRecord[]>;
  update(id: string, patch: { url?: string; eventTypes?: WebhookEventType[]; status?: 'active' | 'disabled'; disabledReason?: string | null; resetFailures?: boolean }): Promise<EndpointRecord>;
  remove(id: string): Promise<void>;
  deliveries(endpointId: string, limit: number): Promise<WebhookDeliveryView[]>;
  /** A new pending delivery repeating `deliveryId`'s event; null when it is not the endpoint's. */
  redeliver(endpointId: string, deliveryId: string, at: Date): Promise<WebhookDeliveryView | null>;
  /**
   * Up to `limit` due deliveries of active endpoints, each the oldest pending one of its
   * (endpoint, booking), leased until `leaseUntil` so no other process takes them meanwhile.
   */
  claimDue(now: Date, leaseUntil: Date, limit: number): Promise<DueDelivery[]>;
  /** Records an attempt: delivered, or pending again at `retryAt`, or failed for good (`retryAt` null). */
  recordAttempt(id: string, outcome: AttemptOutcome, at: Date, retryAt: Date | null): Promise<void>;
  /** Counts a failure (or a success, which resets the count); disables the endpoint at `disableAfter` failures in a row. Returns true when this call disabled it. */
  countOutcome(endpointId: string, ok: boolean, disableAfter: number, reason: string): Promise<boolean>;
}

export interface WebhookPorts {
  store: WebhookStore;
  /** Whether `actor` owns workshop `id` (throws NOT_FOUND / FORBIDDEN otherwise). */
  owned(actor: Principal, workshopId: string): Promise<unknown>;
  /** The booking as its workshop sees it, for the payload; null if it is gone. */
  booking(id: string): Promise<BookingView | null>;
  newSecret(): string;
  /** Signs and POSTs; never throws. */
  send(url: string, body: string, headers: Record<string, string>): Promise<AttemptOutcome>;
  sign(secret: string, body: string, unixSeconds: number): string;
  clock: Clock;
  /** Told when an endpoint is disabled after repeated failures (the log; mail once the outbox carries it). */
  onDisabled?(endpoint: { id: string; url: string }, reason: string): void;
}

export interface WebhookPolicy {
  /** First retry after this; doubling per attempt up to `maxBackoffMs`, with ±50 % jitter. */
  baseBackoffMs: number;
  maxBackoffMs: number;
  /** A delivery not made within this of its first attempt fails for good. */
  retryForMs: number;
  /** Consecutive failed attempts that disable an endpoint. */
  disableAfter: number;
  /** How long a claimed delivery is kept from other workers. */
  leaseMs: number;
  batch: number;
}

export const DEFAULT_WEBHOOK_POLICY: WebhookPolicy = {
  baseBackoffMs: 30_000,
  maxBackoffMs: 3_600_000,
  retryForMs: 24 * 3_600_000,
  disableAfter: 20,
  leaseMs: 60_000,
  batch: 20,
};

/**
 * When to try again after `attempts` failed attempts, or null once the retry window (from the
 * first attempt) has closed. The window is kept on the server's clock only: the delivery row's
 * creation time comes from the database's clock, which need not agree with it.
 */
export function nextAttemptAt(p: WebhookPolicy, attempts: number, firstAttemptAt: Date, now: Date, random: () => number = Math.random): Date | null {
  const backoff = Math.min(p.baseBackoffMs * 2 ** Math.max(0, attempts - 1), p.maxBackoffMs);
  const at = now.getTime() + Math.round(backoff * (0.5 + random()));
  return at > firstAttemptAt.getTime() + p.retryForMs ? null : new Date(at);
}

const viewOf = ({ ownerId: _o, ...v }: EndpointRecord): WebhookEndpointView => v;

export function createWebhooks(ports: WebhookPorts, policy: WebhookPolicy = DEFAULT_WEBHOOK_POLICY) {
  const { store, clock } = ports;
  const now = () => new Date(clock.now());

  /** The endpoint, if `actor` registered it; anyone else learns nothing (NOT_FOUND). */
  async function mine(actor: Principal, id: string) {
    const e = await store.find(id);
    if (!e || e.ownerId !== actor.id) throw notFound('Webhook endpoint');
    return e;
  }

  async function deliverOne(d: DueDelivery): Promise<'delivered' | 'retry' | 'failed'> {
    const booking = await ports.booking(d.bookingId);
    const payload: WebhookPayload = {
      id: d.eventId,
      type: d.eventType,
      createdAt: d.event.at.toISOString(),
      data: { booking: booking ?? { id: d.bookingId }, event: { type: d.event.type, actorRole: d.event.actorRole, data: d.event.data } },
    };
    const body = JSON.stringify(payload);
    const at = now();
    const outcome = await ports.send(d.endpoint.url, body, {
      'holdfast-webhook-id': d.eventId,
      'holdfast-event-type': d.eventType,
      'holdfast-signature': ports.sign(d.endpoint.secret, body, Math.floor(at.getTime() / 1000)),
    });
    const done = now();
    const retryAt = outcome.ok ? null : nextAttemptAt(policy, d.attempts + 1, d.firstAttemptAt, done);
    await store.recordAttempt(d.id, outcome, done, retryAt);
    const reason = `Disabled after ${policy.disableAfter} failed deliveries in a row (last: ${outcome.error ?? 'no answer'})`;
    if (await store.countOutcome(d.endpoint.id, outcome.ok, policy.disableAfter, reason)) ports.onDisabled?.({ id: d.endpoint.id, url: d.endpoint.url }, reason);
    return outcome.ok ? 'delivered' : retryAt ? 'retry' : 'failed';
  }

  return {
    async create(actor: Principal, input: CreateWebhookInput & { workshopId: string | null }) {
      if (actor.role === 'vendor') {
        if (!input.workshopId) throw new DomainError('VALIDATION_FAILED', 'Choose the workshop whose bookings this endpoint receives');
        await ports.owned(actor, input.workshopId);
      } else if (actor.role !== 'admin') throw forbidden('Only workshops and admins can register webhooks');
      const secret = ports.newSecret();
      const endpoint = await store.create({ ownerId: actor.id, workshopId: input.workshopId, url: input.url, secret, eventTypes: [...new Set(input.eventTypes)], at: now() });
      return { endpoint: viewOf(endpoint), secret };
    },

    async list(actor: Principal): Promise<WebhookEndpointView[]> {
      return (await store.listOwned(actor.id)).map(viewOf);
    },

    async secret(actor: Principal, id: string): Promise<string> {
      return (await mine(actor, id)).secret;
    },

    async update(actor: Principal, id: string, patch: { url?: string; eventTypes?: WebhookEventType[]; enabled?: boolean }) {
      await mine(actor, id);
      const status = patch.enabled === undefined ? undefined : patch.enabled ? 'active' : 'disabled';
      return viewOf(
        await store.update(id, {
          url: patch.url,
          eventTypes: patch.eventTypes && [...new Set(patch.eventTypes)],
          status,
          disabledReason: status === 'disabled' ? 'Disabled by its owner' : status === 'active' ? null : undefined,
          resetFailures: status === 'active',
        }),
      );
    },

    async remove(actor: Principal, id: string) {
      await mine(actor, id);
      await store.remove(id);
    },

    async deliveries(actor: Principal, id: string, limit: number) {
      await mine(actor, id);
      return store.deliveries(id, limit);
    },

    /** Sends an event again (a new delivery, same event id so the receiver can tell). */
    async redeliver(actor: Principal, id: string, deliveryId: string) {
      await mine(actor, id);
      const d = await store.redeliver(id, deliveryId, now());
      if (!d) throw notFound('Delivery');
      return d;
    },

    /**
     * One round of the worker: claims due deliveries and sends them side by side (one slow
     * receiver does not hold up the others; the lease outlasts the send timeout). Each claimed
     * delivery is the oldest pending one of its (endpoint, booking), so order per booking holds.
     */
    async deliverDue(): Promise<{ delivered: number; retrying: number; failed: number }> {
      const at = now();
      const due = await store.claimDue(at, new Date(at.getTime() + policy.leaseMs), policy.batch);
      const results = await Promise.all(due.map(deliverOne));
      return {
        delivered: results.filter((r) => r === 'delivered').length,
        retrying: results.filter((r) => r === 'retry').length,
        failed: results.filter((r) => r === 'failed').length,
      };
    },
  };
}

export type Webhooks = ReturnType<typeof createWebhooks>;
