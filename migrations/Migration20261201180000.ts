import { Migration } from '@mikro-orm/migrations';
// Staff accounts (README "Staff and roles"):
//  - workshop_member: who works in which workshop, as owner, front_desk or mechanic. Every existing
//    workshop's owner is backfilled as its 'owner' member; a workshop has exactly one owner member
//    (a partial unique index), and it is the workshop's owner_id (a trigger-free rule kept by the
//    repositories: the owner row is written with the workshop and never changed or removed).
//  - account_token learns a fourth purpose, 'staff_invite': like an admin invitation it is for an
//    address (user_id null) and it carries the workshop and the role it invites to.
//  - booking: the mechanic it is assigned to and the bay. The assignee is a member of the booking's
//    own workshop by a composite foreign key onto workshop_member; removing the member clears the
//    assignee (ON DELETE SET NULL of that one column, PostgreSQL 15).

export class Migration20261201180000 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "workshop_member" (
      "workshop_id" uuid not null,
      "user_id" uuid not null,
      "role" text not null,
      "invited_by" uuid null,
      "created_at" timestamptz not null,
      constraint "workshop_member_pkey" primary key ("workshop_id", "user_id"),
      constraint "workshop_member_role_check" check ("role" in ('owner', 'front_desk', 'mechanic')));`);
    this.addSql(`alter table "workshop_member" add constraint "workshop_member_workshop_id_foreign" foreign key ("workshop_id") references "workshop" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "workshop_member" add constraint "workshop_member_user_id_foreign" foreign key ("user_id") references "user" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "workshop_member" add constraint "workshop_member_invited_by_foreign" foreign key ("invited_by") references "user" ("id") on update cascade on delete set null;`);
    this.addSql(`create index "workshop_member_user_id_index" on "workshop_member" ("user_id");`);
    this.addSql(`create unique index "workshop_member_one_owner" on "workshop_member" ("workshop_id") where "role" = 'owner';`);
    this.addSql(`insert into "workshop_member" ("workshop_id", "user_id", "role", "invited_by", "created_at")
      select "id", "owner_id", 'owner', null, "created_at" from "workshop" on conflict do nothing;`);

    // account_token: the purpose and subject checks were unnamed; replace them by name-independent lookup.
    this.addSql(`do $$ declare c record; begin
      for c in select conname from pg_constraint where conrelid = 'account_token'::regclass and contype = 'c' loop
        execute format('alter table account_token drop constraint %I', c.conname);
      end loop; end $$;`);
    this.addSql(`alter table "account_token"
      add column "workshop_id" uuid null references "workshop" ("id") on delete cascade,
      add column "staff_role" text null;`);
    this.addSql(`alter table "account_token"
      add constraint "account_token_purpose_check" check ("purpose" in ('password_reset', 'email_verify', 'admin_invite', 'staff_invite')),
      add constraint "account_token_subject_check" check (("purpose" in ('admin_invite', 'staff_invite')) = ("user_id" is null)),
      add constraint "account_token_staff_check" check (("purpose" = 'staff_invite') = ("workshop_id" is not null)
        and ("purpose" = 'staff_invite') = ("staff_role" is not null)
        and ("staff_role" is null or "staff_role" in ('front_desk', 'mechanic')));`);
    this.addSql(`create index "account_token_staff_invite_index" on "account_token" ("workshop_id", "created_at" desc) where "purpose" = 'staff_invite' and "used_at" is null and "revoked_at" is null;`);

    this.addSql(`alter table "booking" add column "assignee_id" uuid null, add column "bay" smallint null;`);
    this.addSql(`alter table "booking" add constraint "booking_bay_check" check ("bay" is null or "bay" >= 1);`);
    this.addSql(`alter table "booking" add constraint "booking_assignee_member_foreign" foreign key ("workshop_id", "assignee_id") references "workshop_member" ("workshop_id", "user_id") on update cascade on delete set null ("assignee_id");`);
    this.addSql(`create index "booking_assignee_id_index" on "booking" ("assignee_id") where "assignee_id" is not null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "booking" drop constraint "booking_assignee_member_foreign";`);
    this.addSql(`alter table "booking" drop column "assignee_id", drop column "bay";`);
    this.addSql(`delete from "account_token" where "purpose" = 'staff_invite';`);
    this.addSql(`alter table "account_token" drop constraint "account_token_purpose_check", drop constraint "account_token_subject_check", drop constraint "account_token_staff_check";`);
    this.addSql(`alter table "account_token" drop column "workshop_id", drop column "staff_role";`);
    this.addSql(`alter table "account_token"
      add constraint "account_token_purpose_check" check ("purpose" in ('password_reset', 'email_verify', 'admin_invite')),
      add constraint "account_token_check" check (("purpose" = 'admin_invite') = ("user_id" is null));`);
    this.addSql(`drop table if exists "workshop_member";`);
  }

}
