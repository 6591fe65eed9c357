import { Migration } from '@mikro-orm/migrations';
// Reports: the marketplace report reads bookings by appointment time and slots by start time across
// every workshop; without these, both were sequential scans of the whole table (EXPLAIN). A
// workshop's report uses the existing booking (workshop_id, status, starts_at) and the slot
// (workshop_id, starts_at) unique index.

export class Migration20261201220000 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create index "booking_starts_at_index" on "booking" ("starts_at");`);
    this.addSql(`create index "slot_starts_at_index" on "slot" ("starts_at");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "booking_starts_at_index";`);
    this.addSql(`drop index if exists "slot_starts_at_index";`);
  }

}
