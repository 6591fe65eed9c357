import { Migration } from '@mikro-orm/migrations';
// The booking_service safety net (a booking inserted without its services gets its one service at
// position 0, at commit) asked `not exists (select 1 from booking_service where booking_id = …)`.
// Postgres caches a plpgsql statement's plan per connection, and the generic plan made while the
// table was small reads booking_service with a sequential scan: every confirm then read the whole
// table (783 rows per confirm in the bench's fourth second, growing with every booking) until an
// ANALYZE replanned it. `on conflict do nothing` asks the primary key (booking_id, position) and the
// (booking_id, service_id) index instead, whatever the plan: every writer puts a visit's first
// service at position 0, so a booking with services conflicts and nothing is written, as before.

export class Migration20261201235000 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create or replace function booking_service_default() returns trigger language plpgsql as $$
      begin
        insert into booking_service (booking_id, position, service_id, duration_minutes, price_cents, options)
          select b.id, 0, b.service_id, s.duration_minutes, b.price_cents, coalesce(b.options, '{}'::jsonb)
            from booking b join service s on s.id = b.service_id
           where b.id = new.id
        on conflict do nothing;
        return null;
      end $$;`);
  }

  override async down(): Promise<void> {
    this.addSql(`create or replace function booking_service_default() returns trigger language plpgsql as $$
      begin
        insert into booking_service (booking_id, position, service_id, duration_minutes, price_cents, options)
          select b.id, 0, b.service_id, s.duration_minutes, b.price_cents, coalesce(b.options, '{}'::jsonb)
            from booking b join service s on s.id = b.service_id
           where b.id = new.id and not exists (select 1 from booking_service x where x.booking_id = new.id);
        return null;
      end $$;`);
  }

}
