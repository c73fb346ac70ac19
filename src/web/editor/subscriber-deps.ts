import type { AuditStore } from '../../editors/index.ts';
import type { Clock } from '../../lib/index.ts';
import type { SubscriberService } from '../../subscribers/index.ts';
import type { ImportUploads } from './import-uploads.ts';

/** What the subscriber pages (`/editor/subscribers`, admins only) need. */
export interface SubscriberPagesDeps {
  service: SubscriberService;
  /** Where imports, exports and suppression changes are recorded, with the editor as actor. */
  audit: Pick<AuditStore, 'append'>;
  clock: Clock;
  /** The uploaded CSV files between their dry run and their confirmation. */
  uploads: ImportUploads;
  /** Batches an import writes at once (3 on PostgreSQL, 1 on PGlite). @defaultValue 1 */
  importConcurrency?: number;
}
