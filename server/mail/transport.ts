import nodemailer from 'nodemailer';
import type { Logger } from 'pino';

export interface OutgoingMail {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Stable per outbox row, so a resend after a crash reads as the same message to the recipient's mail system. */
  messageId: string;
  headers?: Record<string, string>;
}

export interface MailTransport {
  send(m: OutgoingMail): Promise<void>;
  close(): void;
}

/**
 * SMTP through nodemailer when `smtpUrl` is set (Mailpit in docker compose, any relay in production);
 * without it (development, tests that do not read mail) each message is logged instead of sent.
 */
export function createMailTransport(smtpUrl: string | undefined, logger: Logger): MailTransport {
  if (!smtpUrl) {
    const json = nodemailer.createTransport({ jsonTransport: true });
    return {
      async send(m) {
        await json.sendMail(m);
        logger.info({ mail: { to: m.to, subject: m.subject, messageId: m.messageId, text: m.text } }, 'mail (no SMTP_URL: logged, not sent)');
      },
      close: () => json.close(),
    };
  }
  const smtp = nodemailer.createTransport({
    url: smtpUrl,
    // A stalled server must not hold a send past the queue's job timeout.
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  return {
    async send(m) {
      await smtp.sendMail(m);
    },
    close: () => smtp.close(),
  };
}
