import type { Logger } from 'pino';
import type { RegistrationAnswer, RegistrationProvider } from '../domain/vehicle-ports';
import { fuelFromDvla } from './fuel-names';

/** The DVLA Vehicle Enquiry Service's production address (DVLA_BASE_URL overrides it, e.g. for a fake). */
export const DVLA_DEFAULT_BASE_URL = 'https://driver-vehicle-licensing.api.gov.uk';

/** The fields of a VES answer we use (it has more: tax and MOT status, CO2, euro status, …). */
interface VesVehicle {
  registrationNumber?: string;
  make?: string;
  colour?: string;
  fuelType?: string;
  yearOfManufacture?: number;
  revenueWeight?: number;
  engineCapacity?: number;
}

const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : null);
const int = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : null);
const titleCase = (s: string | null) => (s ? s.toLowerCase().replace(/\b[a-z]/g, (c) => c.toUpperCase()) : null);

/** Not configured (no DVLA_API_KEY): every lookup answers unavailable, without a request. */
export const unconfiguredRegistrations: RegistrationProvider = {
  lookup: async () => ({ ok: false, failure: 'unavailable', why: 'not_configured' }),
};

/**
 * The DVLA Vehicle Enquiry Service adapter: `POST {base}/vehicle-enquiry/v1/vehicles` with the
 * `x-api-key` header and `{registrationNumber}`. 400 → invalid, 404 → not found, 429 (with its
 * Retry-After), 5xx, 401/403 (a bad key), a timeout or a network failure → unavailable. Never throws.
 */
export function createDvlaProvider(opts: { apiKey?: string; baseUrl?: string; timeoutMs: number; log?: Logger }): RegistrationProvider {
  if (!opts.apiKey) return unconfiguredRegistrations;
  const url = `${(opts.baseUrl ?? DVLA_DEFAULT_BASE_URL).replace(/\/+$/, '')}/vehicle-enquiry/v1/vehicles`;
  const unavailable = (why: 'throttled' | 'provider_error' | 'timeout' | 'network', retryAfterSec?: number): RegistrationAnswer =>
    ({ ok: false, failure: 'unavailable', why, ...(retryAfterSec ? { retryAfterSec } : {}) });

  return {
    async lookup(registration) {
      const registrationNumber = registration.replace(/[\s-]+/g, '').toUpperCase();
      let res: Response;
      try {
        res = await fetch(url, {
          method: 'POST',
          headers: { 'x-api-key': opts.apiKey!, 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ registrationNumber }),
          signal: AbortSignal.timeout(opts.timeoutMs),
        });
      } catch (err) {
        const timedOut = err instanceof DOMException && (err.name === 'TimeoutError' || err.name === 'AbortError');
        opts.log?.warn({ err, timedOut }, 'DVLA vehicle enquiry failed');
        return unavailable(timedOut ? 'timeout' : 'network');
      }
      // The body is read (or dropped) within the same timeout's reach: a stalled body is a timeout too.
      let body: unknown = null;
      try {
        body = await res.json();
      } catch (err) {
        if (err instanceof DOMException && (err.name === 'TimeoutError' || err.name === 'AbortError')) return unavailable('timeout');
        body = null;
      }
      if (res.status === 200) {
        const v = (body ?? {}) as VesVehicle;
        return {
          ok: true,
          vehicle: {
            registration: str(v.registrationNumber) ?? registrationNumber,
            make: titleCase(str(v.make)),
            colour: titleCase(str(v.colour)),
            year: int(v.yearOfManufacture),
            fuel: fuelFromDvla(str(v.fuelType)),
            weightKg: int(v.revenueWeight),
            engineCc: int(v.engineCapacity),
          },
        };
      }
      if (res.status === 400) return { ok: false, failure: 'invalid' };
      if (res.status === 404) return { ok: false, failure: 'not_found' };
      if (res.status === 429) {
        const after = Number(res.headers.get('retry-after'));
        return unavailable('throttled', Number.isInteger(after) && after > 0 ? Math.min(after, 3600) : 60);
      }
      opts.log?.warn({ status: res.status, body }, 'DVLA vehicle enquiry answered an error');
      return unavailable('provider_error');
    },
  };
}
