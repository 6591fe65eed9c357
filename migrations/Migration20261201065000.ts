import { Migration } from '@mikro-orm/migrations';
// Contact details and a verification record: a workshop's public phone and email, a customer's
// phone (shown only to the workshops they book), and the admin's last "returned to the vendor"
// decision (reason and time), cleared when the vendor asks for review again.

export class Migration20261201065000 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "workshop" add column "phone" varchar(32) null, add column "email" varchar(254) null, add column "review_note" varchar(500) null, add column "reviewed_at" timestamptz null, add column "review_requested_at" timestamptz null;`);
    this.addSql(`alter table "user" add column "phone" varchar(32) null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "user" drop column "phone";`);
    this.addSql(`alter table "workshop" drop column "phone", drop column "email", drop column "review_note", drop column "reviewed_at", drop column "review_requested_at";`);
  }

}
