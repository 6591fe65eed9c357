import type { ErrorCode } from '@shared/errors';

/** A domain failure: carries a code, never an HTTP status (the HTTP layer maps it). */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (what: string) => new DomainError('NOT_FOUND', `${what} not found`);
export const forbidden = (message = 'You are not allowed to do that') =>
  new DomainError('FORBIDDEN', message);
