import { Migration } from '@mikro-orm/migrations';
// Money: a double-entry ledger (accounts, transactions, entries) and each workshop's money policy.
// The ledger's rules live in the database, so no code path can break them:
// - an entry's currency must be both its account's and its transaction's (composite foreign keys);
// - a transaction's entries sum to zero, checked at COMMIT (a deferred constraint trigger), and a
//   transaction without entries is refused the same way;
// - the journal is append-only (corrections are new transactions);
// - `cause` is unique: posting the same cause twice finds the first transaction.
// These tables are written in raw SQL only and left out of the ORM's schema diff (orm-config.ts
// `skipTables`), which could neither declare nor keep the triggers and composite keys.

export class Migration20261201070000 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "ledger_account" (
      "id" uuid not null default gen_random_uuid(),
      "kind" varchar(30) not null,
      "owner_id" uuid null,
      "currency" char(3) not null,
      "created_at" timestamptz not null default now(),
      constraint "ledger_account_pkey" primary key ("id"),
      constraint "ledger_account_id_currency_unique" unique ("id", "currency"),
      constraint "ledger_account_kind_owner_currency_unique" unique nulls not distinct ("kind", "owner_id", "currency"),
      constraint "ledger_account_kind_check" check ("kind" in ('customer_funds', 'platform_escrow', 'platform_revenue', 'processor_fees', 'refunds', 'vendor_payable', 'vendor_payouts')),
      constraint "ledger_account_owner_check" check (("kind" in ('customer_funds', 'vendor_payable', 'vendor_payouts')) = ("owner_id" is not null)),
      constraint "ledger_account_currency_check" check ("currency" ~ '^[A-Z]{3}$'));`);

    this.addSql(`create table "ledger_txn" (
      "id" uuid not null default gen_random_uuid(),
      "kind" varchar(30) not null,
      "currency" char(3) not null,
      "cause" varchar(200) not null,
      "booking_id" uuid null,
      "booking_event_id" uuid null,
      "created_at" timestamptz not null default now(),
      constraint "ledger_txn_pkey" primary key ("id"),
      constraint "ledger_txn_id_currency_unique" unique ("id", "currency"),
      constraint "ledger_txn_cause_unique" unique ("cause"),
      constraint "ledger_txn_kind_check" check ("kind" in ('capture', 'fee_capture', 'release', 'refund', 'payout', 'payout_reversal')),
      constraint "ledger_txn_currency_check" check ("currency" ~ '^[A-Z]{3}$'),
      constraint "ledger_txn_booking_id_foreign" foreign key ("booking_id") references "booking" ("id"),
      constraint "ledger_txn_booking_event_id_foreign" foreign key ("booking_event_id") references "booking_event" ("id"));`);
    this.addSql(`create index "ledger_txn_booking_id_index" on "ledger_txn" ("booking_id");`);

    this.addSql(`create table "ledger_entry" (
      "id" bigint generated always as identity,
      "txn_id" uuid not null,
      "account_id" uuid not null,
      "currency" char(3) not null,
      "amount" bigint not null,
      constraint "ledger_entry_pkey" primary key ("id"),
      constraint "ledger_entry_amount_check" check ("amount" <> 0),
      constraint "ledger_entry_txn_foreign" foreign key ("txn_id", "currency") references "ledger_txn" ("id", "currency"),
      constraint "ledger_entry_account_foreign" foreign key ("account_id", "currency") references "ledger_account" ("id", "currency"));`);
    this.addSql(`create index "ledger_entry_txn_id_index" on "ledger_entry" ("txn_id");`);
    this.addSql(`create index "ledger_entry_account_id_index" on "ledger_entry" ("account_id");`);

    // One check per transaction touched, at COMMIT: every entry has been written by then.
    this.addSql(`create function "ledger_check_txn"() returns trigger language plpgsql as $$
      declare
        t uuid;
        total numeric;
        n int;
      begin
        if tg_table_name = 'ledger_txn' then t := new.id; else t := new.txn_id; end if;
        select coalesce(sum(amount), 0), count(*) into total, n from ledger_entry where txn_id = t;
        if n = 0 then
          raise exception 'ledger transaction % has no entries', t using errcode = '23514';
        end if;
        if total <> 0 then
          raise exception 'ledger transaction % does not balance: its entries sum to %', t, total using errcode = '23514';
        end if;
        return null;
      end $$;`);
    this.addSql(`create constraint trigger "ledger_entry_balanced" after insert on "ledger_entry" deferrable initially deferred for each row execute function "ledger_check_txn"();`);
    this.addSql(`create constraint trigger "ledger_txn_has_entries" after insert on "ledger_txn" deferrable initially deferred for each row execute function "ledger_check_txn"();`);

    this.addSql(`create function "ledger_append_only"() returns trigger language plpgsql as $$
      begin
        raise exception 'the ledger is append-only (% on %): post a correcting transaction instead', tg_op, tg_table_name using errcode = '55000';
      end $$;`);
    this.addSql(`create trigger "ledger_entry_append_only" before update or delete on "ledger_entry" for each row execute function "ledger_append_only"();`);
    this.addSql(`create trigger "ledger_txn_append_only" before update or delete on "ledger_txn" for each row execute function "ledger_append_only"();`);
    this.addSql(`create trigger "ledger_account_append_only" before update or delete on "ledger_account" for each row execute function "ledger_append_only"();`);

    // A workshop without a row has the default policy (full prepayment, free cancellation only).
    this.addSql(`create table "money_policy" (
      "workshop_id" uuid not null,
      "payment_mode" varchar(20) not null,
      "deposit_bps" int null,
      "free_cancel_hours" int not null,
      "late_cancel_fee_bps" int not null,
      "no_show_fee_bps" int not null,
      "updated_at" timestamptz not null default now(),
      constraint "money_policy_pkey" primary key ("workshop_id"),
      constraint "money_policy_workshop_id_foreign" foreign key ("workshop_id") references "workshop" ("id") on delete cascade,
      constraint "money_policy_mode_check" check ("payment_mode" in ('full', 'deposit', 'at_workshop')),
      constraint "money_policy_deposit_check" check (("payment_mode" = 'deposit') = ("deposit_bps" is not null) and coalesce("deposit_bps" between 1 and 10000, true)),
      constraint "money_policy_hours_check" check ("free_cancel_hours" between 0 and 720),
      constraint "money_policy_fees_check" check ("late_cancel_fee_bps" between 0 and 10000 and "no_show_fee_bps" between 0 and 10000));`);

    // Set by admins: a workshop's negotiated rate (category null) and per-category rates for it.
    this.addSql(`create table "money_commission_override" (
      "workshop_id" uuid not null,
      "category" varchar(60) null,
      "commission_bps" int not null,
      "updated_at" timestamptz not null default now(),
      constraint "money_commission_override_unique" unique nulls not distinct ("workshop_id", "category"),
      constraint "money_commission_override_workshop_id_foreign" foreign key ("workshop_id") references "workshop" ("id") on delete cascade,
      constraint "money_commission_override_bps_check" check ("commission_bps" between 0 and 10000));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "money_commission_override" cascade;`);
    this.addSql(`drop table if exists "money_policy" cascade;`);
    this.addSql(`drop table if exists "ledger_entry" cascade;`);
    this.addSql(`drop table if exists "ledger_txn" cascade;`);
    this.addSql(`drop table if exists "ledger_account" cascade;`);
    this.addSql(`drop function if exists "ledger_check_txn"();`);
    this.addSql(`drop function if exists "ledger_append_only"();`);
  }

}
