import { z } from 'zod';

import { type Issue, ITEM_KINDS, type ItemKind } from '../../content/index.ts';

/**
 * The composer's form ↔ issue mapping. Every field is named after its place in the issue
 * (`subject`, `en.subject`, `sections[1].items[0].deadline`), the location `depeche check`
 * gives its problems, so an error finds its field by name. The form keeps strings as typed:
 * nothing the editor wrote is dropped or coerced before the issue's own schema has spoken.
 */

/** The fields an item of each kind has besides title, summary, url and their English. */
export const kindFields = {
  news: ['source', 'date'],
  publication: ['source', 'date', 'authors', 'publisher'],
  job: ['institution', 'location', 'deadline'],
  call: ['institution', 'location', 'deadline'],
  fellowship: ['institution', 'location', 'deadline'],
  prize: ['institution', 'location', 'deadline'],
  event: ['start', 'end', 'place', 'deadline'],
} as const satisfies Record<ItemKind, readonly string[]>;

/** Every kind-specific field the form knows. */
export const ITEM_EXTRA_FIELDS = [
  'institution',
  'location',
  'deadline',
  'source',
  'date',
  'authors',
  'publisher',
  'start',
  'end',
  'place',
] as const;
/** One kind-specific field of an item. */
export type ItemExtraField = (typeof ITEM_EXTRA_FIELDS)[number];

/** Fields a kind requires (the others of {@link kindFields} are optional). */
export const requiredKindFields: Record<ItemKind, readonly ItemExtraField[]> = {
  news: [],
  publication: [],
  job: ['institution', 'location', 'deadline'],
  call: ['institution', 'location', 'deadline'],
  fellowship: ['institution', 'location', 'deadline'],
  prize: ['institution', 'location', 'deadline'],
  event: ['start', 'place'],
};

// Bounds above the issue schema's: a too-long text is reported by the schema in `depeche
// check`'s words; only what is past these (and the body limit) is cut, so one absurd value
// never costs the editor the rest of the form.
const text = (max: number) =>
  z
    .string()
    .default('')
    .transform((value) => value.slice(0, max));

const FormItemSchema = z.object({
  kind: z.enum(ITEM_KINDS).catch('news'),
  title: text(1000),
  summary: text(6000),
  url: text(2100),
  en: z.object({ title: text(1000), summary: text(6000) }).default({ title: '', summary: '' }),
  ...Object.fromEntries(ITEM_EXTRA_FIELDS.map((field) => [field, text(1000)])),
}) as unknown as z.ZodType<FormItem>;

/** An item as the form holds it: every value a string, as typed. */
export interface FormItem {
  kind: ItemKind;
  title: string;
  summary: string;
  url: string;
  en: { title: string; summary: string };
  institution: string;
  location: string;
  deadline: string;
  source: string;
  date: string;
  authors: string;
  publisher: string;
  start: string;
  end: string;
  place: string;
}

/** The composer's form, parsed: the issue's texts as typed, plus the hash of the opened file. */
export const ComposerFormSchema = z.object({
  /** Content hash of the file version the editor opened (empty for a file not yet saved). */
  hash: text(200),
  number: text(50),
  date: text(50),
  subject: text(1000),
  preheader: text(1000),
  introduction: text(20_000),
  en: z
    .object({ subject: text(1000), preheader: text(1000), introduction: text(20_000) })
    .default({ subject: '', preheader: '', introduction: '' }),
  sections: z
    .array(
      z.object({
        id: text(100),
        items: z
          .array(FormItemSchema)
          .default([])
          .transform((items) => items.slice(0, 200)),
      }),
    )
    .default([])
    .transform((sections) => sections.slice(0, 50)),
});
/** The composer's form. */
export type ComposerForm = z.infer<typeof ComposerFormSchema>;
/** One section of the form. */
export type FormSection = ComposerForm['sections'][number];

/** An empty item of `kind`. */
export function emptyItem(kind: ItemKind): FormItem {
  const item = { kind, title: '', summary: '', url: '', en: { title: '', summary: '' } };
  return {
    ...item,
    ...(Object.fromEntries(ITEM_EXTRA_FIELDS.map((field) => [field, ''])) as Record<
      ItemExtraField,
      string
    >),
  };
}

const PATH_SEGMENT = /\[(\d{1,4})\]|\.?([A-Za-z_]+)/gy;

/**
 * Turns the flat body of a form post (`sections[0].items[1].title` = …) into nested data:
 * objects for names, arrays for indexes. Unknown shapes are dropped; what remains is parsed by
 * {@link ComposerFormSchema}. Sparse indexes are compacted, keeping their order.
 */
export function nestFormFields(body: Record<string, unknown>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(body)) {
    const value = Array.isArray(raw) ? raw.at(-1) : raw;
    if (typeof value !== 'string' || name.length > 200) continue;
    const segments: Array<string | number> = [];
    PATH_SEGMENT.lastIndex = 0;
    let match: RegExpExecArray | null;
    let consumed = 0;
    while ((match = PATH_SEGMENT.exec(name)) !== null) {
      segments.push(match[1] !== undefined ? Number(match[1]) : (match[2] as string));
      consumed = PATH_SEGMENT.lastIndex;
    }
    if (consumed !== name.length || segments.length === 0) continue;
    let node: Record<string | number, unknown> = root;
    segments.forEach((segment, index) => {
      if (index === segments.length - 1) {
        node[segment] = value;
        return;
      }
      const child = node[segment];
      if (typeof child !== 'object' || child === null) node[segment] = {};
      node = node[segment] as Record<string | number, unknown>;
    });
  }
  return compactIndexes(root) as Record<string, unknown>;
}

/** Objects whose keys are all indexes become arrays, in index order. */
function compactIndexes(node: unknown): unknown {
  if (typeof node !== 'object' || node === null) return node;
  const entries = Object.entries(node as Record<string, unknown>);
  if (entries.length > 0 && entries.every(([key]) => /^\d+$/.test(key))) {
    return entries
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([, value]) => compactIndexes(value));
  }
  return Object.fromEntries(entries.map(([key, value]) => [key, compactIndexes(value)]));
}

/** Parses a posted composer form (flat names); anything malformed reads as empty. */
export function parseComposerForm(body: unknown): ComposerForm {
  const nested = typeof body === 'object' && body !== null ? nestFormFields(body as never) : {};
  const parsed = ComposerFormSchema.safeParse(nested);
  return parsed.success ? parsed.data : ComposerFormSchema.parse({});
}

/** Scalars of a file as the form's text: numbers and booleans written out, null as empty. */
function asFormText(value: unknown): unknown {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (Array.isArray(value)) return value.map(asFormText);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).flatMap(([key, inner]) => {
        const text = asFormText(inner);
        return text === undefined ? [] : [[key, text]];
      }),
    );
  }
  return undefined;
}

/**
 * The form of an issue file's data, valid or not (an invalid file opens with its problems
 * beside its fields). Null when the data is not an issue's shape at all (broken YAML, a list…).
 */
export function formFromData(data: unknown, hash: string): ComposerForm | null {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return null;
  const parsed = ComposerFormSchema.safeParse({ ...(asFormText(data) as object), hash });
  return parsed.success ? parsed.data : null;
}

/** The form of a valid issue. */
export function formFromIssue(issue: Issue, hash: string): ComposerForm {
  const form = formFromData(issue, hash);
  if (form === null)
    throw new Error(`Issue ${issue.newsletter} ${issue.date} does not fit the form`);
  return form;
}

/** A value that is only blanks reads as absent. */
function present(value: string): string | undefined {
  return value.trim() === '' ? undefined : value;
}

/** Browsers post a textarea's line breaks as CRLF; files hold LF. */
function block(value: string): string {
  return value.replace(/\r\n?/g, '\n');
}

/**
 * The issue data of a form, as a file would hold it, for the issue schema and `depeche check`'s
 * cross-checks to judge: the kind's fields only, empty optional texts left out, required ones
 * kept (even empty, so their problem is "must not be empty" at the right place), the number as
 * a number when it reads as one.
 */
export function issueDataFromForm(newsletter: string, form: ComposerForm): Record<string, unknown> {
  const en = withoutAbsent({
    subject: present(form.en.subject),
    preheader: present(form.en.preheader),
    introduction: present(form.en.introduction) && block(form.en.introduction),
  });
  return withoutAbsent({
    newsletter,
    number: /^\s*\d{1,9}\s*$/.test(form.number) ? Number(form.number) : form.number,
    date: form.date.trim(),
    subject: form.subject,
    preheader: form.preheader,
    introduction: block(form.introduction),
    en: Object.keys(en).length > 0 ? en : undefined,
    sections: form.sections.map((section) => ({
      id: section.id,
      items: section.items.map((item) => itemData(item)),
    })),
  });
}

function itemData(item: FormItem): Record<string, unknown> {
  const en = withoutAbsent({
    title: present(item.en.title),
    summary: present(item.en.summary) && block(item.en.summary),
  });
  const extra: Record<string, string | undefined> = {};
  for (const field of kindFields[item.kind]) {
    const isRequired = requiredKindFields[item.kind].includes(field);
    extra[field] = isRequired ? item[field].trim() : present(item[field])?.trim();
  }
  return withoutAbsent({
    kind: item.kind,
    title: item.title,
    summary: block(item.summary),
    url: item.url.trim(),
    ...extra,
    en: Object.keys(en).length > 0 ? en : undefined,
  });
}

function withoutAbsent(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

/**
 * Texts whose English is missing while the French is there: their field names, for the
 * composer's marker beside each.
 */
export function missingEnglish(form: ComposerForm): string[] {
  const missing: string[] = [];
  for (const field of ['subject', 'preheader', 'introduction'] as const) {
    if (form[field].trim() !== '' && form.en[field].trim() === '') missing.push(`en.${field}`);
  }
  form.sections.forEach((section, s) =>
    section.items.forEach((item, i) => {
      for (const field of ['title', 'summary'] as const) {
        if (item[field].trim() !== '' && item.en[field].trim() === '') {
          missing.push(`sections[${s}].items[${i}].en.${field}`);
        }
      }
    }),
  );
  return missing;
}
