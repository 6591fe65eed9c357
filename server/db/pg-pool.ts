import pg from 'pg';
import { DomainError } from '../domain/errors';
import { deadlinePassed } from '../request-deadline';
import type { PgTimeouts } from './orm-config';

/**
 * The hot-path SQL pool: plain `pg` with named prepared statements, beside MikroORM (which keeps
 * everything else). Why: through MikroORM each raw query acquires and releases a knex connection
 * and Postgres parses and plans every statement again; here a confirm takes one connection for its
 * transaction and each statement is planned once per connection.
 */

/** A statement with a fixed name and text: Postgres prepares it once per connection, then only binds. */
export interface Stmt {
  readonly name: string;
  readonly text: string;
}
/** Declared once at module level (a name must always carry the same text, or pg refuses it). */
export const stmt = (name: string, text: string): Stmt => ({ name, text });

export interface SqlTx {
  rows<R>(s: Stmt, values: unknown[]): Promise<R[]>;
  /**
   * Several statements in one write, pipelined: Postgres runs each after the previous one ended
   * (so each later one has a fresh snapshot), in this transaction. Their rows in order, or the
   * first error once every statement has answered (after a failed one the rest fail too).
   */
  batch(items: Array<[Stmt, unknown[]]>): Promise<unknown[][]>;
}

export interface SqlPool extends Pick<SqlTx, 'rows'> {
  /**
   * BEGIN (sent in the same write as the transaction's first statements), `fn`, COMMIT; ROLLBACK
   * if `fn` throws (its error is rethrown). Like the MikroORM
   * DeadlineGuard: a transaction still open when its request's deadline has passed (the client
   * was answered 503) rolls back instead of committing.
   */
  transaction<T>(fn: (tx: SqlTx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Connections of the hot pool per process (beside MikroORM's 20): a confirm holds one for its transaction. */
export const HOT_POOL_MAX = 10;

/** Rolled back: the request ran out of time before COMMIT. */
export const deadlineError = () => new DomainError('SERVICE_UNAVAILABLE', 'The request ran out of time; nothing was saved');

// A driver error without a SQLSTATE (timeout, dropped socket) leaves the connection in an unknown
// state (a timed-out statement may still be running there): it is destroyed, not reused.
const brokenBy = (err: unknown) => !(err && typeof (err as { code?: unknown }).code === 'string' && /^[0-9A-Z]{5}$/.test((err as { code: string }).code));

export function createPgPool(databaseUrl: string, t: PgTimeouts, opts: { max?: number; onError?: (err: Error) => void } = {}): SqlPool {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: opts.max ?? HOT_POOL_MAX,
    // pg-pool bounds both opening a connection and waiting for a free one with this one setting.
    connectionTimeoutMillis: Math.max(t.connectMs, t.acquireMs),
    // The same bounds as MikroORM's connections (orm-config.ts pgTimeoutOptions).
    statement_timeout: t.statementMs,
    query_timeout: t.statementMs + 250,
    idleTimeoutMillis: 30_000,
    application_name: 'holdfast-hot',
    // Every statement here is a key look-up planned once per connection: the generic plan is
    // always the right one, but with `auto` Postgres kept choosing a custom plan for the booking
    // and context statements (their array parameters make the generic estimate look worse) and so
    // planned them again on every execution (a quarter of the confirm's Postgres CPU).
    options: '-c plan_cache_mode=force_generic_plan',
    // Statements issued together go out together (SqlTx.batch), each still with its own Sync.
    pipeline: true,
  });
  // An idle connection the server drops emits here; without a listener it would crash the process.
  pool.on('error', (err) => opts.onError?.(err));

  const rowsOf = async <R>(c: pg.Pool | pg.PoolClient, s: Stmt, values: unknown[]) =>
    (await c.query({ name: s.name, text: s.text, values })).rows as R[];

  return {
    rows: (s, values) => rowsOf(pool, s, values),

    async transaction(fn) {
      const client = await pool.connect();
      let broken: Error | undefined;
      // Errors of the driver itself (not of the work between statements) decide the connection's fate.
      const run = async <R>(text: string | Stmt, values?: unknown[]) => {
        try {
          return (typeof text === 'string' ? await client.query(text) : await client.query({ name: text.name, text: text.text, values })).rows as R[];
        } catch (err) {
          if (brokenBy(err)) broken = err instanceof Error ? err : new Error(String(err));
          throw err;
        }
      };
      // The socket is corked while a batch is issued, so BEGIN and the statements leave in one write.
      const stream = (client as unknown as { connection?: { stream?: { cork?: () => void; uncork?: () => void } } }).connection?.stream;
      let begun = false;
      const send = async (items: Array<[string | Stmt, unknown[] | undefined]>): Promise<unknown[][]> => {
        const first = begun ? 0 : 1;
        if (!begun) items = [['begin', undefined], ...items];
        begun = true;
        stream?.cork?.();
        let sent: Array<Promise<unknown[]>>;
        try {
          sent = items.map(([s, values]) => run(s, values));
        } finally {
          stream?.uncork?.();
        }
        const settled = await Promise.allSettled(sent);
        const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
        if (failed) throw failed.reason;
        return settled.slice(first).map((r) => (r as PromiseFulfilledResult<unknown[]>).value);
      };
      try {
        const value = await fn({
          rows: async <R>(s: Stmt, values: unknown[]) => (await send([[s, values]]))[0] as R[],
          batch: (items) => send(items),
        });
        if (!begun) return value;
        if (deadlinePassed()) throw deadlineError();
        await run('commit');
        return value;
      } catch (err) {
        // A broken connection is closed below instead: Postgres rolls its transaction back itself.
        if (!broken && begun) await run('rollback').catch(() => undefined);
        throw err;
      } finally {
        client.release(broken);
      }
    },

    close: () => pool.end(),
  };
}
