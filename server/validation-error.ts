import type { ZodError } from 'zod';
import { DomainError } from './domain/errors';

/*
 * One way to tell a client its input was wrong, for HTTP and sockets alike:
 * VALIDATION_FAILED, a message naming the first problem, and every problem as `{path, message}`.
 */

/** Field-level problems in a stable, client-friendly form. */
export function issuesOf(error: ZodError) {
  return error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}

/** `Invalid <what>: <path>: <message>` for the first problem. */
export function validationMessage(error: ZodError, what = 'input'): string {
  const first = error.issues[0];
  if (!first) return `Invalid ${what}`;
  const path = first.path.join('.');
  return `Invalid ${what}: ${path ? `${path}: ` : ''}${first.message}`;
}

/** The domain error a failed parse becomes (the HTTP error mapper and socket acks both read it). */
export function validationFailed(error: ZodError, what = 'input'): DomainError {
  return new DomainError('VALIDATION_FAILED', validationMessage(error, what), issuesOf(error));
}
