import { Migration } from '@mikro-orm/migrations';

export class Migration20261122020352 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "user" ("id" uuid not null, "email" varchar(254) not null, "name" varchar(100) not null, "role" text check ("role" in ('customer', 'vendor', 'admin')) not null, "password_hash" varchar(200) not null, "created_at" timestamptz not null, constraint "user_pkey" primary key ("id"));`);
    this.addSql(`alter table "user" add constraint "user_email_unique" unique ("email");`);

    this.addSql(`create table "workshop" ("id" uuid not null, "owner_id" uuid not null, "name" varchar(120) not null, "slug" varchar(140) not null, "description" text null, "city" varchar(80) not null, "address" varchar(200) not null, "lat" double precision null, "lng" double precision null, "timezone" varchar(64) not null, "status" text check ("status" in ('pending', 'verified', 'suspended')) not null default 'pending', "bays" int not null, "slot_minutes" int not null default 30, "hold_ttl_seconds" int not null default 120, "accept_sla_minutes" int not null default 30, "auto_accept" boolean not null default false, "rating_avg" double precision not null default 0, "rating_count" int not null default 0, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "workshop_pkey" primary key ("id"), constraint workshop_bays_check check (bays >= 1 and bays <= 50), constraint workshop_slot_minutes_check check (slot_minutes >= 5 and slot_minutes <= 240));`);
    this.addSql(`create index "workshop_owner_id_index" on "workshop" ("owner_id");`);
    this.addSql(`alter table "workshop" add constraint "workshop_slug_unique" unique ("slug");`);
    this.addSql(`create index "workshop_city_index" on "workshop" ("city");`);
    this.addSql(`create index "workshop_status_index" on "workshop" ("status");`);

    this.addSql(`create table "slot" ("id" uuid not null, "workshop_id" uuid not null, "starts_at" timestamptz not null, "ends_at" timestamptz not null, "capacity" int not null, "booked" int not null default 0, constraint "slot_pkey" primary key ("id"), constraint slot_booked_check check (booked >= 0 and booked <= capacity));`);
    this.addSql(`alter table "slot" add constraint "slot_workshop_id_starts_at_unique" unique ("workshop_id", "starts_at");`);

    this.addSql(`create table "service" ("id" uuid not null, "workshop_id" uuid not null, "name" varchar(120) not null, "category" varchar(60) not null, "duration_minutes" int not null, "base_price_cents" int not null, "currency" varchar(3) not null, "options" jsonb not null, "active" boolean not null default true, "created_at" timestamptz not null, constraint "service_pkey" primary key ("id"), constraint service_duration_check check (duration_minutes >= 5 and duration_minutes <= 1440), constraint service_price_check check (base_price_cents >= 0));`);
    this.addSql(`create index "service_workshop_id_index" on "service" ("workshop_id");`);
    this.addSql(`create index "service_category_index" on "service" ("category");`);

    this.addSql(`create table "opening_hours" ("id" uuid not null, "workshop_id" uuid not null, "weekday" smallint not null, "opens" varchar(5) not null, "closes" varchar(5) not null, constraint "opening_hours_pkey" primary key ("id"), constraint opening_hours_weekday_check check (weekday >= 0 and weekday <= 6));`);
    this.addSql(`create index "opening_hours_workshop_id_index" on "opening_hours" ("workshop_id");`);

    this.addSql(`create table "closure" ("id" uuid not null, "workshop_id" uuid not null, "date" date not null, "reason" varchar(200) null, constraint "closure_pkey" primary key ("id"));`);
    this.addSql(`alter table "closure" add constraint "closure_workshop_id_date_unique" unique ("workshop_id", "date");`);

    this.addSql(`create table "booking" ("id" uuid not null, "customer_id" uuid not null, "workshop_id" uuid not null, "service_id" uuid not null, "first_slot_id" uuid not null, "slot_count" int not null, "starts_at" timestamptz not null, "ends_at" timestamptz not null, "status" text check ("status" in ('pending', 'accepted', 'in_progress', 'completed', 'declined', 'cancelled', 'expired', 'no_show')) not null, "price_cents" int not null, "currency" varchar(3) not null, "options" jsonb not null, "vehicle" jsonb null, "notes" text null, "idempotency_key" varchar(100) null, "version" int not null default 1, "accept_deadline" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "booking_pkey" primary key ("id"));`);
    this.addSql(`create index "booking_customer_id_index" on "booking" ("customer_id");`);
    this.addSql(`create index "booking_workshop_id_status_starts_at_index" on "booking" ("workshop_id", "status", "starts_at");`);
    this.addSql(`alter table "booking" add constraint "booking_customer_id_idempotency_key_unique" unique ("customer_id", "idempotency_key");`);

    this.addSql(`create table "review" ("id" uuid not null, "booking_id" uuid not null, "workshop_id" uuid not null, "rating" smallint not null, "text" text null, "created_at" timestamptz not null, constraint "review_pkey" primary key ("id"), constraint review_rating_check check (rating >= 1 and rating <= 5));`);
    this.addSql(`alter table "review" add constraint "review_booking_id_unique" unique ("booking_id");`);
    this.addSql(`create index "review_workshop_id_index" on "review" ("workshop_id");`);

    this.addSql(`create table "booking_slot" ("booking_id" uuid not null, "slot_id" uuid not null, constraint "booking_slot_pkey" primary key ("booking_id", "slot_id"));`);
    this.addSql(`create index "booking_slot_slot_id_index" on "booking_slot" ("slot_id");`);

    this.addSql(`create table "booking_event" ("id" uuid not null, "booking_id" uuid not null, "type" varchar(40) not null, "actor_id" uuid null, "actor_role" varchar(20) not null, "at" timestamptz not null, "data" jsonb null, constraint "booking_event_pkey" primary key ("id"));`);
    this.addSql(`create index "booking_event_booking_id_index" on "booking_event" ("booking_id");`);

    this.addSql(`alter table "workshop" add constraint "workshop_owner_id_foreign" foreign key ("owner_id") references "user" ("id") on update cascade;`);

    this.addSql(`alter table "slot" add constraint "slot_workshop_id_foreign" foreign key ("workshop_id") references "workshop" ("id") on update cascade;`);

    this.addSql(`alter table "service" add constraint "service_workshop_id_foreign" foreign key ("workshop_id") references "workshop" ("id") on update cascade;`);

    this.addSql(`alter table "opening_hours" add constraint "opening_hours_workshop_id_foreign" foreign key ("workshop_id") references "workshop" ("id") on update cascade;`);

    this.addSql(`alter table "closure" add constraint "closure_workshop_id_foreign" foreign key ("workshop_id") references "workshop" ("id") on update cascade;`);

    this.addSql(`alter table "booking" add constraint "booking_customer_id_foreign" foreign key ("customer_id") references "user" ("id") on update cascade;`);
    this.addSql(`alter table "booking" add constraint "booking_workshop_id_foreign" foreign key ("workshop_id") references "workshop" ("id") on update cascade;`);
    this.addSql(`alter table "booking" add constraint "booking_service_id_foreign" foreign key ("service_id") references "service" ("id") on update cascade;`);
    this.addSql(`alter table "booking" add constraint "booking_first_slot_id_foreign" foreign key ("first_slot_id") references "slot" ("id") on update cascade;`);

    this.addSql(`alter table "review" add constraint "review_booking_id_foreign" foreign key ("booking_id") references "booking" ("id") on update cascade;`);
    this.addSql(`alter table "review" add constraint "review_workshop_id_foreign" foreign key ("workshop_id") references "workshop" ("id") on update cascade;`);

    this.addSql(`alter table "booking_slot" add constraint "booking_slot_booking_id_foreign" foreign key ("booking_id") references "booking" ("id") on update cascade;`);
    this.addSql(`alter table "booking_slot" add constraint "booking_slot_slot_id_foreign" foreign key ("slot_id") references "slot" ("id") on update cascade;`);

    this.addSql(`alter table "booking_event" add constraint "booking_event_booking_id_foreign" foreign key ("booking_id") references "booking" ("id") on update cascade;`);
    this.addSql(`alter table "booking_event" add constraint "booking_event_actor_id_foreign" foreign key ("actor_id") references "user" ("id") on update cascade on delete set null;`);
  }

}
