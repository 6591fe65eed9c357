import { parseArgs } from 'node:util';
import { createAdminSchema, type CreateAdminInput } from '@shared/schemas/auth';
import { validationMessage } from '../validation-error';

export const USAGE = 'Usage: npm run admin:create -- --email <email> --name <name>   (password: typed at the prompt, or the first line of stdin)';

/** The command's flags and password as an admin to create, or why not (exit code 2: usage, 1: invalid). */
export function adminInput(argv: string[], password: string): { input: CreateAdminInput } | { code: 1 | 2; message: string } {
  let args: { email?: string; name?: string };
  try {
    args = parseArgs({ args: argv, options: { email: { type: 'string' }, name: { type: 'string' } }, strict: true }).values;
  } catch (err) {
    return { code: 2, message: `${(err as Error).message}\n${USAGE}` };
  }
  if (!args.email || !args.name) return { code: 2, message: USAGE };
  const parsed = createAdminSchema.safeParse({ email: args.email, name: args.name, password });
  return parsed.success ? { input: parsed.data } : { code: 1, message: `Not created: ${validationMessage(parsed.error, 'admin account')}` };
}
