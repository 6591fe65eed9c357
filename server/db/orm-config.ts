import { Migrator } from '@mikro-orm/migrations';
import { defineConfig, type Options } from '@mikro-orm/postgresql';
import { migrationsList } from '../../migrations/index';
import { entities } from './entities/index';

export interface PgTimeouts {
  connectMs: number;
  acquireMs: number;
  statementMs: number;
  /** The pool's size (PG_POOL_MAX); 20 when absent. */
  poolMax?: number;
}

const POOL = { min: 0, max: 20 };

/**
 * Fail-fast options for the serving process (not for migrations, whose statements may run
 * long): opening a connection, waiting for a pooled one and each statement are bounded. The
 * server cancels a statement at `statementMs`; the client stops waiting for a reply shortly
 * after (a stalled network never answers), so a stuck call fails instead of holding a request.
 */
export function pgTimeoutOptions(t: PgTimeouts): Partial<Options> {
  return {
    pool: { ...POOL, max: t.poolMax ?? POOL.max, acquireTimeoutMillis: t.acquireMs },
    driverOptions: {
      acquireConnectionTimeout: t.acquireMs,
      connection: {
        connectionTimeoutMillis: t.connectMs,
        statement_timeout: t.statementMs,
        query_timeout: t.statementMs + 250,
      },
    },
  };
}

/** MikroORM options for one database URL; migrations are listed explicitly (no runtime file globbing: the same under tsx, Vitest and a bundle). */
export function ormConfig(databaseUrl: string, extra: Partial<Options> = {}): Options {
  return defineConfig({
    clientUrl: databaseUrl,
    entities,
    extensions: [Migrator],
    migrations: {
      migrationsList,
      path: 'migrations',
      pathTs: 'migrations',
      emit: 'ts',
      snapshot: false,
      transactional: true,
      allOrNothing: true,
      silent: true,
    },
    // Money tables are raw SQL only (composite keys, constraint triggers the ORM cannot declare),
    // and so are booking message threads, calendar feeds, booking payments, disputes, the mail outbox
    // and preferences, webhooks and account tokens (plain-SQL stores in db/*.repository.ts): a generated migration
    // must never try to drop or reshape them (Migration20261201070000, …065500, …090000, …091000,
    // …093000, …094000, …094500), account links (…100000) and the matching weights (…160000).
    schemaGenerator: { skipTables: [/^ledger_/, /^money_/, /^booking_message/, /^calendar_feed$/, /^booking_payment$/, /^payment_attempt$/, /^booking_dispute$/, /^outbox_message$/, /^mail_preference$/, /^webhook_/, /^review_report$/, /^admin_audit$/, /^account_token$/, /^job_stage_update$/, /^job_quote/, /^match_weights$/] },
    pool: POOL,
    debug: false,
    ...extra,
  });
}
