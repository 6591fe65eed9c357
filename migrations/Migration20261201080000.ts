import { Migration } from '@mikro-orm/migrations';
// Moving an accepted booking needs the workshop's acceptance unless it accepts moves
// automatically: the move is a new pending booking that names the booking it would replace
// (moves_booking_id); the old one stays until the workshop accepts the move.

export class Migration20261201080000 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "workshop" add column "auto_accept_moves" boolean not null default false;`);
    this.addSql(`alter table "booking" add column "moves_booking_id" uuid null;`);
    this.addSql(`alter table "booking" add constraint "booking_moves_booking_id_foreign" foreign key ("moves_booking_id") references "booking" ("id") on update cascade on delete set null;`);
    this.addSql(`create index "booking_moves_booking_id_index" on "booking" ("moves_booking_id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "booking" drop constraint "booking_moves_booking_id_foreign";`);
    this.addSql(`drop index "booking_moves_booking_id_index";`);
    this.addSql(`alter table "booking" drop column "moves_booking_id";`);
    this.addSql(`alter table "workshop" drop column "auto_accept_moves";`);
  }

}
