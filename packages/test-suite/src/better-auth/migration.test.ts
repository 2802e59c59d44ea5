/**
 * Switching from `better-auth-mikro-orm` 0.5 (MikroORM 6.6): the official suites against the
 * decorated entities its users wrote (see old-adapter-entities.ts), unchanged apart from what the
 * README's migration section says, handed to the adapter through its `entities` option.
 * migration-define-entity.test.ts does the same for the 1.x `defineEntity` shapes.
 */
import { useTestDatabase } from '../harness/index.js';
import { decoratedEntities } from './old-adapter-entities.js';
import { runOldAdapterSuites } from './old-adapter-suites.js';

await runOldAdapterSuites(useTestDatabase(), decoratedEntities);
