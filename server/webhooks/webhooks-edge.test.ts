import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_WEBHOOK_POLICY, nextAttemptAt } from '../domain/webhooks';
import { createWebhookSender } from './sender';
import { signWebhook, verifyWebhookSignature } from './signature';
import { forbiddenRange } from './url-guard';

/* The webhook sender's edges: which addresses it refuses, what it records, signatures, backoff. */

let hits = 0;
let port = 0;
const server = createServer((req, res) => {
  hits++;
  if (req.url === '/slow') return; // never answers
  if (req.url === '/redirect') return void res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data' }).end();
  res.writeHead(req.url === '/fail' ? 500 : 200).end('x'.repeat(2000));
});
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('the address guard', () => {
  it('lets public addresses through and refuses every non-public range unless allowed', () => {
    expect(forbiddenRange('93.184.216.34', [])).toBeNull();
    expect(forbiddenRange('2606:2800:220:1:248:1893:25c8:1946', [])).toBeNull();
    for (const [ip, range] of [
      ['127.0.0.1', 'loopback'], ['::1', 'loopback'], ['10.0.0.8', 'private'], ['192.168.1.1', 'private'], ['172.16.5.4', 'private'],
      ['169.254.169.254', 'linkLocal'], ['fe80::1', 'linkLocal'], ['fd12::1', 'uniqueLocal'], ['100.64.0.1', 'carrierGradeNat'],
      ['0.0.0.0', 'unspecified'], ['224.0.0.1', 'multicast'], ['::ffff:127.0.0.1', 'loopback'], ['::ffff:10.0.0.1', 'private'],
    ] as const) expect(forbiddenRange(ip, []), ip).toBe(range);
    expect(forbiddenRange('127.0.0.1', ['loopback'])).toBeNull();
    expect(forbiddenRange('10.0.0.8', ['loopback'])).toBe('private');
  });

  it('never connects to a refused address, whether named by IP or by a host name that resolves to it', async () => {
    const send = createWebhookSender({ timeoutMs: 2000, allowNetworks: [] });
    const before = hits;
    for (const url of [`http://127.0.0.1:${port}/`, `http://localhost:${port}/`]) {
      const r = await send(url, '{}', {});
      expect(r).toMatchObject({ ok: false, statusCode: null });
      expect(r.error).toMatch(/is a loopback address: webhooks go to public addresses only/);
    }
    expect(hits).toBe(before);
  });
});

describe('the sender, where loopback is allowed', () => {
  // A generous timeout, so a loaded machine never turns an answer into a timeout; a short one where that is the point.
  const send = createWebhookSender({ timeoutMs: 10_000, allowNetworks: ['loopback'] });
  const impatient = createWebhookSender({ timeoutMs: 300, allowNetworks: ['loopback'] });

  it('records the status, latency and a bounded excerpt; a non-2xx answer is a failure', async () => {
    const ok = await send(`http://127.0.0.1:${port}/`, '{"a":1}', { 'x-test': '1' });
    expect(ok).toMatchObject({ ok: true, statusCode: 200, error: null });
    expect(ok.excerpt).toHaveLength(500);
    expect(ok.latencyMs).toBeGreaterThanOrEqual(0);
    expect(await send(`http://127.0.0.1:${port}/fail`, '{}', {})).toMatchObject({ ok: false, statusCode: 500, error: 'Answered 500' });
  });

  it('gives up on a receiver that does not answer in time, and does not follow redirects', async () => {
    const slow = await impatient(`http://127.0.0.1:${port}/slow`, '{}', {});
    expect(slow).toMatchObject({ ok: false, statusCode: null, error: 'No answer within 300 ms' });
    expect(await send(`http://127.0.0.1:${port}/redirect`, '{}', {})).toMatchObject({ ok: false, statusCode: 302 });
    expect(await send('http://127.0.0.1:1/', '{}', {})).toMatchObject({ ok: false, statusCode: null });
  });
});

describe('signatures', () => {
  it('verify for the signed body, secret and a recent timestamp only', () => {
    const header = signWebhook('whsec_abc', '{"id":"1"}', 1_800_000_000);
    expect(header).toMatch(/^t=1800000000,v1=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature('whsec_abc', '{"id":"1"}', header, 1_800_000_100)).toBe(true);
    expect(verifyWebhookSignature('whsec_abc', '{"id":"2"}', header, 1_800_000_100)).toBe(false);
    expect(verifyWebhookSignature('whsec_other', '{"id":"1"}', header, 1_800_000_100)).toBe(false);
    expect(verifyWebhookSignature('whsec_abc', '{"id":"1"}', header, 1_800_000_000 + 301)).toBe(false);
    expect(verifyWebhookSignature('whsec_abc', '{"id":"1"}', undefined, 1_800_000_000)).toBe(false);
    expect(verifyWebhookSignature('whsec_abc', '{"id":"1"}', 't=x,v1=zz', 1_800_000_000)).toBe(false);
  });
});

describe('retry backoff', () => {
  const created = new Date(Date.UTC(2026, 0, 1));
  it('doubles from 30 s with ±50 % jitter, caps at an hour, and stops 24 h after the first attempt', () => {
    const at = (attempts: number, random: number, now = created) => nextAttemptAt(DEFAULT_WEBHOOK_POLICY, attempts, created, now, () => random)!.getTime() - now.getTime();
    expect(at(1, 0)).toBe(15_000);
    expect(at(1, 0.5)).toBe(30_000);
    expect(at(2, 0.5)).toBe(60_000);
    expect(at(3, 0.999)).toBe(Math.round(120_000 * 1.499));
    expect(at(20, 0.5)).toBe(3_600_000);
    const late = new Date(created.getTime() + 24 * 3_600_000 - 60_000);
    expect(nextAttemptAt(DEFAULT_WEBHOOK_POLICY, 20, created, late, () => 0.5)).toBeNull();
  });
});
