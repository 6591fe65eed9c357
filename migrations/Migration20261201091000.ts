import { Migration } from '@mikro-orm/migrations';
// Disputes (docs/money.md "Disputes"): the customer of a completed, paid booking reports a problem
// once, within the dispute window; an admin settles it. A booking has at most one dispute (unique
// booking_id), so "one open dispute per booking" holds by construction and a resolution is final.
// The admin's decision (outcome, amount) is written before any money moves and cannot change
// afterwards, so a resolution interrupted half-way is finished by repeating it, never redone
// differently. Raw SQL, skipped by the ORM's schema diff (orm-config.ts skipTables).

export class Migration20261201091000 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "booking_dispute" (
      "id" uuid not null default gen_random_uuid(),
      "booking_id" uuid not null,
      "customer_id" uuid not null,
      "reason" varchar(30) not null,
      "text" text not null,
      "status" varchar(10) not null default 'open',
      "currency" char(3) not null,
      "outcome" varchar(20) null,
      "amount_minor" bigint null,
      "decided_by" uuid null,
      "decided_at" timestamptz null,
      "refunded_minor" bigint null,
      "note" text null,
      "resolved_at" timestamptz null,
      "opened_at" timestamptz not null,
      constraint "booking_dispute_pkey" primary key ("id"),
      constraint "booking_dispute_booking_unique" unique ("booking_id"),
      constraint "booking_dispute_booking_fk" foreign key ("booking_id") references "booking" ("id") on update cascade on delete cascade,
      constraint "booking_dispute_customer_fk" foreign key ("customer_id") references "user" ("id") on update cascade,
      constraint "booking_dispute_decided_by_fk" foreign key ("decided_by") references "user" ("id") on update cascade,
      constraint "booking_dispute_reason_check" check ("reason" in ('work_not_done', 'poor_quality', 'overcharged', 'damage', 'other')),
      constraint "booking_dispute_status_check" check ("status" in ('open', 'resolved')),
      constraint "booking_dispute_outcome_check" check ("outcome" is null or "outcome" in ('full_refund', 'partial_refund', 'release')),
      constraint "booking_dispute_decision_check" check (("outcome" is null) = ("decided_at" is null) and ("outcome" is null) = ("decided_by" is null)),
      constraint "booking_dispute_amount_check" check ((("outcome" in ('full_refund', 'partial_refund')) = ("amount_minor" is not null)) and ("amount_minor" is null or "amount_minor" > 0)),
      constraint "booking_dispute_resolved_check" check ((("status" = 'resolved') = ("resolved_at" is not null)) and (("status" = 'resolved') = ("refunded_minor" is not null)) and ("status" = 'open' or "outcome" is not null)),
      constraint "booking_dispute_refunded_check" check ("refunded_minor" is null or "refunded_minor" >= 0));`);
    this.addSql(`create index "booking_dispute_queue_index" on "booking_dispute" ("status", "opened_at");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "booking_dispute" cascade;`);
  }

}
