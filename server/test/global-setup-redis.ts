import type { TestProject } from 'vitest/node';
import { provideRedis } from './global-setup';

/** Redis only (the `redis` project): no database to create or migrate. */
export default function setup(project: TestProject) {
  return provideRedis(project);
}
