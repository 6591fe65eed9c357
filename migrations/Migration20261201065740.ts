import { Migration } from '@mikro-orm/migrations';
// Payments, provider side: the simulated card processor's objects and idempotency keys (so every
// process and every restart sees one processor), and each verified provider webhook event, once.

export class Migration20261201065740 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "simulated_payment" ("id" varchar(40) not null, "kind" varchar(16) not null, "status" varchar(20) not null, "amount" int not null, "currency" varchar(3) null, "captured" int not null default 0, "refunded" int not null default 0, "parent_id" varchar(40) null, "expires_at" timestamptz null, "data" jsonb null, "created_at" timestamptz not null, constraint "simulated_payment_pkey" primary key ("id"), constraint simulated_payment_amounts_check check (amount >= 0 and captured >= 0 and captured <= amount and refunded >= 0 and refunded <= captured));`);
    this.addSql(`create index "simulated_payment_parent_id_index" on "simulated_payment" ("parent_id");`);
    this.addSql(`create table "simulated_payment_request" ("idempotency_key" varchar(255) not null, "operation" varchar(20) not null, "params_hash" varchar(64) not null, "response" jsonb null, "created_at" timestamptz not null, constraint "simulated_payment_request_pkey" primary key ("idempotency_key"));`);
    this.addSql(`create table "payment_webhook_event" ("provider" varchar(20) not null, "event_id" varchar(255) not null, "type" varchar(40) not null, "provider_type" varchar(100) not null, "object_id" varchar(255) null, "created_at" timestamptz not null, "received_at" timestamptz not null, "payload" jsonb not null, constraint "payment_webhook_event_pkey" primary key ("provider", "event_id"));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "payment_webhook_event" cascade;`);
    this.addSql(`drop table if exists "simulated_payment_request" cascade;`);
    this.addSql(`drop table if exists "simulated_payment" cascade;`);
  }

}
