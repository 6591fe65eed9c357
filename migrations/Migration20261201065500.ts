import { Migration } from '@mikro-orm/migrations';
// A message thread per booking between its customer and its workshop (admins read it), and how
// far each participant has read, for unread counts on the desk and on My bookings.

export class Migration20261201065500 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "booking_message" ("id" uuid not null, "booking_id" uuid not null, "author_id" uuid not null, "author_role" varchar(16) not null, "body" varchar(2000) not null, "created_at" timestamptz not null, constraint "booking_message_pkey" primary key ("id"));`);
    this.addSql(`alter table "booking_message" add constraint "booking_message_booking_id_foreign" foreign key ("booking_id") references "booking" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "booking_message" add constraint "booking_message_author_id_foreign" foreign key ("author_id") references "user" ("id") on update cascade;`);
    this.addSql(`create index "booking_message_booking_id_created_at_index" on "booking_message" ("booking_id", "created_at");`);
    this.addSql(`create table "booking_message_read" ("booking_id" uuid not null, "user_id" uuid not null, "read_at" timestamptz not null, constraint "booking_message_read_pkey" primary key ("booking_id", "user_id"));`);
    this.addSql(`alter table "booking_message_read" add constraint "booking_message_read_booking_id_foreign" foreign key ("booking_id") references "booking" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "booking_message_read" add constraint "booking_message_read_user_id_foreign" foreign key ("user_id") references "user" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "booking_message_read" cascade;`);
    this.addSql(`drop table if exists "booking_message" cascade;`);
  }

}
