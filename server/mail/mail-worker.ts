import { createHash } from 'node:crypto';
import PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import { runChained } from '../chained-timer';
import type { Clock } from '../domain/clock';
import { MAIL_CATEGORY, stillWanted } from '../domain/notifications';
import { createOutboxRepository, type AccountMessage, type OutboxMessage, type RunSql } from '../db/outbox.repository';
import type { Env } from '../env';
import { ACCOUNT_LINK_PATH, renderAccountMail } from './account-templates';
import { renderMail, type RenderedMail } from './templates';
import type { MailTransport } from './transport';
import type { UnsubscribeTokens } from './unsubscribe-token';

/** The job queue's schema (pg-boss creates and migrates it at start) and the one queue mail uses. */
export const MAIL_SCHEMA = 'pgboss';
export const MAIL_QUEUE = 'mail';

/** Rows one relay pass hands to the queue at most (it loops while passes come back full). */
const RELAY_BATCH = 100;
/** A relay's claim on rows lasts this long: a relay that dies mid-pass leaves them to the next. */
const RELAY_LEASE_SECONDS = 30;

type MailEnv = Pick<Env, 'DATABASE_URL' | 'MAIL_FROM' | 'PUBLIC_URL' | 'MAIL_POOL_MAX' | 'MAIL_CONCURRENCY' | 'MAIL_RELAY_INTERVAL_MS' | 'MAIL_POLL_SECONDS'
  | 'MAIL_JOB_TIMEOUT_SECONDS' | 'MAIL_RETRY_LIMIT' | 'MAIL_RETRY_DELAY_SECONDS' | 'MAIL_MAINTENANCE_SECONDS'>;

export interface MailWorker {
  /** Relay now (called after a booking write committed in this process): the message leaves within the second. */
  kick(): void;
  /** Stops relaying and taking jobs; a send in flight gets a few seconds, then its job is failed back to the queue. */
  close(): Promise<void>;
}

/**
 * The mail relay and worker of one process (every process may run one; they share the work).
 * Relay: outbox rows → pg-boss jobs whose id is the row's id (a second relay of the same row
 * inserts nothing). Worker: claims the row (one sender at a time, a lease as long as the job's
 * timeout), re-checks that the message is still wanted, renders, sends, records the outcome;
 * a failed send is retried by pg-boss with exponential backoff, a killed worker's job expires
 * after MAIL_JOB_TIMEOUT_SECONDS and is retried by whichever process runs the queue's maintenance.
 */
export async function startMailWorker(deps: {
  env: MailEnv;
  clock: Clock;
  logger: Logger;
  transport: MailTransport;
  tokens: UnsubscribeTokens;
  /** Opens the sealed token of an account message (server/auth/link-tokens.ts). */
  links: { unseal(sealed: string, hash: string): string | null };
}): Promise<MailWorker> {
  const { env, clock, logger, transport, tokens } = deps;
  const boss = new PgBoss({
    connectionString: env.DATABASE_URL,
    schema: MAIL_SCHEMA,
    max: env.MAIL_POOL_MAX,
    application_name: 'holdfast-mail',
    // Maintenance (expiring timed-out jobs, archiving) runs in one process at a time, this often.
    maintenanceIntervalSeconds: env.MAIL_MAINTENANCE_SECONDS,
    // No cron schedules: scheduled mail is a job with a start time.
    schedule: false,
  });
  boss.on('error', (err) => logger.error({ err }, 'mail queue error'));
  await boss.start();
  const queue = {
    name: MAIL_QUEUE,
    retryLimit: env.MAIL_RETRY_LIMIT,
    retryDelay: env.MAIL_RETRY_DELAY_SECONDS,
    retryBackoff: true,
    expireInSeconds: env.MAIL_JOB_TIMEOUT_SECONDS,
  };
  await boss.createQueue(MAIL_QUEUE, queue);
  await boss.updateQueue(MAIL_QUEUE, queue);

  const db = boss.getDb();
  const sql: RunSql = async <R>(text: string, values: unknown[] = []) => (await db.executeSql(text, values)).rows as R[];
  const outbox = createOutboxRepository(sql);
  const publicUrl = env.PUBLIC_URL.replace(/\/+$/, '');

  async function deliver(job: PgBoss.JobWithMetadata<{ id: string }>) {
    const m = await outbox.claim(job.data.id, env.MAIL_JOB_TIMEOUT_SECONDS);
    if (m === 'done') return;
    if (m === 'busy') throw new Error(`outbox message ${job.data.id} is being sent by another worker`);
    const prepared = m.kind === 'account' ? prepareAccount(m) : await prepareBooking(m);
    if ('skip' in prepared) {
      await outbox.finish(m.id, { status: 'skipped', detail: prepared.skip });
      return;
    }
    try {
      await transport.send({
        from: env.MAIL_FROM,
        to: m.recipient.email,
        ...prepared.rendered,
        messageId: `<${createHash('sha256').update(m.dedupeKey).digest('hex').slice(0, 32)}@holdfast>`,
        headers: {
          'X-Holdfast-Template': m.template,
          ...(prepared.unsubscribe ? { 'List-Unsubscribe': `<${prepared.unsubscribe}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } : {}),
        },
      });
    } catch (err) {
      const detail = String((err as Error).message ?? err);
      const final = job.retryCount >= job.retryLimit;
      await outbox.finish(m.id, final ? { status: 'failed', detail } : { status: 'retry', detail });
      logger.warn({ err, outboxId: m.id, template: m.template, attempt: m.attempts, final }, 'mail send failed');
      throw err;
    }
    await outbox.finish(m.id, { status: 'sent' });
    logger.info({ outboxId: m.id, template: m.template, to: m.recipient.id }, 'mail sent');
  }

  type Prepared = { skip: string } | { rendered: RenderedMail; unsubscribe: string | null };

  async function prepareBooking(m: OutboxMessage): Promise<Prepared> {
    const skip = whySkip(m);
    if (skip) return { skip };
    const category = MAIL_CATEGORY[m.template];
    const unsubscribe = category ? `${publicUrl}/mail/unsubscribe?token=${await tokens.issue(m.recipient.id, category)}` : null;
    return { rendered: renderMail(m, { booking: `${publicUrl}/#/bookings/${m.booking.id}`, unsubscribe }), unsubscribe };
  }

  /** A link that can no longer be used is not sent (a newer one replaced it, it was used, it expired on the domain clock). */
  function prepareAccount(m: AccountMessage): Prepared {
    if (m.token.usedAt) return { skip: 'link already used' };
    if (m.token.revokedAt) return { skip: 'link withdrawn or replaced by a newer one' };
    if (m.token.expiresAt.getTime() <= clock.now()) return { skip: 'link expired before it was sent' };
    if (m.recipient.status && m.recipient.status !== 'active') return { skip: `recipient is ${m.recipient.status}` };
    const token = m.sealedToken ? deps.links.unseal(m.sealedToken, m.token.hash) : null;
    if (!token) return { skip: 'sealed token missing or not sealed with this app secret' };
    const link = `${publicUrl}${ACCOUNT_LINK_PATH[m.template]}?token=${encodeURIComponent(token)}`;
    return { rendered: renderAccountMail(m, link), unsubscribe: null };
  }

  function whySkip(m: OutboxMessage): string | null {
    const wanted = stillWanted({ template: m.template, sendAfter: m.sendAfter, booking: m.booking }, clock.now());
    if (!wanted.send) return wanted.why;
    if (m.recipient.status !== 'active') return `recipient is ${m.recipient.status}`;
    const category = MAIL_CATEGORY[m.template];
    if (category && !m.wants[category]) return `recipient turned ${category} off`;
    return null;
  }

  const workers: string[] = [];
  for (let i = 0; i < env.MAIL_CONCURRENCY; i++) {
    workers.push(await boss.work<{ id: string }>(
      MAIL_QUEUE,
      { batchSize: 1, includeMetadata: true, pollingIntervalSeconds: env.MAIL_POLL_SECONDS },
      async ([job]) => job && deliver(job),
    ));
  }

  async function relay() {
    for (;;) {
      const rows = await outbox.claimUnqueued(RELAY_BATCH, RELAY_LEASE_SECONDS);
      if (!rows.length) return;
      for (const r of rows) {
        // Delays count on the domain clock; the queue adds them to the database's now.
        const delaySeconds = r.send_after ? Math.max(0, Math.ceil((new Date(r.send_after).getTime() - clock.now()) / 1000)) : 0;
        await boss.send(MAIL_QUEUE, { id: r.id }, { id: r.id, startAfter: delaySeconds });
      }
      await outbox.markEnqueued(rows.map((r) => r.id));
      for (const w of workers) boss.notifyWorker(w);
      if (rows.length < RELAY_BATCH) return;
    }
  }

  // One relay at a time in this process: a kick during a pass runs one more pass right after it.
  let running: Promise<void> | null = null;
  let again = false;
  let closed = false;
  const relayNow = (): void => {
    if (closed) return;
    if (running) {
      again = true;
      return;
    }
    running = relay()
      .catch((err) => logger.error({ err }, 'mail relay failed'))
      .finally(() => {
        running = null;
        if (again) {
          again = false;
          relayNow();
        }
      });
  };
  const timer = runChained(async () => {
    relayNow();
    await running;
  }, { intervalMs: env.MAIL_RELAY_INTERVAL_MS, onError: (err) => logger.error({ err }, 'mail relay failed') });
  relayNow();

  return {
    kick: relayNow,
    async close() {
      closed = true;
      await timer.stop();
      await running;
      await boss.stop({ graceful: true, timeout: 3000, wait: true, close: true });
      transport.close();
    },
  };
}
