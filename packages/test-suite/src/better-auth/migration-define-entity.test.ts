/**
 * Switching from `better-auth-mikro-orm` 1.x (MikroORM 7): the official suites against its
 * `defineEntity` shapes (see old-adapter-entities.ts), handed to the adapter with no option at
 * all: models are found by name, as the old adapter found them.
 */
import { useTestDatabase } from '../harness/index.js';
import { definedEntities } from './old-adapter-entities.js';
import { runOldAdapterSuites } from './old-adapter-suites.js';

await runOldAdapterSuites(useTestDatabase(), definedEntities);
