import { Migration } from '@mikro-orm/migrations';
// Live repair tracking (docs/architecture.md, "Repair tracking"):
//  - job_stage_update: an accepted job's stages with a note and an ETA, who moved it and when;
//  - job_quote (+ job_quote_item): extra work the workshop quotes and the customer approves or
//    declines (or the workshop withdraws). At most one pending quote per booking (partial unique
//    index); a decided quote records who decided and when. An approval adds the quote's total to
//    booking.price_cents in the same transaction (server/db/job.repository.ts).
// Written in plain SQL like booking_message (no ORM entity reads these tables).

export class Migration20261201200000 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "job_stage_update" (
      "id" uuid not null,
      "seq" bigint generated always as identity,
      "booking_id" uuid not null,
      "stage" text not null,
      "note" text null,
      "eta" timestamptz null,
      "by_id" uuid not null,
      "by_role" text not null,
      "at" timestamptz not null,
      constraint "job_stage_update_pkey" primary key ("id"),
      constraint "job_stage_update_stage_check" check ("stage" in ('checked_in', 'diagnosing', 'waiting_for_parts', 'in_progress', 'ready_for_collection')),
      constraint "job_stage_update_note_check" check ("note" is null or char_length("note") between 1 and 1000));`);
    this.addSql(`alter table "job_stage_update" add constraint "job_stage_update_booking_id_foreign" foreign key ("booking_id") references "booking" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "job_stage_update" add constraint "job_stage_update_by_id_foreign" foreign key ("by_id") references "user" ("id") on update cascade;`);
    this.addSql(`create index "job_stage_update_booking_index" on "job_stage_update" ("booking_id", "seq");`);

    this.addSql(`create table "job_quote" (
      "id" uuid not null,
      "seq" bigint generated always as identity,
      "booking_id" uuid not null,
      "status" text not null default 'pending',
      "total_minor" bigint not null,
      "currency" text not null,
      "note" text null,
      "created_by" uuid not null,
      "created_at" timestamptz not null,
      "decided_by" uuid null,
      "decided_role" text null,
      "decided_at" timestamptz null,
      constraint "job_quote_pkey" primary key ("id"),
      constraint "job_quote_status_check" check ("status" in ('pending', 'approved', 'declined', 'withdrawn')),
      constraint "job_quote_total_check" check ("total_minor" > 0),
      constraint "job_quote_note_check" check ("note" is null or char_length("note") between 1 and 1000),
      constraint "job_quote_decided_check" check (("status" = 'pending') = ("decided_at" is null) and ("decided_at" is null) = ("decided_by" is null)));`);
    this.addSql(`alter table "job_quote" add constraint "job_quote_booking_id_foreign" foreign key ("booking_id") references "booking" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "job_quote" add constraint "job_quote_created_by_foreign" foreign key ("created_by") references "user" ("id") on update cascade;`);
    this.addSql(`alter table "job_quote" add constraint "job_quote_decided_by_foreign" foreign key ("decided_by") references "user" ("id") on update cascade;`);
    this.addSql(`create index "job_quote_booking_index" on "job_quote" ("booking_id", "created_at" desc, "seq" desc);`);
    this.addSql(`create unique index "job_quote_one_pending" on "job_quote" ("booking_id") where "status" = 'pending';`);

    this.addSql(`create table "job_quote_item" (
      "quote_id" uuid not null,
      "position" int not null,
      "description" text not null,
      "price_minor" bigint not null,
      constraint "job_quote_item_pkey" primary key ("quote_id", "position"),
      constraint "job_quote_item_position_check" check ("position" between 0 and 19),
      constraint "job_quote_item_description_check" check (char_length("description") between 1 and 200),
      constraint "job_quote_item_price_check" check ("price_minor" between 1 and 10000000));`);
    this.addSql(`alter table "job_quote_item" add constraint "job_quote_item_quote_id_foreign" foreign key ("quote_id") references "job_quote" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "job_quote_item";`);
    this.addSql(`drop table if exists "job_quote";`);
    this.addSql(`drop table if exists "job_stage_update";`);
  }

}
