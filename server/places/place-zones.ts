import tzLookup from '@photostructure/tz-lookup';
import cityTimezones from 'city-timezones';
import type { PlaceZones } from '../domain/readiness';

/**
 * PlaceZones from offline data shipped in two packages: coordinates → the zone drawn on the map
 * (`@photostructure/tz-lookup`, CC0), else a city name → the zones of every city so named
 * (`city-timezones`, Simplemaps world cities, MIT). Null when neither knows the place.
 */
export const placeZones: PlaceZones = ({ city, lat, lng }) => {
  if (lat != null && lng != null) {
    try {
      return [tzLookup(lat, lng)];
    } catch {
      // Out-of-range coordinates fall through to the city name.
    }
  }
  const zones = [...new Set(cityTimezones.lookupViaCity(city.trim()).map((c) => c.timezone).filter(Boolean))];
  return zones.length ? zones : null;
};
