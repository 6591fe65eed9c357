import pg from 'pg';

export interface CapacityAudit {
  /** Slots whose `booked` counter exceeds capacity (the CHECK constraint should make this impossible). */
  overCounter: number;
  /** Slots with more active bookings (booking_slot rows) than capacity. */
  overBookings: number;
  /** overCounter + overBookings: the number that must always be 0. */
  doubleBookings: number;
  /** Slots whose `booked` differs from their count of active bookings (a leak, not an over-booking). */
  counterMismatch: number;
  activeBookings: number;
}

/** Counts double bookings by SQL, after a run, straight from Postgres (the system of record). */
export async function auditCapacity(databaseUrl: string, workshopIds?: string[]): Promise<CapacityAudit> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const scope = workshopIds?.length ? 'and s.workshop_id = any($1::uuid[])' : '';
    const params = workshopIds?.length ? [workshopIds] : [];
    const q = async (sql: string) => Number((await client.query(sql, params)).rows[0]?.n ?? 0);
    const overCounter = await q(`select count(*)::int as n from slot s where s.booked > s.capacity ${scope}`);
    const perSlot = `
      select s.id, s.capacity, s.booked, count(b.id)::int as active
      from slot s
      join booking_slot bs on bs.slot_id = s.id
      join booking b on b.id = bs.booking_id and b.status in ('pending', 'accepted', 'in_progress')
      where true ${scope}
      group by s.id, s.capacity, s.booked`;
    const overBookings = await q(`select count(*)::int as n from (${perSlot}) x where x.active > x.capacity`);
    const counterMismatch = await q(`
      select count(*)::int as n from slot s
      left join (${perSlot}) x on x.id = s.id
      where s.booked <> coalesce(x.active, 0) ${scope}`);
    const activeBookings = await q(`
      select count(*)::int as n from booking b join slot s on s.id = b.first_slot_id
      where b.status in ('pending', 'accepted', 'in_progress') ${scope}`);
    return { overCounter, overBookings, doubleBookings: overCounter + overBookings, counterMismatch, activeBookings };
  } finally {
    await client.end();
  }
}
