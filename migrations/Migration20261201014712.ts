import { Migration } from '@mikro-orm/migrations';
// Idempotency keys get their own table: reserved (with the hold they confirm) before the hold is
// consumed, and reusable after 24 hours, so the booking table no longer enforces key uniqueness.

export class Migration20261201014712 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "idempotency_key" ("customer_id" uuid not null, "key" varchar(100) not null, "hold_id" varchar(64) not null, "booking_id" uuid not null, "created_at" timestamptz not null, constraint "idempotency_key_pkey" primary key ("customer_id", "key"));`);
    this.addSql(`alter table "idempotency_key" add constraint "idempotency_key_customer_id_foreign" foreign key ("customer_id") references "user" ("id") on update cascade;`);
    this.addSql(`insert into "idempotency_key" ("customer_id", "key", "hold_id", "booking_id", "created_at")
      select b.customer_id, b.idempotency_key, coalesce((select e.data->>'holdId' from booking_event e where e.booking_id = b.id and e.type = 'requested' limit 1), ''), b.id, b.created_at
        from booking b where b.idempotency_key is not null;`);
    this.addSql(`alter table "booking" drop constraint "booking_customer_id_idempotency_key_unique";`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "booking" add constraint "booking_customer_id_idempotency_key_unique" unique ("customer_id", "idempotency_key");`);
    this.addSql(`drop table if exists "idempotency_key" cascade;`);
  }

}
