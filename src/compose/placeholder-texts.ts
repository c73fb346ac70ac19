/**
 * The placeholder texts drafting writes where an editor has something to write, defined once:
 * the drafts use them and the send guards refuse an issue that still holds one.
 */

/** Opens every text an editor must write (`À compléter : introduction du numéro…`). */
export const TO_BE_COMPLETED = 'À compléter';

/** Location written for an opportunity whose place the feed does not give. */
export const UNKNOWN_LOCATION = 'À préciser';

/**
 * Every placeholder the send guards look for, French and English, compared without case,
 * accents or punctuation (so the draft URL `https://example.org/a-completer` counts too).
 */
export const PLACEHOLDER_TEXTS: readonly string[] = [
  TO_BE_COMPLETED,
  UNKNOWN_LOCATION,
  'À confirmer',
  'To be completed',
  'To be specified',
  'To be confirmed',
  'TBD',
  'TBC',
  'Lorem ipsum',
];

/** Lower case, no accents, every run of non-letters and non-digits one space, padded. */
function normalized(text: string): string {
  return ` ${text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()} `;
}

const normalizedPlaceholders = PLACEHOLDER_TEXTS.map((text) => ({
  text,
  key: normalized(text),
}));

/** The placeholder `text` holds, as written in {@link PLACEHOLDER_TEXTS}, if any. Pure. */
export function findPlaceholder(text: string): string | undefined {
  const haystack = normalized(text);
  return normalizedPlaceholders.find((placeholder) => haystack.includes(placeholder.key))?.text;
}
