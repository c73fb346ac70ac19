import type { Config } from '../config/index.ts';
import { type DatabaseHandle, openDatabase } from './client.ts';

/**
 * Opens the database the configuration names: PostgreSQL at DATABASE_URL, or else embedded
 * PGlite in DATA_DIR, locked for this process (`holder` names it in the message another
 * process gets).
 */
export function openDatabaseFromConfig(
  config: Pick<Config, 'DATABASE_URL' | 'DATA_DIR'>,
  holder: string,
): Promise<DatabaseHandle> {
  return config.DATABASE_URL
    ? openDatabase({ kind: 'postgres', url: config.DATABASE_URL })
    : openDatabase({ kind: 'pglite', dataDir: config.DATA_DIR, holder });
}
