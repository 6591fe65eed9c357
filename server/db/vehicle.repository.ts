import { randomUUID } from 'node:crypto';
import type { FuelType, SavedVehicleView } from '@shared/schemas/vehicle';
import type { Clock } from '../domain/clock';
import type { VehicleFields, VehiclePatch, VehicleStore } from '../domain/vehicle-ports';
import { stmt, type SqlPool } from './pg-pool';

/* Customers' garages in plain SQL (table: Migration20261201140000); every statement is scoped to the owner. */

interface Row {
  id: string;
  registration: string;
  vin: string | null;
  make: string | null;
  model: string | null;
  year: number | null;
  fuel: FuelType | null;
  mileage: number | null;
  colour: string | null;
  weight_kg: number | null;
  created_at: Date;
  updated_at: Date;
}

const view = (r: Row): SavedVehicleView => ({
  id: r.id,
  registration: r.registration,
  vin: r.vin,
  make: r.make,
  model: r.model,
  year: r.year,
  fuel: r.fuel,
  mileage: r.mileage,
  colour: r.colour,
  weightKg: r.weight_kg,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

const COLUMNS = 'id, registration, vin, make, model, year, fuel, mileage, colour, weight_kg, created_at, updated_at';
const listOf = stmt('vehicle_list', `select ${COLUMNS} from customer_vehicle where owner_id = $1 order by created_at, id`);
const byId = stmt('vehicle_by_id', `select ${COLUMNS} from customer_vehicle where owner_id = $1 and id = $2`);
const countOf = stmt('vehicle_count', 'select count(*)::int as n from customer_vehicle where owner_id = $1');
const insert = stmt('vehicle_insert', `
  insert into customer_vehicle (id, owner_id, registration, vin, make, model, year, fuel, mileage, colour, weight_kg, created_at, updated_at)
  values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)
  returning ${COLUMNS}`);
// Each optional field: a flag saying whether the patch names it, then its value (null clears it).
const update = stmt('vehicle_update', `
  update customer_vehicle set
    registration = coalesce($3, registration),
    vin = case when $4::boolean then $5 else vin end,
    make = case when $6::boolean then $7 else make end,
    model = case when $8::boolean then $9 else model end,
    year = case when $10::boolean then $11::int else year end,
    fuel = case when $12::boolean then $13 else fuel end,
    mileage = case when $14::boolean then $15::int else mileage end,
    colour = case when $16::boolean then $17 else colour end,
    weight_kg = case when $18::boolean then $19::int else weight_kg end,
    updated_at = $20
  where owner_id = $1 and id = $2
  returning ${COLUMNS}`);
const remove = stmt('vehicle_delete', 'delete from customer_vehicle where owner_id = $1 and id = $2 returning id');

const OPTIONAL = ['vin', 'make', 'model', 'year', 'fuel', 'mileage', 'colour', 'weightKg'] as const;
const isDuplicate = (err: unknown) => (err as { code?: unknown }).code === '23505';

export function createVehicleRepository(sql: SqlPool, clock: Clock): VehicleStore {
  const now = () => new Date(clock.now());
  return {
    list: async (ownerId) => (await sql.rows<Row>(listOf, [ownerId])).map(view),
    async find(ownerId, id) {
      const [r] = await sql.rows<Row>(byId, [ownerId, id]);
      return r ? view(r) : null;
    },
    async count(ownerId) {
      const [r] = await sql.rows<{ n: number }>(countOf, [ownerId]);
      return r?.n ?? 0;
    },
    async create(ownerId, v: VehicleFields) {
      try {
        const [r] = await sql.rows<Row>(insert, [
          randomUUID(), ownerId, v.registration, v.vin ?? null, v.make ?? null, v.model ?? null, v.year ?? null,
          v.fuel ?? null, v.mileage ?? null, v.colour ?? null, v.weightKg ?? null, now(),
        ]);
        return view(r!);
      } catch (err) {
        if (isDuplicate(err)) return 'DUPLICATE';
        throw err;
      }
    },
    async update(ownerId, id, patch: VehiclePatch) {
      const values: unknown[] = [ownerId, id, patch.registration ?? null];
      for (const k of OPTIONAL) values.push(k in patch, patch[k] ?? null);
      values.push(now());
      try {
        const [r] = await sql.rows<Row>(update, values);
        return r ? view(r) : null;
      } catch (err) {
        if (isDuplicate(err)) return 'DUPLICATE';
        throw err;
      }
    },
    remove: async (ownerId, id) => (await sql.rows(remove, [ownerId, id])).length > 0,
  };
}
