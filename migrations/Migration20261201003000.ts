import { Migration } from '@mikro-orm/migrations';
// A slot the schedule no longer offers (closed day, shorter hours) but that still carries
// bookings is kept for them, "withdrawn": never shown or sold again, its capacity held at
// what is booked so Postgres itself refuses any new unit.

export class Migration20261201003000 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "slot" add column "withdrawn" boolean not null default false;`);
    // Slots that were already kept that way before this column existed cannot be told apart
    // here (the schedule lives in code); the next regeneration of each workshop marks them.
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "slot" drop column "withdrawn";`);
  }

}
