export {
  type Database,
  type DatabaseHandle,
  type DatabaseTarget,
  type Executor,
  openDatabase,
  queryRows,
} from './client.ts';
export { EmbeddedDatabaseBusyError } from './embedded-lock.ts';
export { loadMigrations, migrate, type Migration, migrationsDir } from './migrate.ts';
export { openDatabaseFromConfig } from './open-from-config.ts';
export * as tables from './schema/index.ts';
