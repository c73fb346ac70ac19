import { valueAt } from './yaml-document.ts';

/** Where an item sits in an issue: its section's index and its own index in that section. */
export interface ItemPlace {
  section: number;
  item: number;
}

/** Which parts of one version of an issue are the same parts of another (see {@link matchIssueParts}). */
export interface IssueMatch {
  /** For each section of `after`, the index of the same section in `before`; undefined when new. */
  sections: Array<number | undefined>;
  /** For each item of `after`, by section then item, its place in `before`; undefined when new. */
  items: Array<Array<ItemPlace | undefined>>;
}

/** The sections of loose issue data, each with its id and its items' url and kind (when text). */
export function looseSections(data: unknown): Array<{
  id: string | undefined;
  items: Array<{ url: string | undefined; kind: string | undefined; title: string | undefined }>;
}> {
  const sections = valueAt(data, ['sections']);
  if (!Array.isArray(sections)) return [];
  return sections.map((section: unknown) => {
    const items = valueAt(section, ['items']);
    return {
      id: text(valueAt(section, ['id'])),
      items: (Array.isArray(items) ? items : []).map((item: unknown) => ({
        url: text(valueAt(item, ['url'])),
        kind: text(valueAt(item, ['kind'])),
        title: text(valueAt(item, ['title'])),
      })),
    };
  });
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value.trim() : undefined;
}

/**
 * Pairs the sections and items of two versions of an issue, so that an edit keeps what belongs
 * to a part (its comments in the file) and a summary can say "moved" instead of "removed, added".
 * Sections pair by id, then by position. Items pair by URL anywhere in the issue (an item moved
 * to another section is the same item), then an item whose URL was edited pairs with the item of
 * the same kind at the same position of the same section. Each part pairs at most once. Pure;
 * works on loose data, so a file that does not pass check still pairs what it can.
 */
export function matchIssueParts(before: unknown, after: unknown): IssueMatch {
  const old = looseSections(before);
  const next = looseSections(after);

  const usedSections = new Set<number>();
  const sections = next.map((section) => {
    const index = old.findIndex(
      (o, i) => !usedSections.has(i) && o.id !== undefined && o.id === section.id,
    );
    if (index === -1) return undefined;
    usedSections.add(index);
    return index;
  });
  sections.forEach((match, k) => {
    if (match === undefined && k < old.length && !usedSections.has(k)) {
      usedSections.add(k);
      sections[k] = k;
    }
  });

  const usedItems = new Set<string>();
  const placeKey = (place: ItemPlace) => `${place.section}:${place.item}`;
  const byUrl = new Map<string, ItemPlace[]>();
  old.forEach((section, s) =>
    section.items.forEach((item, i) => {
      if (item.url === undefined) return;
      const places = byUrl.get(item.url) ?? [];
      places.push({ section: s, item: i });
      byUrl.set(item.url, places);
    }),
  );
  const items = next.map((section) =>
    section.items.map((item): ItemPlace | undefined => {
      const place = (item.url === undefined ? [] : (byUrl.get(item.url) ?? [])).find(
        (candidate) => !usedItems.has(placeKey(candidate)),
      );
      if (place) usedItems.add(placeKey(place));
      return place;
    }),
  );
  items.forEach((sectionItems, k) => {
    const s = sections[k];
    if (s === undefined) return;
    sectionItems.forEach((match, i) => {
      const candidate = { section: s, item: i };
      const oldItem = old[s]?.items[i];
      if (
        match === undefined &&
        oldItem !== undefined &&
        !usedItems.has(placeKey(candidate)) &&
        oldItem.kind === next[k]?.items[i]?.kind
      ) {
        usedItems.add(placeKey(candidate));
        sectionItems[i] = candidate;
      }
    });
  });
  return { sections, items };
}

/** `data` with every text trimmed, as the schema reads it. */
export function trimTexts(data: unknown): unknown {
  if (typeof data === 'string') return data.trim();
  if (Array.isArray(data)) return data.map(trimTexts);
  if (data !== null && typeof data === 'object') {
    return Object.fromEntries(Object.entries(data).map(([key, entry]) => [key, trimTexts(entry)]));
  }
  return data;
}
