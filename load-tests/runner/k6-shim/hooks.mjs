// Resolves `k6` and `k6/*` imports to the small Node stand-ins in ./modules (smoke runs only).
const MAP = {
  k6: 'k6.mjs',
  'k6/http': 'http.mjs',
  'k6/metrics': 'metrics.mjs',
  'k6/execution': 'execution.mjs',
  'k6/timers': 'timers.mjs',
  'k6/websockets': 'websockets.mjs',
  'k6/experimental/websockets': 'websockets.mjs',
};
export async function resolve(specifier, context, next) {
  const file = MAP[specifier];
  if (file) return { url: new URL(`./modules/${file}`, import.meta.url).href, shortCircuit: true };
  if (specifier.startsWith('k6/')) throw new Error(`k6 shim: ${specifier} is not shimmed`);
  return next(specifier, context);
}
