import { z } from 'zod';
import { instantOut } from './views';

/** What an endpoint can subscribe to: a booking's life, one type per event (docs/webhooks.md). */
export const WEBHOOK_EVENT_TYPES = [
  'booking.requested',
  'booking.accepted',
  'booking.declined',
  'booking.expired',
  'booking.cancelled',
  'booking.rescheduled',
  'booking.move_requested',
  'booking.moved',
  'booking.started',
  'booking.completed',
  'booking.no_show',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

const url = z
  .url({ protocol: /^https?$/, message: 'Give an http:// or https:// address' })
  .max(2000)
  .refine((u) => !/^[a-z]+:\/\/[^/]*@/i.test(u), 'Leave user names and passwords out of the address');

/** `POST /api/webhooks`: a vendor names one of its workshops; an admin one workshop or none (all). */
export const createWebhookSchema = z
  .object({
    url,
    eventTypes: z.array(z.enum(WEBHOOK_EVENT_TYPES)).min(1, 'Choose at least one event').max(WEBHOOK_EVENT_TYPES.length),
    workshopId: z.uuid().nullable().default(null),
  })
  .strict();
export type CreateWebhookInput = z.input<typeof createWebhookSchema>;

/** `PATCH /api/webhooks/:id`: re-enabling a disabled endpoint resumes its held deliveries. */
export const updateWebhookSchema = z
  .object({ url: url.optional(), eventTypes: createWebhookSchema.shape.eventTypes.optional(), enabled: z.boolean().optional() })
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'Nothing to change');
export type UpdateWebhookInput = z.input<typeof updateWebhookSchema>;

export const webhookEndpointViewSchema = z.strictObject({
  id: z.uuid(),
  url: z.string(),
  eventTypes: z.array(z.enum(WEBHOOK_EVENT_TYPES)),
  /** Null: every workshop (admins only). */
  workshopId: z.uuid().nullable(),
  status: z.enum(['active', 'disabled']),
  /** Why it was disabled (by its owner, or automatically after repeated failures). */
  disabledReason: z.string().nullable(),
  consecutiveFailures: z.int(),
  createdAt: instantOut,
});
export type WebhookEndpointView = z.infer<typeof webhookEndpointViewSchema>;

/** Answer of `POST /api/webhooks`: the signing secret is shown here and by `GET /api/webhooks/:id/secret`. */
export const webhookCreatedSchema = z.strictObject({ endpoint: webhookEndpointViewSchema, secret: z.string() });

export const webhookDeliveryViewSchema = z.strictObject({
  id: z.uuid(),
  eventId: z.uuid(),
  eventType: z.enum(WEBHOOK_EVENT_TYPES),
  bookingId: z.uuid(),
  /** A manual redelivery names the delivery it repeats. */
  redeliveryOf: z.uuid().nullable(),
  status: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.int(),
  nextAttemptAt: instantOut.nullable(),
  lastStatusCode: z.int().nullable(),
  lastLatencyMs: z.int().nullable(),
  lastError: z.string().nullable(),
  responseExcerpt: z.string().nullable(),
  deliveredAt: instantOut.nullable(),
  createdAt: instantOut,
});
export type WebhookDeliveryView = z.infer<typeof webhookDeliveryViewSchema>;

export const webhookDeliveryListQuerySchema = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }).strict();

/** What a receiver gets: `POST` with this JSON body, signed (docs/webhooks.md). */
export interface WebhookPayload {
  /** The event's id: the same on every retry and redelivery, so a receiver can drop repeats. */
  id: string;
  type: WebhookEventType;
  /** When the event happened. */
  createdAt: string;
  data: {
    /** The booking as it is when this delivery is sent (a later event may already have changed it). */
    booking: Record<string, unknown>;
    /** The event itself: who did it (role) and its details (a reason, the old times of a move…). */
    event: { type: string; actorRole: string; data: Record<string, unknown> | null };
  };
}
