import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261122020352 } from './Migration20261122020352';
import { Migration20261122063623 } from './Migration20261122063623';
import { Migration20261201003000 } from './Migration20261201003000';
import { Migration20261201004500 } from './Migration20261201004500';
import { Migration20261201013000 } from './Migration20261201013000';
import { Migration20261201014712 } from './Migration20261201014712';
import { Migration20261201065000 } from './Migration20261201065000';
import { Migration20261201065500 } from './Migration20261201065500';
import { Migration20261201065740 } from './Migration20261201065740';
import { Migration20261201070000 } from './Migration20261201070000';
import { Migration20261201080000 } from './Migration20261201080000';
import { Migration20261201090000 } from './Migration20261201090000';
import { Migration20261201091000 } from './Migration20261201091000';
import { Migration20261201092000 } from './Migration20261201092000';
import { Migration20261201093000 } from './Migration20261201093000';
import { Migration20261201094000 } from './Migration20261201094000';
import { Migration20261201094500 } from './Migration20261201094500';
import { Migration20261201110000 } from './Migration20261201110000';
import { Migration20261201120000 } from './Migration20261201120000';
import { Migration20261201130000 } from './Migration20261201130000';
import { Migration20261201150000 } from './Migration20261201150000';

/** Every migration in order; listed explicitly so no runtime file globbing is needed (the same under tsx, Vitest and a bundle). */
export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261122020352', class: Migration20261122020352 },
  { name: 'Migration20261122063623', class: Migration20261122063623 },
  { name: 'Migration20261201003000', class: Migration20261201003000 },
  { name: 'Migration20261201004500', class: Migration20261201004500 },
  { name: 'Migration20261201013000', class: Migration20261201013000 },
  { name: 'Migration20261201014712', class: Migration20261201014712 },
  { name: 'Migration20261201065000', class: Migration20261201065000 },
  { name: 'Migration20261201065500', class: Migration20261201065500 },
  { name: 'Migration20261201065740', class: Migration20261201065740 },
  { name: 'Migration20261201070000', class: Migration20261201070000 },
  { name: 'Migration20261201080000', class: Migration20261201080000 },
  { name: 'Migration20261201090000', class: Migration20261201090000 },
  { name: 'Migration20261201091000', class: Migration20261201091000 },
  { name: 'Migration20261201092000', class: Migration20261201092000 },
  { name: 'Migration20261201093000', class: Migration20261201093000 },
  { name: 'Migration20261201094000', class: Migration20261201094000 },
  { name: 'Migration20261201094500', class: Migration20261201094500 },
  { name: 'Migration20261201110000', class: Migration20261201110000 },
  { name: 'Migration20261201120000', class: Migration20261201120000 },
  { name: 'Migration20261201130000', class: Migration20261201130000 },
  { name: 'Migration20261201150000', class: Migration20261201150000 },
];
