import type { Issue, Newsletter } from '../../content/index.ts';
import type { AuditStore, TesterStore } from '../../editors/index.ts';
import type { Clock } from '../../lib/index.ts';
import type { PreviewService, TestSender } from '../../mail/index.ts';

/**
 * What the preview, test-send and testers pages need (`EditorWorkspaceDeps.preview`): the
 * preview service and the test sender (the campaign's message path), the testers of each
 * newsletter, the issue files, the audit log and the clock.
 */
export interface PreviewPagesDeps {
  preview: Pick<PreviewService, 'renderPreview'>;
  testSender: Pick<TestSender, 'sendIssue'>;
  testers: TesterStore;
  /** Reads and validates a saved issue file, `adn/2026-11` (content's `loadIssue`). */
  loadIssue: (key: string) => Promise<{ issue: Issue; newsletter: Newsletter }>;
  /** A newsletter's `newsletter.yaml`, validated (content's newsletter loader). */
  loadNewsletter: (id: string) => Promise<Newsletter>;
  audit: Pick<AuditStore, 'append'>;
  clock: Clock;
  /** Test sends one editor may ask for in 15 minutes (each up to 51 addresses × 2 languages). @defaultValue 20 */
  testSendsPer15Minutes?: number | undefined;
}
