import { foldText } from './plain-text.ts';

const months: Record<string, number> = {
  janvier: 1,
  fevrier: 2,
  mars: 3,
  avril: 4,
  mai: 5,
  juin: 6,
  juillet: 7,
  aout: 8,
  septembre: 9,
  octobre: 10,
  novembre: 11,
  decembre: 12,
  january: 1,
  february: 2,
  march: 3,
  april: 4,
  may: 5,
  june: 6,
  july: 7,
  august: 8,
  september: 9,
  october: 10,
  november: 11,
  december: 12,
  janv: 1,
  fevr: 2,
  fev: 2,
  avr: 4,
  juil: 7,
  sept: 9,
  oct: 10,
  nov: 11,
  dec: 12,
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
};

// Phrases that announce a deadline, matched on folded text (lower case, no accents).
const labels = [
  'date limite de (?:candidature|depot|soumission|reponse)s?',
  'date limite',
  'date-limite',
  'date de cloture',
  'cloture des (?:candidatures|inscriptions|soumissions)',
  'limite de (?:candidature|depot|soumission)s?',
  'candidatures? (?:jusqu|avant)',
  'a deposer avant',
  'deadline for (?:applications|submissions|proposals)',
  'application deadline',
  'submission deadline',
  'proposal deadline',
  'deadline',
  'closing date',
  'closes on',
  'applications? (?:are )?due',
  'due date',
  'apply by',
  'apply before',
];
const labelPattern = new RegExp(`(?:${labels.join('|')})`, 'g');

const monthNames = Object.keys(months)
  .sort((a, b) => b.length - a.length)
  .join('|');
const glue = String.raw`^[\s:'’,.\-–—]*(?:(?:is|est|fixee|fixe|au|le|on|by|of|:|jusqu|a)\b[\s:'’,.]*)*`;
const isoDate = new RegExp(String.raw`${glue}(\d{4})-(\d{2})-(\d{2})`);
const dayMonthYear = new RegExp(
  String.raw`${glue}(?:[a-z]+\s+)?(\d{1,2})(?:er|st|nd|rd|th)?\s+(${monthNames})\.?,?\s+(\d{4})`,
);
const monthDayYear = new RegExp(
  String.raw`${glue}(?:[a-z]+,?\s+)?(${monthNames})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})`,
);
const numericDate = new RegExp(String.raw`${glue}(\d{1,2})[/.](\d{1,2})[/.](\d{4})`);

function isoOf(year: number, month: number, day: number): string | undefined {
  if (year < 2000 || year > 2100) return undefined;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  return date.toISOString().slice(0, 10);
}

function parseDateAt(rest: string, isEnglishLabel: boolean): string | undefined {
  let match = isoDate.exec(rest);
  if (match) return isoOf(Number(match[1]), Number(match[2]), Number(match[3]));
  match = dayMonthYear.exec(rest);
  if (match) return isoOf(Number(match[3]), months[match[2] ?? ''] ?? 0, Number(match[1]));
  match = monthDayYear.exec(rest);
  if (match) return isoOf(Number(match[3]), months[match[1] ?? ''] ?? 0, Number(match[2]));
  match = numericDate.exec(rest);
  if (match) {
    const first = Number(match[1]);
    const second = Number(match[2]);
    // Day first (French and European use) unless only month-first makes sense, or the label
    // is English and both readings are possible.
    const isMonthFirst = second > 12 || (isEnglishLabel && first <= 12 && second <= 12);
    return isMonthFirst
      ? isoOf(Number(match[3]), first, second)
      : isoOf(Number(match[3]), second, first);
  }
  return undefined;
}

/**
 * Finds the deadline an entry states, in French or English: « Date limite : 15 décembre
 * 2026 », « clôture des candidatures le 1er mars 2027 », "Deadline: December 15, 2026",
 * "Closing date 2026-12-15", "apply by 15/12/2026". Only dates announced by such a phrase
 * count; returns the first as `YYYY-MM-DD`, or `undefined`.
 */
export function extractDeadline(text: string): string | undefined {
  return extractDeadlineFromFolded(foldText(text));
}

/** {@link extractDeadline} of text already folded with `foldText` (done once per entry). */
export function extractDeadlineFromFolded(folded: string): string | undefined {
  for (const match of folded.matchAll(labelPattern)) {
    const rest = folded.slice(match.index + match[0].length, match.index + match[0].length + 60);
    const isEnglishLabel = /^[a-z ]+$/.test(match[0]) && !/date|cloture|limite/.test(match[0]);
    const found = parseDateAt(rest, isEnglishLabel);
    if (found) return found;
  }
  return undefined;
}
