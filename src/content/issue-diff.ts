import { isDeepStrictEqual } from 'node:util';

import type { Issue } from './issue.ts';
import { looseSections, matchIssueParts, trimTexts } from './issue-match.ts';
import { valueAt } from './yaml-document.ts';

const TITLE_LENGTH = 40;

/**
 * What changed between two versions of an issue, one short line per change, in the order of
 * the issue: `subject`, `introduction (en)`, `section jobs: item 2 added`,
 * `section events: item 'Colloque…' moved to calls`, `section jobs: item 'X' edited (deadline)`,
 * `section jobs: items reordered`. Empty when nothing changed. `before` may be loose data (a
 * file that did not pass check). Pure; used for the audit log and the git commit message.
 */
export function diffIssueSummary(before: unknown, after: Issue): string[] {
  const changes: string[] = [];
  // Compared as the schema reads them: a block's final newline is no change.
  const data = trimTexts(JSON.parse(JSON.stringify(after)));
  before = trimTexts(before);
  for (const key of unionKeys(before, data)) {
    if (key === 'sections') continue;
    if (key === 'en') {
      changes.push(
        ...changedFields(valueAt(before, ['en']), valueAt(data, ['en'])).map((f) => `${f} (en)`),
      );
    } else if (!isDeepStrictEqual(valueAt(before, [key]), valueAt(data, [key]))) {
      changes.push(key);
    }
  }
  changes.push(...sectionChanges(before, data));
  return changes;
}

function sectionChanges(before: unknown, after: unknown): string[] {
  const changes: string[] = [];
  const old = looseSections(before);
  const next = looseSections(after);
  const oldIds = old.map((section) => section.id ?? '?');
  const nextIds = next.map((section) => section.id ?? '?');
  for (const id of nextIds) if (!oldIds.includes(id)) changes.push(`section ${id} added`);
  for (const id of oldIds) if (!nextIds.includes(id)) changes.push(`section ${id} removed`);
  const common = (ids: string[], other: string[]) => ids.filter((id) => other.includes(id));
  if (!isDeepStrictEqual(common(oldIds, nextIds), common(nextIds, oldIds))) {
    changes.push('sections reordered');
  }

  const match = matchIssueParts(before, after);
  const kept = new Set<string>();
  next.forEach((section, k) => {
    const id = nextIds[k] ?? '?';
    const stayed: number[] = [];
    section.items.forEach((item, i) => {
      const place = match.items[k]?.[i];
      if (place === undefined) {
        changes.push(`section ${id}: item ${i + 1} added`);
        return;
      }
      kept.add(`${place.section}:${place.item}`);
      const title = shorten(item.title ?? old[place.section]?.items[place.item]?.title ?? '');
      const oldId = oldIds[place.section] ?? '?';
      if (oldId !== id) changes.push(`section ${oldId}: item '${title}' moved to ${id}`);
      else stayed.push(place.item);
      const fields = changedFields(
        valueAt(before, ['sections', place.section, 'items', place.item]),
        valueAt(after, ['sections', k, 'items', i]),
      );
      if (fields.length > 0) {
        changes.push(`section ${id}: item '${title}' edited (${fields.join(', ')})`);
      }
    });
    if (stayed.some((index, n) => n > 0 && index < stayed[n - 1]!)) {
      changes.push(`section ${id}: items reordered`);
    }
  });
  old.forEach((section, s) =>
    section.items.forEach((item, i) => {
      if (!kept.has(`${s}:${i}`)) {
        changes.push(`section ${oldIds[s] ?? '?'}: item '${shorten(item.title ?? '')}' removed`);
      }
    }),
  );
  return changes;
}

/** The fields of two mappings that differ; an `en` mapping's fields read `title (en)`. */
function changedFields(before: unknown, after: unknown): string[] {
  const fields: string[] = [];
  for (const key of unionKeys(before, after)) {
    const a = valueAt(before, [key]);
    const b = valueAt(after, [key]);
    if (key === 'en') fields.push(...changedFields(a, b).map((f) => `${f} (en)`));
    else if (!isDeepStrictEqual(a, b)) fields.push(key);
  }
  return fields;
}

function unionKeys(a: unknown, b: unknown): string[] {
  return [...new Set([...Object.keys(isRecord(a) ? a : {}), ...Object.keys(isRecord(b) ? b : {})])];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function shorten(title: string): string {
  return title.length <= TITLE_LENGTH ? title : `${title.slice(0, TITLE_LENGTH - 1).trimEnd()}…`;
}
