import { Migration } from '@mikro-orm/migrations';
// The mail outbox (docs/architecture.md, "Mail: outbox and worker"): one row per message a
// booking event owes someone, written in the same transaction as the event; a relay hands each
// row to the job queue (pg-boss, its own schema `pgboss`), whose worker renders and sends it.
// `dedupe_key` (event, template, recipient) makes a retried write insert nothing twice.
// mail_preference: a user's opt-outs of non-essential mail (reminders, review requests).

export class Migration20261201093000 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "outbox_message" (
      "id" uuid primary key,
      "dedupe_key" text not null unique,
      "booking_id" uuid not null references "booking" ("id") on delete cascade,
      "event_id" uuid not null,
      "template" text not null,
      "recipient_id" uuid not null references "user" ("id") on delete cascade,
      "send_after" timestamptz null,
      "status" text not null default 'pending' check ("status" in ('pending', 'sent', 'skipped', 'failed')),
      "enqueued_at" timestamptz null,
      "attempts" int not null default 0,
      "relay_until" timestamptz null,
      "claimed_until" timestamptz null,
      "sent_at" timestamptz null,
      "detail" text null,
      "created_at" timestamptz not null default now());`);
    this.addSql(`create index "outbox_message_unqueued_index" on "outbox_message" ("created_at") where "enqueued_at" is null;`);
    this.addSql(`create index "outbox_message_booking_index" on "outbox_message" ("booking_id");`);
    this.addSql(`create table "mail_preference" (
      "user_id" uuid primary key references "user" ("id") on delete cascade,
      "reminders" boolean not null default true,
      "reviews" boolean not null default true,
      "updated_at" timestamptz not null default now());`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "mail_preference";`);
    this.addSql(`drop table if exists "outbox_message";`);
  }

}
