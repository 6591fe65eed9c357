import { Migration } from '@mikro-orm/migrations';
// Account links (README "Accounts"): password reset, email verification and admin invitations,
// each a single-use token emailed as a link. Only the token's SHA-256 is kept (account_token);
// the mail owed goes into the outbox in the same transaction, which now carries account mail
// beside booking mail: booking_id and event_id become optional, account_token_id names the
// token the message is about, recipient_email addresses an invitee who has no account yet, and
// sealed_token holds the raw token sealed (AES-256-GCM, a key derived from the app secret) only
// until the message is final, then cleared.
// Existing users are backfilled as verified: only accounts registered from now on start unverified.

export class Migration20261201100000 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "user" add column "email_verified_at" timestamptz null;`);
    this.addSql(`update "user" set "email_verified_at" = "created_at";`);
    this.addSql(`create table "account_token" (
      "id" uuid primary key,
      "purpose" text not null check ("purpose" in ('password_reset', 'email_verify', 'admin_invite')),
      "token_hash" text not null unique,
      "user_id" uuid null references "user" ("id") on delete cascade,
      "email" text not null,
      "invited_by" uuid null references "user" ("id") on delete set null,
      "expires_at" timestamptz not null,
      "used_at" timestamptz null,
      "revoked_at" timestamptz null,
      "created_at" timestamptz not null,
      check (("purpose" = 'admin_invite') = ("user_id" is null)));`);
    this.addSql(`create index "account_token_user_index" on "account_token" ("user_id", "purpose") where "used_at" is null and "revoked_at" is null;`);
    this.addSql(`create index "account_token_invite_index" on "account_token" ("created_at" desc) where "purpose" = 'admin_invite' and "used_at" is null and "revoked_at" is null;`);
    this.addSql(`alter table "outbox_message" alter column "booking_id" drop not null, alter column "event_id" drop not null, alter column "recipient_id" drop not null;`);
    this.addSql(`alter table "outbox_message"
      add column "account_token_id" uuid null references "account_token" ("id") on delete cascade,
      add column "recipient_email" text null,
      add column "sealed_token" text null;`);
    this.addSql(`alter table "outbox_message" add constraint "outbox_message_subject_check"
      check (("booking_id" is not null and "event_id" is not null and "recipient_id" is not null and "account_token_id" is null)
          or ("booking_id" is null and "account_token_id" is not null and ("recipient_id" is not null or "recipient_email" is not null)));`);
    this.addSql(`create index "outbox_message_account_token_index" on "outbox_message" ("account_token_id") where "account_token_id" is not null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`delete from "outbox_message" where "booking_id" is null;`);
    this.addSql(`alter table "outbox_message" drop constraint "outbox_message_subject_check";`);
    this.addSql(`alter table "outbox_message" drop column "account_token_id", drop column "recipient_email", drop column "sealed_token";`);
    this.addSql(`alter table "outbox_message" alter column "booking_id" set not null, alter column "event_id" set not null, alter column "recipient_id" set not null;`);
    this.addSql(`drop table if exists "account_token";`);
    this.addSql(`alter table "user" drop column "email_verified_at";`);
  }

}
