import { Migration } from '@mikro-orm/migrations';
// Payouts: each workshop's daily settlement of its vendor_payable balance (docs/money.md, Payouts).
// - `money_payout`: one row per workshop, currency and settlement day (the unique key makes a day's
//   payout exactly-once however many processes run the settlement); status pending → paid | failed.
//   The ledger movement `payout:<id>` is posted in the same transaction as the row's insert.
// - `money_payout_account`: the workshop's account at the payment provider that payouts go to (a
//   Stripe connected account, or one of the simulated processor's), made on the first payout.
// Both are raw SQL, left out of the ORM's schema diff by orm-config.ts `skipTables` (/^money_/).

export class Migration20261201092000 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "money_payout" (
      "id" uuid not null default gen_random_uuid(),
      "workshop_id" uuid not null,
      "currency" char(3) not null,
      "amount" bigint not null,
      "status" varchar(10) not null default 'pending',
      "period" date not null,
      "provider" varchar(20) not null,
      "provider_account_id" varchar(255) null,
      "provider_transfer_id" varchar(255) null,
      "failure_reason" varchar(500) null,
      "created_at" timestamptz not null,
      "settled_at" timestamptz null,
      constraint "money_payout_pkey" primary key ("id"),
      constraint "money_payout_workshop_id_foreign" foreign key ("workshop_id") references "workshop" ("id"),
      constraint "money_payout_once_a_day" unique ("workshop_id", "currency", "period"),
      constraint "money_payout_amount_check" check ("amount" > 0),
      constraint "money_payout_status_check" check ("status" in ('pending', 'paid', 'failed')),
      constraint "money_payout_currency_check" check ("currency" ~ '^[A-Z]{3}$'),
      constraint "money_payout_settled_check" check (("status" = 'pending') = ("settled_at" is null)),
      constraint "money_payout_paid_check" check ("status" <> 'paid' or "provider_transfer_id" is not null),
      constraint "money_payout_failed_check" check ("status" <> 'failed' or "failure_reason" is not null));`);
    this.addSql(`create index "money_payout_workshop_created_index" on "money_payout" ("workshop_id", "created_at" desc);`);
    this.addSql(`create index "money_payout_pending_index" on "money_payout" ("created_at") where "status" = 'pending';`);

    this.addSql(`create table "money_payout_account" (
      "workshop_id" uuid not null,
      "provider" varchar(20) not null,
      "account_id" varchar(255) not null,
      "created_at" timestamptz not null,
      constraint "money_payout_account_pkey" primary key ("workshop_id", "provider"),
      constraint "money_payout_account_workshop_id_foreign" foreign key ("workshop_id") references "workshop" ("id") on delete cascade);`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "money_payout_account" cascade;`);
    this.addSql(`drop table if exists "money_payout" cascade;`);
  }

}
