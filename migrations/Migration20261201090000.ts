import { Migration } from '@mikro-orm/migrations';
// Booking payments: one row per booking with what the card processor holds for it (docs/money.md,
// "A booking's payment"). Written in the booking's own transaction at confirm, so no booking exists
// without its payment state. `payment_attempt` lists authorizations made before their booking
// committed: the confirm deletes its row in the booking's transaction, so a row that stays behind
// names an authorization without a booking, which the payment sweep voids.
// Raw SQL only (orm-config.ts skipTables).

export class Migration20261201090000 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "booking_payment" (
      "booking_id" uuid not null,
      "mode" varchar(12) not null,
      "provider" varchar(20) null,
      "payment_id" varchar(255) null,
      "currency" char(3) not null,
      "price_minor" bigint not null,
      "authorized_minor" bigint not null default 0,
      "captured_minor" bigint not null default 0,
      "fee_minor" bigint not null default 0,
      "refunded_minor" bigint not null default 0,
      "commission_bps" int not null,
      "late_cancel_fee_minor" bigint not null default 0,
      "no_show_fee_minor" bigint not null default 0,
      "free_cancel_until" timestamptz not null,
      "free_cancel_hours" int not null default 0,
      "status" varchar(20) not null,
      "authorization_expires_at" timestamptz null,
      "pending_action" varchar(12) null,
      "pending_amount" bigint null,
      "pending_event_id" uuid null,
      "attempts" int not null default 0,
      "last_error" text null,
      "next_attempt_at" timestamptz null,
      "completed_at" timestamptz null,
      "released_at" timestamptz null,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(),
      constraint "booking_payment_pkey" primary key ("booking_id"),
      constraint "booking_payment_booking_id_foreign" foreign key ("booking_id") references "booking" ("id") on update cascade on delete cascade,
      constraint "booking_payment_payment_id_unique" unique ("payment_id"),
      constraint "booking_payment_mode_check" check ("mode" in ('full', 'deposit', 'at_workshop')),
      constraint "booking_payment_provider_check" check ("provider" in ('simulated', 'stripe')),
      constraint "booking_payment_status_check" check ("status" in ('at_workshop', 'authorized', 'captured', 'voided', 'expired', 'refunded')),
      constraint "booking_payment_pending_check" check ("pending_action" in ('capture', 'fee_capture', 'void')),
      -- No card (paying at the workshop, or nothing to authorize such as a free service): no provider, no payment id, status at_workshop.
      constraint "booking_payment_card_check" check (("provider" is null) = ("payment_id" is null) and ("provider" is null) = ("status" = 'at_workshop')),
      constraint "booking_payment_amounts_check" check ("authorized_minor" >= 0 and "captured_minor" >= 0 and "captured_minor" <= "authorized_minor"
        and "fee_minor" >= 0 and "fee_minor" <= "captured_minor" and "refunded_minor" >= 0 and "refunded_minor" <= "captured_minor"
        and "price_minor" >= 0 and "late_cancel_fee_minor" >= 0 and "no_show_fee_minor" >= 0));`);
    this.addSql(`create index "booking_payment_pending_index" on "booking_payment" ("next_attempt_at") where "pending_action" is not null;`);
    this.addSql(`create index "booking_payment_unreleased_index" on "booking_payment" ("completed_at") where "captured_minor" > 0 and "released_at" is null;`);

    this.addSql(`create table "payment_attempt" (
      "idempotency_key" varchar(200) not null,
      "hold_id" varchar(64) not null,
      "customer_id" uuid not null,
      "provider" varchar(20) not null,
      "payment_method" varchar(255) not null,
      "amount" bigint not null,
      "currency" char(3) not null,
      "payment_id" varchar(255) null,
      "created_at" timestamptz not null,
      constraint "payment_attempt_pkey" primary key ("idempotency_key"));`);
    this.addSql(`create index "payment_attempt_created_at_index" on "payment_attempt" ("created_at");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "payment_attempt";`);
    this.addSql(`drop table if exists "booking_payment";`);
  }

}
