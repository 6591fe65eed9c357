import { Migration } from '@mikro-orm/migrations';
// Vehicles: a customer's garage (saved vehicles, one per registration per customer) and the
// vehicle constraints a service may declare (fuels allowed, maximum weight, makes allowed).
// Bookings keep their own copy of the vehicle (booking.vehicle, jsonb), never a reference, so
// editing or deleting a garage vehicle does not rewrite a booking's history.

export class Migration20261201140000 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "customer_vehicle" (
      "id" uuid primary key,
      "owner_id" uuid not null references "user" ("id") on delete cascade,
      "registration" varchar(12) not null,
      "vin" varchar(17) null check ("vin" ~ '^[0-9A-HJ-NPR-Z]{17}$'),
      "make" varchar(40) null,
      "model" varchar(40) null,
      "year" int null check ("year" between 1900 and 2100),
      "fuel" text null check ("fuel" in ('petrol', 'diesel', 'electric', 'hybrid', 'plug_in_hybrid', 'lpg', 'hydrogen', 'other')),
      "mileage" int null check ("mileage" >= 0),
      "colour" varchar(30) null,
      "weight_kg" int null check ("weight_kg" > 0),
      "created_at" timestamptz not null,
      "updated_at" timestamptz not null,
      constraint "customer_vehicle_owner_registration_unique" unique ("owner_id", "registration"));`);
    this.addSql(`alter table "service" add column "vehicle_constraints" jsonb null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "service" drop column "vehicle_constraints";`);
    this.addSql(`drop table if exists "customer_vehicle";`);
  }
}
