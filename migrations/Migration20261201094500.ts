import { Migration } from '@mikro-orm/migrations';
// Outgoing webhooks (docs/webhooks.md). Endpoints belong to a vendor (one of its workshops) or to
// an admin (one workshop or all). A booking event becomes one delivery per subscribed endpoint in
// the same transaction as the event: a trigger on booking_event inserts them, so every place that
// writes an event (the confirm's single statement included) fans out without knowing about
// webhooks, and a rolled-back event leaves no delivery. Deliveries are the queue and the log:
// the worker claims due ones with SKIP LOCKED, oldest first per (endpoint, booking).

export class Migration20261201094500 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "webhook_endpoint" (
      "id" uuid primary key,
      "owner_id" uuid not null references "user" ("id") on delete cascade,
      "workshop_id" uuid null references "workshop" ("id") on delete cascade,
      "url" text not null,
      "secret" text not null,
      "event_types" text[] not null check (cardinality("event_types") > 0),
      "status" text not null default 'active' check ("status" in ('active', 'disabled')),
      "disabled_reason" text null,
      "consecutive_failures" int not null default 0,
      "created_at" timestamptz not null default now());`);
    this.addSql(`create index "webhook_endpoint_owner_index" on "webhook_endpoint" ("owner_id");`);
    this.addSql(`create index "webhook_endpoint_active_index" on "webhook_endpoint" ("workshop_id") where "status" = 'active';`);
    this.addSql(`create table "webhook_delivery" (
      "id" uuid primary key,
      "seq" bigint generated always as identity,
      "endpoint_id" uuid not null references "webhook_endpoint" ("id") on delete cascade,
      "booking_id" uuid not null references "booking" ("id") on delete cascade,
      "event_id" uuid not null,
      "event_type" text not null,
      "redelivery_of" uuid null,
      "status" text not null default 'pending' check ("status" in ('pending', 'delivered', 'failed')),
      "attempts" int not null default 0,
      "next_attempt_at" timestamptz not null,
      "first_attempt_at" timestamptz null,
      "last_status_code" int null,
      "last_latency_ms" int null,
      "last_error" text null,
      "response_excerpt" text null,
      "delivered_at" timestamptz null,
      "created_at" timestamptz not null);`);
    this.addSql(`create unique index "webhook_delivery_event_unique" on "webhook_delivery" ("endpoint_id", "event_id") where "redelivery_of" is null;`);
    this.addSql(`create index "webhook_delivery_due_index" on "webhook_delivery" ("next_attempt_at") where "status" = 'pending';`);
    this.addSql(`create index "webhook_delivery_order_index" on "webhook_delivery" ("endpoint_id", "booking_id", "seq") where "status" = 'pending';`);
    this.addSql(`create index "webhook_delivery_log_index" on "webhook_delivery" ("endpoint_id", "seq" desc);`);
    // Booking event types → webhook event types; anything unlisted is not published.
    this.addSql(`create function "webhook_event_type"(t text) returns text language sql immutable as $$
      select case t
        when 'requested' then 'booking.requested' when 'accepted' then 'booking.accepted'
        when 'declined' then 'booking.declined' when 'expired' then 'booking.expired'
        when 'cancelled' then 'booking.cancelled' when 'rescheduled' then 'booking.rescheduled'
        when 'move_requested' then 'booking.move_requested' when 'moved' then 'booking.moved'
        when 'in_progress' then 'booking.started' when 'completed' then 'booking.completed'
        when 'no_show' then 'booking.no_show' else null end $$;`);
    this.addSql(`create function "webhook_fanout"() returns trigger language plpgsql as $$
      declare
        wtype text := webhook_event_type(new.type);
      begin
        if wtype is null or not exists (select 1 from webhook_endpoint where status = 'active') then
          return null;
        end if;
        insert into webhook_delivery (id, endpoint_id, booking_id, event_id, event_type, next_attempt_at, created_at)
          select gen_random_uuid(), e.id, new.booking_id, new.id, wtype, clock_timestamp(), clock_timestamp()
            from webhook_endpoint e join booking b on b.id = new.booking_id
           where e.status = 'active' and wtype = any (e.event_types)
             and (e.workshop_id = b.workshop_id or e.workshop_id is null)
          on conflict do nothing;
        return null;
      end $$;`);
    this.addSql(`create trigger "booking_event_webhook_fanout" after insert on "booking_event" for each row execute function "webhook_fanout"();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists "booking_event_webhook_fanout" on "booking_event";`);
    this.addSql(`drop function if exists "webhook_fanout"();`);
    this.addSql(`drop function if exists "webhook_event_type"(text);`);
    this.addSql(`drop table if exists "webhook_delivery";`);
    this.addSql(`drop table if exists "webhook_endpoint";`);
  }

}
