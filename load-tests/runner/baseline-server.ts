/*
 * Ceilings and peers for `--scenario baseline`, on the same stack as Holdfast (Hono on
 * @hono/node-server, Socket.IO 4, pg): a bare GET, a bare Socket.IO room emit, a cal.com-style
 * reservation (one upsert per hold) and a row-lock booking (SELECT … FOR UPDATE, then insert).
 * Run as a child process by the runner: PORT and DATABASE_URL from the environment.
 */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import pg from 'pg';
import { Server } from 'socket.io';

const port = Number(process.env.PORT ?? 0);
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 20 });

const app = new Hono();
app.get('/ping', (c) => c.json({ ok: true }));
app.get('/ready', (c) => c.json({ ok: true }));

// cal.com-style: a reservation is one upsert; capacity is not checked here (it is advisory).
app.post('/peer/reserve', async (c) => {
  const { slotId, customerId } = await c.req.json<{ slotId: string; customerId: string }>();
  const r = await pool.query(
    `insert into bench_selected_slot (slot_id, customer_id, release_at) values ($1, $2, now() + interval '2 minutes')
     on conflict (slot_id, customer_id) do update set release_at = excluded.release_at returning id`,
    [slotId, customerId],
  );
  return c.json({ reservation: { id: r.rows[0].id } }, 201);
});

// A typical booking API: lock the slot row, check capacity, insert, count, commit.
app.post('/peer/book', async (c) => {
  const { slotId, customerId } = await c.req.json<{ slotId: string; customerId: string }>();
  const client = await pool.connect();
  try {
    await client.query('begin');
    const s = await client.query('select capacity, booked from bench_slot where id = $1 for update', [slotId]);
    const row = s.rows[0] as { capacity: number; booked: number } | undefined;
    if (!row || row.booked >= row.capacity) {
      await client.query('rollback');
      return c.json({ error: { code: 'SLOT_UNAVAILABLE' } }, 409);
    }
    const b = await client.query('insert into bench_booking (slot_id, customer_id) values ($1, $2) returning id', [slotId, customerId]);
    await client.query('update bench_slot set booked = booked + 1 where id = $1', [slotId]);
    await client.query('commit');
    return c.json({ booking: { id: b.rows[0].id } }, 201);
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
});

let io: Server | undefined;
// The runner asks for one emit; the payload is shaped like a Holdfast `slots:changed`.
app.post('/emit', async (c) => {
  const payload = await c.req.json();
  io!.to('bench').emit('slots:changed', payload);
  return c.body(null, 204);
});

const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, (info) => {
  process.stdout.write(`listening ${info.port}\n`);
});
io = new Server(server as never, { transports: ['websocket'] });
io.on('connection', (socket) => {
  void socket.join('bench');
  socket.on('workshop:watch', (_req: unknown, ack?: (r: unknown) => void) => ack?.({ ok: true, data: null }));
});

const stop = () => {
  io?.close();
  server.close();
  void pool.end().finally(() => process.exit(0));
  setTimeout(() => process.exit(0), 3000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
