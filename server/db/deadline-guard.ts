import type { EventSubscriber } from '@mikro-orm/core';
import { DomainError } from '../domain/errors';
import { deadlinePassed } from '../request-deadline';

/**
 * A transaction started by a request whose deadline has passed (its client was answered 503)
 * rolls back instead of committing: nothing the client was told failed may happen afterwards.
 */
export class DeadlineGuard implements EventSubscriber {
  async beforeTransactionCommit(): Promise<void> {
    if (deadlinePassed()) throw new DomainError('SERVICE_UNAVAILABLE', 'The request ran out of time; nothing was saved');
  }
}
