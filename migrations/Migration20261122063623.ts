import { Migration } from '@mikro-orm/migrations';
// Board query: bookings a workshop received since local midnight.

export class Migration20261122063623 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create index "booking_workshop_id_created_at_index" on "booking" ("workshop_id", "created_at");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "booking_workshop_id_created_at_index";`);
  }

}
