import { Migration } from '@mikro-orm/migrations';
// Trust and quality:
//  - a workshop carries its business registration number and the last day its insurance covers
//    (both checked by the verification checklist);
//  - workshop_verification is the append-only verification record: each verify, insurance lapse
//    and re-verify with what was checked (registration number, insurance expiry), by whom (an
//    admin; null for the system's lapse sweep), why and when. UPDATE and DELETE are refused;
//  - quality_dismissal: an admin left a workshop in the quality queue as it is, with a reason, until
//    a date; `breaches` are the threshold keys it breached then (a new breach brings it back).
//  - booking_event (booking_id, type) serves the per-workshop quality query.

export class Migration20261201210000 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "workshop" add column "registration_number" varchar(40) null, add column "insurance_expires_on" date null;`);
    this.addSql(`alter table "workshop" add constraint "workshop_registration_number_check" check (registration_number is null or char_length(registration_number) between 2 and 40);`);
    this.addSql(`create index "workshop_insurance_expires_on_index" on "workshop" ("insurance_expires_on") where "status" = 'verified';`);

    this.addSql(`create table "workshop_verification" ("id" uuid not null, "seq" bigint generated always as identity, "workshop_id" uuid not null, "action" text not null, "registration_number" varchar(40) null, "insurance_expires_on" date null, "by_id" uuid null, "reason" text null, "created_at" timestamptz not null, constraint "workshop_verification_pkey" primary key ("id"));`);
    this.addSql(`alter table "workshop_verification" add constraint "workshop_verification_action_check" check ("action" in ('verified', 'lapsed', 'reverified'));`);
    this.addSql(`alter table "workshop_verification" add constraint "workshop_verification_workshop_id_foreign" foreign key ("workshop_id") references "workshop" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "workshop_verification" add constraint "workshop_verification_by_id_foreign" foreign key ("by_id") references "user" ("id") on update cascade;`);
    this.addSql(`create index "workshop_verification_workshop_index" on "workshop_verification" ("workshop_id", "created_at" desc, "seq" desc);`);
    this.addSql(`create function workshop_verification_append_only() returns trigger language plpgsql as $$ begin raise exception 'workshop_verification is append-only'; end $$;`);
    // DELETE of the workshop itself cascades (a deleted workshop takes its record along); row edits are refused.
    this.addSql(`create trigger workshop_verification_append_only before update on "workshop_verification" for each row execute function workshop_verification_append_only();`);

    this.addSql(`create table "quality_dismissal" ("id" uuid not null, "workshop_id" uuid not null, "by_id" uuid not null, "reason" text not null, "breaches" text[] not null, "created_at" timestamptz not null, "until" timestamptz not null, constraint "quality_dismissal_pkey" primary key ("id"));`);
    this.addSql(`alter table "quality_dismissal" add constraint "quality_dismissal_workshop_id_foreign" foreign key ("workshop_id") references "workshop" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "quality_dismissal" add constraint "quality_dismissal_by_id_foreign" foreign key ("by_id") references "user" ("id") on update cascade;`);
    this.addSql(`create index "quality_dismissal_workshop_index" on "quality_dismissal" ("workshop_id", "until" desc);`);

    this.addSql(`create index if not exists "booking_event_booking_type_index" on "booking_event" ("booking_id", "type");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "booking_event_booking_type_index";`);
    this.addSql(`drop table if exists "quality_dismissal" cascade;`);
    this.addSql(`drop table if exists "workshop_verification" cascade;`);
    this.addSql(`drop function if exists workshop_verification_append_only();`);
    this.addSql(`drop index if exists "workshop_insurance_expires_on_index";`);
    this.addSql(`alter table "workshop" drop constraint if exists "workshop_registration_number_check", drop column "registration_number", drop column "insurance_expires_on";`);
  }

}
