import { Migration } from '@mikro-orm/migrations';
// Payout accounts with their onboarding status (docs/payments.md, Connect onboarding): a Stripe
// connected account is opened by the workshop's owner from the desk, and only one whose payouts
// are enabled is paid. `status_at` is when the status was last learnt (an `account.updated`
// event's time, or a read from the provider): an older event never overwrites a newer status.
// Simulated accounts are enabled the moment they exist; Stripe accounts opened before this
// migration (by the first payout) have an unknown status (null), read from Stripe when next needed.

export class Migration20261201120000 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "money_payout_account"
      add column "details_submitted" boolean not null default false,
      add column "charges_enabled" boolean not null default false,
      add column "payouts_enabled" boolean not null default false,
      add column "status_at" timestamptz null;`);
    this.addSql(`update "money_payout_account" set "details_submitted" = true, "charges_enabled" = true, "payouts_enabled" = true, "status_at" = "created_at" where "provider" = 'simulated';`);
    this.addSql(`create unique index "money_payout_account_account_unique" on "money_payout_account" ("provider", "account_id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "money_payout_account_account_unique";`);
    this.addSql(`alter table "money_payout_account" drop column "details_submitted", drop column "charges_enabled", drop column "payouts_enabled", drop column "status_at";`);
  }

}
