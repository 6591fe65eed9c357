import { Migration } from '@mikro-orm/migrations';
// Accept-SLA sweep: pending requests past their accept deadline, oldest first.

export class Migration20261201013000 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create index "booking_status_accept_deadline_index" on "booking" ("status", "accept_deadline");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "booking_status_accept_deadline_index";`);
  }

}
