import { ITEM_KINDS, type ItemKind } from '../../content/index.ts';
import { type ComposerForm, emptyItem, type FormItem } from './composer-form.ts';

/**
 * What a button of the composer asks, from its `op` value. Every button submits the whole form,
 * so the operation applies to what the editor has typed, saved or not.
 */
export type ComposerOp =
  | { kind: 'save' }
  | { kind: 'overwrite' }
  | { kind: 'preview' }
  | { kind: 'refresh' }
  | { kind: 'add-section'; sectionId: string }
  | { kind: 'section-up' | 'section-down' | 'remove-section'; section: number }
  | { kind: 'add-item'; section: number; itemKind: ItemKind }
  | { kind: 'item-up' | 'item-down' | 'remove-item'; section: number; item: number }
  | { kind: 'move-item'; section: number; item: number; toSectionId: string; toIndex?: number }
  | { kind: 'inbox-add'; candidateIds: number[] };

const index = (value: string | undefined): number | undefined =>
  value !== undefined && /^\d{1,4}$/.test(value) ? Number(value) : undefined;

function field(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  const last = Array.isArray(value) ? value.at(-1) : value;
  return typeof last === 'string' ? last.trim() : '';
}

function list(body: Record<string, unknown>, name: string): string[] {
  const value = body[name];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return typeof value === 'string' ? [value] : [];
}

/**
 * Reads the `op` of a composer post and the helper fields it uses (`_new_section`, `_kind_S`,
 * `_move_S_I`, `_inbox`). An unknown or malformed op reads as `refresh`: the page shown again
 * with what was typed, nothing written.
 */
export function parseComposerOp(body: Record<string, unknown>): ComposerOp {
  const [name, a, b, c, d] = field(body, 'op').split(':');
  const s = index(a);
  const i = index(b);
  switch (name) {
    case 'save':
    case 'overwrite':
    case 'preview':
      return { kind: name };
    case 'add-section': {
      const sectionId = field(body, '_new_section');
      return sectionId === '' ? { kind: 'refresh' } : { kind: 'add-section', sectionId };
    }
    case 'section-up':
    case 'section-down':
    case 'remove-section':
      return s === undefined ? { kind: 'refresh' } : { kind: name, section: s };
    case 'add-item': {
      if (s === undefined) return { kind: 'refresh' };
      const chosen = field(body, `_kind_${s}`);
      const itemKind = (ITEM_KINDS as readonly string[]).includes(chosen)
        ? (chosen as ItemKind)
        : 'news';
      return { kind: 'add-item', section: s, itemKind };
    }
    case 'item-up':
    case 'item-down':
    case 'remove-item':
      return s === undefined || i === undefined
        ? { kind: 'refresh' }
        : { kind: name, section: s, item: i };
    case 'move-item': {
      if (s === undefined || i === undefined) return { kind: 'refresh' };
      const toSectionId = c ?? field(body, `_move_${s}_${i}`);
      const toIndex = index(d);
      return toSectionId === ''
        ? { kind: 'refresh' }
        : {
            kind: 'move-item',
            section: s,
            item: i,
            toSectionId,
            ...(toIndex === undefined ? {} : { toIndex }),
          };
    }
    case 'inbox-add': {
      const candidateIds = list(body, '_inbox')
        .filter((id) => /^\d{1,12}$/.test(id))
        .map(Number);
      return candidateIds.length === 0 ? { kind: 'refresh' } : { kind: 'inbox-add', candidateIds };
    }
    default:
      return { kind: 'refresh' };
  }
}

function swap<T>(array: T[], a: number, b: number): void {
  if (a < 0 || b < 0 || a >= array.length || b >= array.length) return;
  const first = array[a] as T;
  array[a] = array[b] as T;
  array[b] = first;
}

/**
 * Applies a structural op (sections and items) to a copy of the form. Pure; ops that do not
 * change the structure, or point at nothing, return the form as it was. `sectionIds` are the
 * newsletter's sections, in their order: a section added or moved to takes its place there.
 */
export function applyComposerOp(
  form: ComposerForm,
  op: ComposerOp,
  sectionIds: readonly string[],
): ComposerForm {
  const sections = form.sections.map((section) => ({ ...section, items: [...section.items] }));
  const next = { ...form, sections };
  const at = (s: number) => sections[s];
  const sectionFor = (id: string): (typeof sections)[number] | undefined => {
    if (!sectionIds.includes(id)) return undefined;
    const existing = sections.find((section) => section.id === id);
    if (existing) return existing;
    const created = { id, items: [] as FormItem[] };
    const rank = sectionIds.indexOf(id);
    const before = sections.findIndex((section) => sectionIds.indexOf(section.id) > rank);
    sections.splice(before === -1 ? sections.length : before, 0, created);
    return created;
  };
  switch (op.kind) {
    case 'add-section':
      sectionFor(op.sectionId);
      return next;
    case 'section-up':
      swap(sections, op.section, op.section - 1);
      return next;
    case 'section-down':
      swap(sections, op.section, op.section + 1);
      return next;
    case 'remove-section':
      if (at(op.section)) sections.splice(op.section, 1);
      return next;
    case 'add-item':
      at(op.section)?.items.push(emptyItem(op.itemKind));
      return next;
    case 'item-up':
      if (at(op.section)) swap(at(op.section)!.items, op.item, op.item - 1);
      return next;
    case 'item-down':
      if (at(op.section)) swap(at(op.section)!.items, op.item, op.item + 1);
      return next;
    case 'remove-item':
      if (at(op.section)?.items[op.item]) at(op.section)!.items.splice(op.item, 1);
      return next;
    case 'move-item': {
      const from = at(op.section);
      const item = from?.items[op.item];
      if (!from || !item) return form;
      from.items.splice(op.item, 1);
      const to = sectionFor(op.toSectionId);
      if (!to) {
        from.items.splice(op.item, 0, item);
        return form;
      }
      const position = Math.min(op.toIndex ?? to.items.length, to.items.length);
      to.items.splice(position, 0, item);
      return next;
    }
    default:
      return form;
  }
}

/** A picked candidate as the composer brings it in. */
export interface InboxPick {
  title: string;
  summary: string;
  url: string;
  sectionId: string | null;
  deadline: string | null;
  sourceName: string;
  /** The kind its feed or routing rule names, when it names one. */
  kind?: ItemKind | null | undefined;
}

/**
 * Adds picked candidates to the form: each in its inbox section (the first of the issue when it
 * has none), with its rewritten title and summary, and its deadline. Its kind is the one its feed
 * names; without one, a candidate with a deadline comes in as a `call` and one without as
 * `news` — the editor changes the kind on the page.
 * Candidates whose URL the form already holds are not added twice.
 */
export function addInboxPicks(
  form: ComposerForm,
  picks: readonly InboxPick[],
  sectionIds: readonly string[],
): ComposerForm {
  let next = form;
  const urls = new Set(form.sections.flatMap((s) => s.items.map((item) => item.url.trim())));
  for (const pick of picks) {
    if (urls.has(pick.url)) continue;
    urls.add(pick.url);
    const sectionId =
      pick.sectionId !== null && sectionIds.includes(pick.sectionId)
        ? pick.sectionId
        : (next.sections[0]?.id ?? sectionIds[0]);
    if (sectionId === undefined) continue;
    next = applyComposerOp(next, { kind: 'add-section', sectionId }, sectionIds);
    const s = next.sections.findIndex((section) => section.id === sectionId);
    const item: FormItem = {
      ...emptyItem(pick.kind ?? (pick.deadline === null ? 'news' : 'call')),
      title: pick.title,
      summary: pick.summary,
      url: pick.url,
    };
    if (item.kind === 'news' || item.kind === 'publication') item.source = pick.sourceName;
    else {
      item.deadline = pick.deadline ?? '';
      if (item.kind !== 'event') item.institution = pick.sourceName;
    }
    next.sections[s]!.items.push(item);
  }
  return next;
}
