import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261122020352 } from './Migration20261122020352';
import { Migration20261122063623 } from './Migration20261122063623';

/** Every migration in order; listed explicitly so no runtime file globbing is needed (STACK.md). */
export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261122020352', class: Migration20261122020352 },
  { name: 'Migration20261122063623', class: Migration20261122063623 },
];
