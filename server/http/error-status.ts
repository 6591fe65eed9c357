import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ErrorCode } from '@shared/errors';

/** The one place that turns a domain error code into an HTTP status. */
export const STATUS_OF: Record<ErrorCode, ContentfulStatusCode> = {
  VALIDATION_FAILED: 400,
  MALFORMED_JSON: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  EMAIL_TAKEN: 409,
  SLOT_UNAVAILABLE: 409,
  SLOT_WITHDRAWN: 409,
  SLOT_SERVICE_MISMATCH: 422,
  HOLD_EXPIRED: 409,
  HOLD_LIMIT: 429,
  HOLD_EXTENSION_LIMIT: 409,
  INVALID_TRANSITION: 409,
  TOO_EARLY: 409,
  VERSION_CONFLICT: 409,
  WORKSHOP_NOT_BOOKABLE: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  RATE_LIMITED: 429,
  INTERNAL: 500,
};
