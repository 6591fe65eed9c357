import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { ForbiddenAddressError, forbiddenRange, guardedLookup } from './url-guard';

/** What one attempt to deliver a webhook came to (the delivery log keeps it). */
export interface SendResult {
  ok: boolean;
  statusCode: number | null;
  latencyMs: number;
  /** The first characters of the receiver's answer, for the log. */
  excerpt: string | null;
  error: string | null;
}

const EXCERPT_CHARS = 500;

/**
 * POSTs one webhook body. Never throws: a refused address, DNS failure, timeout or non-2xx answer
 * is a failed result. No redirects are followed (a redirect could lead to an address the guard
 * would refuse, and a receiver must answer at the address it registered).
 */
export function createWebhookSender(opts: { timeoutMs: number; allowNetworks: readonly string[]; userAgent?: string }) {
  const lookup = guardedLookup(opts.allowNetworks);
  return function send(url: string, body: string, headers: Record<string, string>): Promise<SendResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    return new Promise((resolve) => {
      let settled = false;
      const done = (r: Omit<SendResult, 'latencyMs'>) => {
        if (settled) return;
        settled = true;
        resolve({ ...r, latencyMs: elapsed() });
      };
      let target: URL;
      try {
        target = new URL(url);
      } catch {
        return done({ ok: false, statusCode: null, excerpt: null, error: 'Not a valid URL' });
      }
      // An address written as an IP is connected to without a lookup: judge it here.
      const literal = target.hostname.replace(/^\[|\]$/g, '');
      const range = isIP(literal) ? forbiddenRange(literal, opts.allowNetworks) : null;
      if (range) return done({ ok: false, statusCode: null, excerpt: null, error: new ForbiddenAddressError(literal, range).message });
      const client = target.protocol === 'https:' ? https : http;
      const req = client.request(
        target,
        {
          method: 'POST',
          lookup: lookup as never,
          timeout: opts.timeoutMs,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': opts.userAgent ?? 'Holdfast-Webhooks/1', ...headers },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            if (text.length < EXCERPT_CHARS) text += chunk;
          });
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            const ok = status >= 200 && status < 300;
            done({ ok, statusCode: status, excerpt: text.slice(0, EXCERPT_CHARS) || null, error: ok ? null : `Answered ${status}` });
          });
          res.on('error', (err) => done({ ok: false, statusCode: res.statusCode ?? null, excerpt: text.slice(0, EXCERPT_CHARS) || null, error: err.message }));
        },
      );
      req.on('timeout', () => req.destroy(new Error(`No answer within ${opts.timeoutMs} ms`)));
      req.on('error', (err) => done({ ok: false, statusCode: null, excerpt: null, error: err.message }));
      req.end(body);
    });
  };
}

export type WebhookSend = ReturnType<typeof createWebhookSender>;
