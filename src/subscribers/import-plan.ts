import type { ImportRow } from './csv-columns.ts';
import type { ImportExistingRow, ImportSubscriberRow } from './stores.ts';

/** What became of one row of an import. */
export type ImportOutcome = 'created' | 'updated' | 'unchanged' | 'suppressed';

/** The writes one batch needs, decided from the rows and what the database holds. */
export interface ImportBatchPlan {
  inserts: Array<{ row: ImportRow; values: ImportSubscriberRow }>;
  updates: Array<{ id: number; values: ImportSubscriberRow }>;
  /** Subscriptions to create or move, by subscriber id (known) or by row (new subscribers). */
  subscriptions: Array<{
    subscriberId: number | null;
    row: ImportRow;
    status: 'pending' | 'active';
  }>;
  outcomes: Array<{ row: ImportRow; outcome: ImportOutcome; reason?: string }>;
}

function sameAttributes(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}

/** The profile of `row` over what is stored: values given in the file win, empty cells keep. */
function mergeProfile(
  row: ImportRow,
  existing: ImportExistingRow | undefined,
): ImportSubscriberRow {
  return {
    email: row.email,
    emailHash: row.emailHash,
    name: row.name ?? existing?.name ?? null,
    locale: row.locale ?? existing?.locale ?? 'fr',
    country: row.country ?? existing?.country ?? null,
    researchField: row.researchField ?? existing?.researchField ?? null,
    careerStage: row.careerStage ?? existing?.careerStage ?? null,
    // a new subscriber's attributes are the row's own, not copied
    attributes: existing ? { ...existing.attributes, ...row.attributes } : row.attributes,
  };
}

/**
 * Decides, for a batch of valid rows of distinct addresses, what to write. Pure.
 *
 * - A suppressed address (hard bounce, complaint, erased, manual) is skipped whole: `suppressed`.
 * - An address unsubscribed from the newsletter is not touched: `suppressed` too (only the
 *   subscriber's own confirmed opt-in lifts an unsubscribe).
 * - A new address, or a known one without a subscription to the newsletter: `created`, with a
 *   subscription `active` when `isConfirmed`, else `pending`.
 * - A known subscriber whose profile differs, or whose pending subscription `isConfirmed` makes
 *   active: `updated`. Otherwise `unchanged`: importing the same file again writes nothing.
 */
export function planImportBatch(
  rows: ImportRow[],
  existing: Map<string, ImportExistingRow>,
  suppressed: Map<string, { reason: string }>,
  isConfirmed: boolean,
): ImportBatchPlan {
  const plan: ImportBatchPlan = { inserts: [], updates: [], subscriptions: [], outcomes: [] };
  const newStatus = isConfirmed ? 'active' : 'pending';
  for (const row of rows) {
    const suppression = suppressed.get(row.emailHash);
    if (suppression) {
      plan.outcomes.push({ row, outcome: 'suppressed', reason: suppression.reason });
      continue;
    }
    const stored = existing.get(row.emailHash);
    if (!stored) {
      plan.inserts.push({ row, values: mergeProfile(row, undefined) });
      plan.subscriptions.push({ subscriberId: null, row, status: newStatus });
      plan.outcomes.push({ row, outcome: 'created' });
      continue;
    }
    if (stored.status === 'unsubscribed') {
      plan.outcomes.push({ row, outcome: 'suppressed', reason: 'unsubscribed' });
      continue;
    }
    const values = mergeProfile(row, stored);
    const isProfileChanged =
      values.name !== stored.name ||
      values.locale !== stored.locale ||
      values.country !== stored.country ||
      values.researchField !== stored.researchField ||
      values.careerStage !== stored.careerStage ||
      !sameAttributes(values.attributes, stored.attributes);
    if (isProfileChanged) plan.updates.push({ id: stored.id, values });
    if (stored.status === null) {
      plan.subscriptions.push({ subscriberId: stored.id, row, status: newStatus });
      plan.outcomes.push({ row, outcome: 'created' });
    } else if (stored.status === 'pending' && isConfirmed) {
      plan.subscriptions.push({ subscriberId: stored.id, row, status: 'active' });
      plan.outcomes.push({ row, outcome: 'updated' });
    } else {
      plan.outcomes.push({ row, outcome: isProfileChanged ? 'updated' : 'unchanged' });
    }
  }
  return plan;
}
