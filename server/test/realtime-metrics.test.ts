import { describe, expect, it } from 'vitest';
import { register, verifiedWorkshop, filePrefix, slotAhead } from './fixtures';
import { useTestServer } from './harness';

const t = useTestServer({ REDIS_PREFIX: filePrefix('rt-metrics') });

const metrics = async () => (await fetch(`${t.server.url}/metrics`)).text();
/** The value of one sample line (0 when the series does not exist yet). */
const value = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
};

describe('GET /metrics', () => {
  it('exports Prometheus text with this instance’s own counters, moving with what it does', async () => {
    const { workshop, service } = await verifiedWorkshop(t.server, t.api);
    const customer = await register(t.api, 'customer');
    const before = await metrics();

    const slotId = (await slotAhead(t.api, workshop.id)).id;
    const asCustomer = t.as(customer.token);
    const held = await asCustomer.POST('/api/v1/holds', { body: { workshopId: workshop.id, serviceId: service.id, slotId } });
    expect(held.response.status).toBe(201);
    expect((await asCustomer.POST('/api/v1/bookings', { body: { holdId: held.data!.hold.id } })).response.status).toBe(201);

    const res = await fetch(`${t.server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const after = await res.text();
    const delta = (series: string) => value(after, series) - value(before, series);
    expect(delta('holdfast_hold_requests_total{result="ok"}')).toBe(1);
    expect(delta('holdfast_booking_requests_total{result="ok"}')).toBe(1);
    expect(delta('holdfast_slot_changes_total{cause="held"}')).toBe(1);
    expect(delta('holdfast_slot_changes_total{cause="booked"}')).toBe(1);
    for (const name of [
      'holdfast_sockets_connected',
      // Called at /api/v1/holds, counted under the one route path.
      'holdfast_http_request_duration_seconds_bucket{le="0.001",route="/api/holds",method="POST",status="201"}',
      'holdfast_hold_sweeper_lag_seconds',
      'holdfast_change_broadcast_delay_seconds_count',
      'process_cpu_user_seconds_total',
    ]) {
      expect(after, name).toContain(name);
    }
  });
});
