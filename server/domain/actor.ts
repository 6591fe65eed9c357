import type { Role } from '@shared/schemas/auth';

/** Who is asking: every domain operation that checks rights takes one. */
export interface Principal {
  id: string;
  role: Role;
}
