import { Migration } from '@mikro-orm/migrations';
// Workshop search (README "Search"): full text and distance.
// - `search_doc`: a tsvector over the workshop's name (weight A), its active services' names and
//   categories (B), its city (C) and its description (D), each in the 'english' configuration
//   (stems: "brakes" finds "brake") and in 'simple' (whole words as typed, so a prefix such as
//   "servici" still finds "servicing"). A BEFORE trigger on workshop recomputes it when the name,
//   city or description change; an AFTER trigger on service recomputes its workshop's row when a
//   service is added, renamed, recategorised, retired or deleted. GIN index.
// - `geog`: geography(Point, 4326) generated from lat/lng (null without both), GiST index: the
//   radius filter (ST_DWithin) and the distance sort use it.
// PostGIS is an extension of the database server: Debian `postgresql-15-postgis-3`, the
// `postgis/postgis` image in docker-compose.yml.

export class Migration20261201130000 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create extension if not exists postgis;`);
    this.addSql(`create or replace function "workshop_search_doc"(p_id uuid, p_name text, p_city text, p_description text) returns tsvector
      language sql stable as $$
        select setweight(to_tsvector('english', coalesce(p_name, '')), 'A') || setweight(to_tsvector('simple', coalesce(p_name, '')), 'A')
            || setweight(to_tsvector('english', coalesce(s.names, '')), 'B') || setweight(to_tsvector('simple', coalesce(s.names, '')), 'B')
            || setweight(to_tsvector('english', coalesce(p_city, '')), 'C') || setweight(to_tsvector('simple', coalesce(p_city, '')), 'C')
            || setweight(to_tsvector('english', coalesce(p_description, '')), 'D') || setweight(to_tsvector('simple', coalesce(p_description, '')), 'D')
          from (select string_agg(name || ' ' || category, ' ') as names from service where workshop_id = p_id and active) s
      $$;`);
    this.addSql(`alter table "workshop" add column "search_doc" tsvector not null default ''::tsvector;`);
    this.addSql(`create or replace function "workshop_search_doc_own"() returns trigger language plpgsql as $$
      begin
        new.search_doc := workshop_search_doc(new.id, new.name, new.city, new.description);
        return new;
      end $$;`);
    this.addSql(`create trigger "workshop_search_doc_own" before insert or update of "name", "city", "description" on "workshop"
      for each row execute function "workshop_search_doc_own"();`);
    this.addSql(`create or replace function "workshop_search_doc_services"() returns trigger language plpgsql as $$
      begin
        if tg_op <> 'INSERT' then
          update workshop w set search_doc = workshop_search_doc(w.id, w.name, w.city, w.description) where w.id = old.workshop_id;
        end if;
        if tg_op <> 'DELETE' and (tg_op = 'INSERT' or new.workshop_id is distinct from old.workshop_id) then
          update workshop w set search_doc = workshop_search_doc(w.id, w.name, w.city, w.description) where w.id = new.workshop_id;
        end if;
        return null;
      end $$;`);
    this.addSql(`create trigger "workshop_search_doc_services" after insert or delete or update of "name", "category", "active", "workshop_id" on "service"
      for each row execute function "workshop_search_doc_services"();`);
    this.addSql(`update "workshop" set "search_doc" = workshop_search_doc("id", "name", "city", "description");`);
    this.addSql(`create index "workshop_search_doc_index" on "workshop" using gin ("search_doc");`);

    this.addSql(`alter table "workshop" add column "geog" geography(Point, 4326) generated always as
      (case when "lat" is not null and "lng" is not null then st_setsrid(st_makepoint("lng", "lat"), 4326)::geography end) stored;`);
    this.addSql(`create index "workshop_geog_index" on "workshop" using gist ("geog");`);
    // The free-slot facet asks "any slot with a free unit in this window?" per workshop.
    this.addSql(`create index "slot_workshop_free_index" on "slot" ("workshop_id", "starts_at") where "booked" < "capacity" and not "withdrawn";`);
    this.addSql(`create index "service_workshop_active_index" on "service" ("workshop_id", "category", "base_price_cents") where "active";`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "service_workshop_active_index";`);
    this.addSql(`drop index if exists "slot_workshop_free_index";`);
    this.addSql(`alter table "workshop" drop column if exists "geog";`);
    this.addSql(`drop trigger if exists "workshop_search_doc_services" on "service";`);
    this.addSql(`drop trigger if exists "workshop_search_doc_own" on "workshop";`);
    this.addSql(`alter table "workshop" drop column if exists "search_doc";`);
    this.addSql(`drop function if exists "workshop_search_doc_services"();`);
    this.addSql(`drop function if exists "workshop_search_doc_own"();`);
    this.addSql(`drop function if exists "workshop_search_doc"(uuid, text, text, text);`);
  }

}
