export * from './databases.js';
export { type TestDatabase, useTestDatabase } from './test-database.js';
