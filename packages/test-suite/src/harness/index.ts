export * from './databases.js';
export { createTables, dropTables } from './schema.js';
export { legReads, type TestDatabase, useTestDatabase } from './test-database.js';
