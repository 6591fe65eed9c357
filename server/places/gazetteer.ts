import cityTimezones from 'city-timezones';
import type { PlaceView } from '@shared/schemas/search';

/*
 * The gazetteer shipped with the product: the ~7,300 cities of the `city-timezones` package
 * (MIT; its list comes from the Simplemaps World Cities database, basic edition, and Natural
 * Earth's populated places), offline. It resolves a typed place name to a point for "near"
 * searches and for a workshop's location. Attribution: README "Search".
 */

const fold = (s: string) => s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().trim();

type Entry = PlaceView & { keys: string[]; pop: number };
let entries: Entry[] | null = null;

function all(): Entry[] {
  entries ??= cityTimezones.cityMapping
    .filter((c) => Number.isFinite(c.lat) && Number.isFinite(c.lng) && c.city)
    .map((c) => ({
      name: c.city,
      province: c.province ?? '',
      country: c.country ?? '',
      lat: c.lat,
      lng: c.lng,
      timezone: c.timezone ?? '',
      pop: Number(c.pop) || 0,
      keys: [...new Set([fold(c.city), fold(c.city_ascii ?? c.city)])],
    }))
    .sort((a, b) => b.pop - a.pop);
  return entries;
}

/**
 * Places whose name starts with `q` (accents and case ignored), biggest first; then those whose
 * name contains it. "Leeds", "lee", "Zürich" and "zurich" all work.
 */
export function findPlaces(q: string, limit = 8): PlaceView[] {
  const needle = fold(q);
  if (!needle) return [];
  const starts: Entry[] = [];
  const contains: Entry[] = [];
  for (const e of all()) {
    if (e.keys.some((k) => k.startsWith(needle))) starts.push(e);
    else if (needle.length >= 3 && e.keys.some((k) => k.includes(needle))) contains.push(e);
    if (starts.length >= limit) break;
  }
  return [...starts, ...contains].slice(0, limit).map(({ keys: _k, pop: _p, ...place }) => place);
}
