import { Migration } from '@mikro-orm/migrations';
// Review governance and the admin audit trail:
//  - a workshop answers a review once (reply_text, replied_at, replied_by);
//  - an admin hides a review with a reason (hidden_*); a hidden review leaves the workshop's rating;
//  - anyone signed in reports a review once (review_report); open reports form the admin's queue;
//  - admin_audit records every admin action (who, what, on what, why, when). It is append-only:
//    UPDATE and DELETE are refused by a trigger, so the record cannot be rewritten afterwards. `seq`
//    orders entries written at the same instant (as the server's clock reads it).

export class Migration20261201150000 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "review" add column "reply_text" text null, add column "replied_at" timestamptz null, add column "replied_by" uuid null, add column "hidden_at" timestamptz null, add column "hidden_reason" text null, add column "hidden_by" uuid null;`);
    this.addSql(`alter table "review" add constraint "review_replied_by_foreign" foreign key ("replied_by") references "user" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "review" add constraint "review_hidden_by_foreign" foreign key ("hidden_by") references "user" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "review" add constraint "review_hidden_reason_check" check (("hidden_at" is null) = ("hidden_reason" is null));`);

    this.addSql(`create table "review_report" ("id" uuid not null, "review_id" uuid not null, "reporter_id" uuid not null, "reason" text not null, "created_at" timestamptz not null, "resolved_at" timestamptz null, constraint "review_report_pkey" primary key ("id"));`);
    this.addSql(`alter table "review_report" add constraint "review_report_review_id_foreign" foreign key ("review_id") references "review" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "review_report" add constraint "review_report_reporter_id_foreign" foreign key ("reporter_id") references "user" ("id") on update cascade on delete cascade;`);
    this.addSql(`create unique index "review_report_review_reporter_unique" on "review_report" ("review_id", "reporter_id");`);
    this.addSql(`create index "review_report_open_index" on "review_report" ("review_id") where "resolved_at" is null;`);

    this.addSql(`create table "admin_audit" ("id" uuid not null, "seq" bigint generated always as identity, "actor_id" uuid not null, "action" text not null, "target_type" text not null, "target_id" uuid not null, "reason" text null, "created_at" timestamptz not null, constraint "admin_audit_pkey" primary key ("id"));`);
    this.addSql(`alter table "admin_audit" add constraint "admin_audit_actor_id_foreign" foreign key ("actor_id") references "user" ("id") on update cascade;`);
    this.addSql(`create index "admin_audit_created_at_index" on "admin_audit" ("created_at" desc, "seq" desc);`);
    this.addSql(`create index "admin_audit_target_index" on "admin_audit" ("target_type", "target_id", "created_at" desc, "seq" desc);`);
    this.addSql(`create function admin_audit_append_only() returns trigger language plpgsql as $$ begin raise exception 'admin_audit is append-only'; end $$;`);
    this.addSql(`create trigger admin_audit_append_only before update or delete on "admin_audit" for each row execute function admin_audit_append_only();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "admin_audit" cascade;`);
    this.addSql(`drop function if exists admin_audit_append_only();`);
    this.addSql(`drop table if exists "review_report" cascade;`);
    this.addSql(`alter table "review" drop constraint if exists "review_hidden_reason_check", drop column "reply_text", drop column "replied_at", drop column "replied_by", drop column "hidden_at", drop column "hidden_reason", drop column "hidden_by";`);
  }

}
