import { Migration } from '@mikro-orm/migrations';
// The matching engine's weights (README "Matching"): one row (id = 1) of whole-number weights 0–100
// per factor, at least one above 0, set by admins (PUT /api/admin/match-weights, audited). No
// entity: the engine reads it with plain SQL (db/match.repository.ts), like the money policy.

export class Migration20261201160000 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "match_weights" (
      "id" smallint not null default 1, "distance" int not null, "price" int not null, "rating" int not null,
      "completion" int not null, "response" int not null, "soonness" int not null,
      "updated_at" timestamptz null, "updated_by" uuid null,
      constraint "match_weights_pkey" primary key ("id"),
      constraint "match_weights_one_row" check ("id" = 1),
      constraint "match_weights_range" check ("distance" between 0 and 100 and "price" between 0 and 100 and "rating" between 0 and 100
        and "completion" between 0 and 100 and "response" between 0 and 100 and "soonness" between 0 and 100),
      constraint "match_weights_some" check ("distance" + "price" + "rating" + "completion" + "response" + "soonness" > 0));`);
    this.addSql(`alter table "match_weights" add constraint "match_weights_updated_by_foreign" foreign key ("updated_by") references "user" ("id") on update cascade on delete set null;`);
    // The defaults (shared/schemas/match.ts DEFAULT_MATCH_WEIGHTS).
    this.addSql(`insert into "match_weights" ("id", "distance", "price", "rating", "completion", "response", "soonness") values (1, 30, 20, 15, 10, 10, 15);`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "match_weights";`);
  }

}
