import { Migration } from '@mikro-orm/migrations';
// Private calendar feeds: one per user, addressed by a secret token. Only the token's SHA-256 is
// stored, so a database read never yields a working feed address; rotating replaces the row.

export class Migration20261201094000 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "calendar_feed" ("user_id" uuid not null, "token_hash" char(64) not null, "created_at" timestamptz not null, constraint "calendar_feed_pkey" primary key ("user_id"));`);
    this.addSql(`alter table "calendar_feed" add constraint "calendar_feed_user_id_foreign" foreign key ("user_id") references "user" ("id") on update cascade on delete cascade;`);
    this.addSql(`create unique index "calendar_feed_token_hash_unique" on "calendar_feed" ("token_hash");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "calendar_feed" cascade;`);
  }

}
