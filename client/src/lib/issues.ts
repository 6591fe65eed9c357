import type { z } from 'zod';

/** zod issues as `{ 'path.to.field': message }` (first message per field), for inline form errors. */
export function issuesByPath(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const i of error.issues) {
    const k = i.path.map(String).join('.') || '_';
    out[k] ??= i.message;
  }
  return out;
}
