import { Migration } from '@mikro-orm/migrations';
// Multi-service visits: a booking's services, in order, each with its duration and quoted price
// (a one-service booking has one row; the rows' prices add up to the booking's price).
//  - backfilled from booking.service_id, so every existing booking has its one row;
//  - a deferred constraint trigger gives a booking inserted without rows (seed data, raw inserts)
//    its one row at COMMIT, so every booking keeps at least one;
//  - booking.service_id stays the visit's first service (position 0).

export class Migration20261201170000 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "booking_service" ("booking_id" uuid not null, "position" smallint not null, "service_id" uuid not null, "duration_minutes" int not null, "price_cents" int not null, "options" jsonb not null default '{}', constraint "booking_service_pkey" primary key ("booking_id", "position"), constraint "booking_service_position_check" check (position >= 0 and position < 5), constraint "booking_service_duration_check" check (duration_minutes > 0), constraint "booking_service_price_check" check (price_cents >= 0));`);
    this.addSql(`alter table "booking_service" add constraint "booking_service_booking_id_foreign" foreign key ("booking_id") references "booking" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "booking_service" add constraint "booking_service_service_id_foreign" foreign key ("service_id") references "service" ("id") on update cascade;`);
    this.addSql(`create unique index "booking_service_booking_service_unique" on "booking_service" ("booking_id", "service_id");`);
    this.addSql(`create index "booking_service_service_id_index" on "booking_service" ("service_id");`);

    this.addSql(`insert into "booking_service" ("booking_id", "position", "service_id", "duration_minutes", "price_cents", "options")
      select b.id, 0, b.service_id, s.duration_minutes, b.price_cents, coalesce(b.options, '{}'::jsonb) from booking b join service s on s.id = b.service_id
      on conflict do nothing;`);

    this.addSql(`create function booking_service_default() returns trigger language plpgsql as $$
      begin
        insert into booking_service (booking_id, position, service_id, duration_minutes, price_cents, options)
          select b.id, 0, b.service_id, s.duration_minutes, b.price_cents, coalesce(b.options, '{}'::jsonb)
            from booking b join service s on s.id = b.service_id
           where b.id = new.id and not exists (select 1 from booking_service x where x.booking_id = new.id);
        return null;
      end $$;`);
    this.addSql(`create constraint trigger booking_service_default after insert on "booking" deferrable initially deferred for each row execute function booking_service_default();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists booking_service_default on "booking";`);
    this.addSql(`drop function if exists booking_service_default();`);
    this.addSql(`drop table if exists "booking_service" cascade;`);
  }

}
