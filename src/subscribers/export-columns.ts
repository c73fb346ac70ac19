import type { SubscriberListRow } from './stores.ts';

/**
 * Columns of a subscriber export (`depeche subscribers export`, the workspace's download): one
 * row per subscription, the import reads them back.
 */
export const exportColumns = [
  'email',
  'name',
  'locale',
  'country',
  'research_field',
  'career_stage',
  'attributes',
  'newsletter',
  'status',
  'subscribed_at',
  'confirmed_at',
  'unsubscribed_at',
] as const;

const date = (value: Date | null) => value?.toISOString() ?? '';

/** One row of `exportRows` as the values of {@link exportColumns}, in order. */
export function exportRecord(row: SubscriberListRow): string[] {
  return [
    row.email,
    row.name ?? '',
    row.locale,
    row.country ?? '',
    row.researchField ?? '',
    row.careerStage ?? '',
    Object.keys(row.attributes).length > 0 ? JSON.stringify(row.attributes) : '',
    row.newsletterId ?? '',
    row.status ?? '',
    date(row.subscribedAt),
    date(row.confirmedAt),
    date(row.unsubscribedAt),
  ];
}
