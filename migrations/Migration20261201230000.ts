import { Migration } from '@mikro-orm/migrations';
// Search facets kept on the workshop row (README "Search"): `service_facets` is
// {category: [lowest, highest base price in cents]} over the workshop's active services. The
// category and price facets of a search then read one small value per matching workshop instead of
// joining every one of its services (the join of a broad word's ~46,000 services was most of a
// search's time). The same AFTER trigger on service that keeps `search_doc` keeps it, now also
// when a price changes. Filters still ask the services themselves (a price range between a
// workshop's lowest and highest may hold no service).

export class Migration20261201230000 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create or replace function "workshop_service_facets"(p_id uuid) returns jsonb
      language sql stable as $$
        select coalesce(jsonb_object_agg(category, jsonb_build_array(lo, hi)), '{}'::jsonb)
          from (select category, min(base_price_cents) as lo, max(base_price_cents) as hi
                  from service where workshop_id = p_id and active group by category) c
      $$;`);
    this.addSql(`alter table "workshop" add column "service_facets" jsonb not null default '{}'::jsonb;`);
    this.addSql(`create or replace function "workshop_search_doc_services"() returns trigger language plpgsql as $$
      begin
        if tg_op <> 'INSERT' then
          update workshop w set search_doc = workshop_search_doc(w.id, w.name, w.city, w.description),
                                service_facets = workshop_service_facets(w.id) where w.id = old.workshop_id;
        end if;
        if tg_op <> 'DELETE' and (tg_op = 'INSERT' or new.workshop_id is distinct from old.workshop_id) then
          update workshop w set search_doc = workshop_search_doc(w.id, w.name, w.city, w.description),
                                service_facets = workshop_service_facets(w.id) where w.id = new.workshop_id;
        end if;
        return null;
      end $$;`);
    this.addSql(`drop trigger if exists "workshop_search_doc_services" on "service";`);
    this.addSql(`create trigger "workshop_search_doc_services" after insert or delete or update of "name", "category", "active", "workshop_id", "base_price_cents" on "service"
      for each row execute function "workshop_search_doc_services"();`);
    this.addSql(`update "workshop" set "service_facets" = workshop_service_facets("id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists "workshop_search_doc_services" on "service";`);
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
    this.addSql(`alter table "workshop" drop column if exists "service_facets";`);
    this.addSql(`drop function if exists "workshop_service_facets"(uuid);`);
  }

}
