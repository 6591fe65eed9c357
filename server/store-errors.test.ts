import { describe, expect, it } from 'vitest';
import { isStoreUnavailable } from './store-errors';

const err = (message: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(message), extra);

describe('isStoreUnavailable: outages are 503, bugs stay 500', () => {
  it.each([
    ['ioredis command timeout', err('Command timed out')],
    ['ioredis without offline queue', err("Stream isn't writeable and enableOfflineQueue options is false")],
    ['ioredis retries exhausted', err('Reached the max retries per request limit', { name: 'MaxRetriesPerRequestError' })],
    ['Redis still loading its data', err('LOADING Redis is loading the dataset in memory', { name: 'ReplyError' })],
    ['knex pool acquire timeout', err('Knex: Timeout acquiring a connection. The pool is probably full.', { name: 'KnexTimeoutError' })],
    ['pg statement_timeout', err('canceling statement due to statement timeout', { code: '57014' })],
    ['pg query_timeout', err('Query read timeout')],
    ['pg-pool connect/acquire timeout', err('timeout exceeded when trying to connect')],
    ['pg connect timeout', err('Connection terminated due to connection timeout')],
    ['connection refused', err('connect ECONNREFUSED 127.0.0.1:5432', { code: 'ECONNREFUSED' })],
    ['wrapped in a cause', new Error('hold failed', { cause: err('Command timed out') })],
  ])('%s → unavailable', (_what, e) => {
    expect(isStoreUnavailable(e)).toBe(true);
  });

  it.each([
    ['a unique violation', err('duplicate key value violates unique constraint', { code: '23505' })],
    ['a CHECK violation', err('new row violates check constraint', { code: '23514' })],
    ['a script error', err('ERR user_script:1: Script attempted to access nonexistent global variable', { name: 'ReplyError' })],
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['not an error', 'Command timed out'],
  ])('%s → not unavailable', (_what, e) => {
    expect(isStoreUnavailable(e)).toBe(false);
  });
});
