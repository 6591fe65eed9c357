/**
 * Errors that mean "a store is unreachable or too slow right now" (answered 503 with
 * Retry-After), as opposed to bugs (500). The drivers throw plain errors, so they are told
 * apart by name, code and message.
 */
const REDIS_MESSAGES = [
  'Command timed out', // commandTimeout
  "Stream isn't writeable", // no offline queue while disconnected
  'Connection is closed',
  'Redis connection is not ready', // rate-limiter-flexible
  'Redis is not ready', // hold script refused: answered after its deadline
];
const REDIS_REPLY_PREFIXES = ['LOADING', 'BUSY', 'MASTERDOWN', 'TRYAGAIN', 'CLUSTERDOWN'];
const PG_MESSAGES = [
  'Timeout acquiring a connection', // knex pool (acquire timeout)
  'timeout exceeded when trying to connect', // pg-pool (the hot pool, db/pg-pool.ts): connect or acquire timeout
  'Query read timeout', // pg query_timeout
  'Connection terminated', // pg connect timeout / dropped connection
  'timeout expired',
];
// Postgres SQLSTATE: query_canceled (statement_timeout), admin shutdown, cannot connect now,
// too many connections, and the whole connection-exception class 08.
const PG_CODES = new Set(['57014', '57P01', '57P02', '57P03', '53300']);
const NET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND']);

function matches(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const { name, message } = err;
  const code = (err as { code?: unknown }).code;
  if (name === 'MaxRetriesPerRequestError' || name === 'KnexTimeoutError' || name === 'ConnectionException') return true;
  if (typeof code === 'string' && (PG_CODES.has(code) || code.startsWith('08') || NET_CODES.has(code))) return true;
  if (name === 'ReplyError' && REDIS_REPLY_PREFIXES.some((p) => message.startsWith(p))) return true;
  return [...REDIS_MESSAGES, ...PG_MESSAGES].some((m) => message.includes(m));
}

/** True if this error (or one it wraps) says a store is unavailable. */
export function isStoreUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (matches(e)) return true;
    if (e instanceof AggregateError && e.errors.some(matches)) return true;
  }
  return false;
}
