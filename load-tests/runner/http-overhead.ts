/*
 * Per-request CPU of Holdfast's HTTP edge (the middleware every /api request passes, and reading a
 * JSON body through the route validator), against a bare Hono POST on the same adapter. Server and
 * client share this process, so figures are "CPU ms per request, both ends"; compare rows, not
 * absolutes. Re-run after changing server/app.ts middleware:
 *   npx tsx load-tests/runner/http-overhead.ts
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { serve } from '@hono/node-server';
import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { Hono } from 'hono';
import pino from 'pino';
import { z } from 'zod';
import { createHttpEdge } from '../../server/http/edge';
import type { AppEnv } from '../../server/http/context';
import { jsonBody } from '../../server/http/params';
import { Agent, request } from 'node:http';

const body = JSON.stringify({ workshopId: crypto.randomUUID(), serviceId: crypto.randomUUID(), slotId: crypto.randomUUID(), options: {} });
const schema = z.object({ workshopId: z.uuid(), serviceId: z.uuid(), slotId: z.uuid(), options: z.record(z.string(), z.string()).optional() });

function bare() {
  const app = new Hono();
  app.post('/api/echo', async (c) => c.json({ ok: (await c.req.json()).slotId }, 201));
  return app;
}

function holdfast() {
  const app = new OpenAPIHono<AppEnv>();
  createHttpEdge(app, { logger: pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: false })), requestDeadlineMs: 5000, bodyLimitBytes: 65_536 });
  app.openapi(
    createRoute({ method: 'post', path: '/api/echo', request: { body: jsonBody(schema) }, responses: { 201: { description: 'ok' } } }),
    (c) => c.json({ ok: c.req.valid('json').slotId }, 201) as never,
  );
  return app;
}

async function measure(label: string, app: { fetch: (r: Request) => Response | Promise<Response> }, n = 20_000, workers = 16) {
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/echo`;
  const agent = new Agent({ keepAlive: true, maxSockets: workers });
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 201 ? resolve() : reject(new Error(`${label}: HTTP ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end(body);
    });
  const run = async (count: number) => {
    let i = 0;
    await Promise.all(Array.from({ length: workers }, async () => { while (i++ < count) await one(); }));
  };
  await run(2000);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await run(n);
  const ms = performance.now() - t0;
  const cu = process.cpuUsage(c0);
  console.log(`${label.padEnd(40)} ${((cu.user + cu.system) / 1000 / n).toFixed(4)} ms CPU/request  ${Math.round(n / (ms / 1000))} req/s`);
  agent.destroy();
  server.close();
}

await measure('bare Hono POST + c.req.json()', bare());
await measure('Holdfast edge + validated JSON body', holdfast());
