import { Migration } from '@mikro-orm/migrations';
// Revocable sign-ins (session = the token's jti), account suspension, and the shared development secret.

export class Migration20261201004500 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "session" ("id" uuid not null, "user_id" uuid not null, "created_at" timestamptz not null, "expires_at" timestamptz not null, "revoked_at" timestamptz null, constraint "session_pkey" primary key ("id"));`);
    this.addSql(`create index "session_user_id_index" on "session" ("user_id");`);
    this.addSql(`alter table "session" add constraint "session_user_id_foreign" foreign key ("user_id") references "user" ("id") on update cascade on delete cascade;`);

    this.addSql(`create table "app_secret" ("name" varchar(40) not null, "value" text not null, "created_at" timestamptz not null, constraint "app_secret_pkey" primary key ("name"));`);

    this.addSql(`alter table "user" add column "status" text check ("status" in ('active', 'suspended')) not null default 'active';`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "user" drop column "status";`);
    this.addSql(`drop table if exists "app_secret" cascade;`);
    this.addSql(`drop table if exists "session" cascade;`);
  }

}
