/**
 * Where keys go in an issue file: the order hand-written files use, so that a key the composer
 * adds lands where an editor would have written it.
 */

/** The kinds of mapping in an issue file, for the order their keys are written in. */
export type Shape = 'issue' | 'issue-en' | 'section' | 'item' | 'item-en' | undefined;

/** The order of keys in hand-written issue files; new keys are put at their place in it. */
const KEY_ORDER: Record<NonNullable<Shape>, readonly string[]> = {
  issue: ['newsletter', 'number', 'date', 'subject', 'preheader', 'introduction', 'en', 'sections'],
  'issue-en': ['subject', 'preheader', 'introduction'],
  section: ['id', 'items'],
  item: [
    'kind',
    'title',
    'summary',
    'url',
    'source',
    'authors',
    'publisher',
    'date',
    'institution',
    'location',
    'start',
    'end',
    'place',
    'deadline',
    'en',
  ],
  'item-en': ['title', 'summary'],
};

/** The shape of the value at `key` of a `shape` mapping (of each entry, for a list). */
export function childShape(shape: Shape, key: string): Shape {
  if (shape === 'issue')
    return key === 'en' ? 'issue-en' : key === 'sections' ? 'section' : undefined;
  if (shape === 'section') return key === 'items' ? 'item' : undefined;
  if (shape === 'item') return key === 'en' ? 'item-en' : undefined;
  return undefined;
}

/** The place of `key` in the usual order of a `shape` mapping; unknown keys go last. */
export function rank(shape: Shape, key: string): number {
  const index = shape === undefined ? -1 : KEY_ORDER[shape].indexOf(key);
  return index === -1 ? Number.POSITIVE_INFINITY : index;
}

/** `value` with the keys of its mappings in {@link KEY_ORDER}. */
export function orderedKeys(value: unknown, shape: Shape): unknown {
  if (Array.isArray(value)) return value.map((entry) => orderedKeys(entry, shape));
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value).sort((a, b) => {
    const order = rank(shape, a) - rank(shape, b);
    return Number.isNaN(order) ? 0 : order;
  });
  return Object.fromEntries(
    keys.map((key) => [
      key,
      orderedKeys((value as Record<string, unknown>)[key], childShape(shape, key)),
    ]),
  );
}
