import { type CheckProblem, ITEM_KINDS, type NewsletterSection } from '../../content/index.ts';
import type { Locale } from '../../lib/index.ts';
import {
  type ComposerForm,
  type FormItem,
  kindFields,
  missingEnglish,
  requiredKindFields,
} from './composer-form.ts';

/** A finding of a content guard, placed at a location of the issue. */
export interface PlacedFinding {
  level: string;
  /** `sections[0].items[1].deadline`, or '' for the whole issue. */
  location: string;
  message: string;
}

/** One input of the composer, as its view draws it. */
export interface FieldView {
  name: string;
  id: string;
  label: string;
  value: string;
  input: 'text' | 'textarea' | 'date' | 'url' | 'number';
  isRequired: boolean;
  errors: string[];
  findings: PlacedFinding[];
  isMissingEnglish: boolean;
  errorId: string;
  /** The ids of the field's problems and English marker, for `aria-describedby`. */
  describedBy: string | null;
  hasProblems: boolean;
  /** The English of a pair. */
  isEnglish: boolean;
  /** The French of a pair (its English beside it). */
  hasEnglish: boolean;
}

/** A French field with its English beside it. */
export interface FieldPair {
  fr: FieldView;
  en: FieldView;
}

/** An HTML id from a field name: `sections[0].items[1].title` → `f-sections-0-items-1-title`. */
export function fieldId(name: string): string {
  return `f-${name.replace(/[[\].]+/g, '-').replace(/-+$/, '')}`;
}

const dateFields = new Set(['date', 'deadline']);
const multiline = new Set(['summary', 'introduction']);

/** Groups problems and findings by the field they name, or the nearest block above it. */
class Placement {
  readonly #byLocation = new Map<string, { errors: string[]; findings: PlacedFinding[] }>();
  readonly #known = new Set<string>();

  constructor(
    readonly problems: readonly CheckProblem[],
    readonly findings: readonly PlacedFinding[],
  ) {}

  know(name: string): void {
    this.#known.add(name);
  }

  /** Called once every field and block is known: files each entry under its nearest holder. */
  place(): void {
    const holder = (location: string): string => {
      let current = location;
      while (current !== '' && !this.#known.has(current)) {
        current = current.replace(/(\.[^.[\]]+|\[\d+\])$/, '');
        if (current === location) break;
      }
      return this.#known.has(current) ? current : '';
    };
    const slot = (location: string) => {
      const key = holder(location);
      let entry = this.#byLocation.get(key);
      if (!entry) {
        entry = { errors: [], findings: [] };
        this.#byLocation.set(key, entry);
      }
      return entry;
    };
    for (const problem of this.problems) {
      const entry = slot(problem.location);
      const known = this.#known.has(problem.location) || problem.location === '';
      entry.errors.push(known ? problem.message : `${problem.location}: ${problem.message}`);
    }
    for (const finding of this.findings) slot(finding.location).findings.push(finding);
  }

  at(name: string) {
    return this.#byLocation.get(name) ?? { errors: [], findings: [] };
  }
}

/** What {@link composerView} draws. */
export interface ComposerViewInput {
  form: ComposerForm;
  problems: readonly CheckProblem[];
  findings: readonly PlacedFinding[];
  sections: readonly NewsletterSection[];
  locale: Locale;
  /** The form's fields are editable (the role may write the issue). */
  canWrite: boolean;
}

/**
 * The composer's page as data: every field with its value, its errors and findings (those whose
 * location names no field go to the nearest item, section, or the top of the form), the marker
 * of a missing English text, the buttons' targets. Pure.
 */
export function composerView(input: ComposerViewInput) {
  const { form, locale } = input;
  const placement = new Placement(input.problems, input.findings);
  const missing = new Set(missingEnglish(form));
  const titleOf = (id: string) =>
    input.sections.find((section) => section.id === id)?.title[locale] ?? id;

  const field = (
    name: string,
    label: string,
    value: string,
    options: { input?: FieldView['input']; isRequired?: boolean } = {},
  ): FieldView => {
    placement.know(name);
    const id = fieldId(name);
    return {
      name,
      id,
      label,
      value,
      input: options.input ?? 'text',
      isRequired: options.isRequired ?? false,
      errors: [],
      findings: [],
      isMissingEnglish: missing.has(name),
      errorId: `${id}-problems`,
      describedBy: null,
      hasProblems: false,
      isEnglish: name.startsWith('en.') || name.includes('.en.'),
      hasEnglish: false,
    };
  };
  const pair = (frField: FieldView, enField: FieldView): FieldPair => {
    frField.hasEnglish = true;
    return { fr: frField, en: enField };
  };
  const headerPair = (name: string, fr: string, en: string) =>
    pair(
      field(name, name, fr, { input: multiline.has(name) ? 'textarea' : 'text', isRequired: true }),
      field(`en.${name}`, name, en, { input: multiline.has(name) ? 'textarea' : 'text' }),
    );

  const header = {
    number: field('number', 'number', form.number, { input: 'number', isRequired: true }),
    date: field('date', 'date', form.date, { input: 'date', isRequired: true }),
    texts: [
      headerPair('subject', form.subject, form.en.subject),
      headerPair('preheader', form.preheader, form.en.preheader),
      headerPair('introduction', form.introduction, form.en.introduction),
    ],
  };
  for (const name of ['newsletter', 'sections', 'en']) placement.know(name);

  const usedIds = form.sections.map((section) => section.id);
  const sections = form.sections.map((section, s) => {
    const base = `sections[${s}]`;
    placement.know(base);
    placement.know(`${base}.items`);
    const idField = field(`${base}.id`, 'section', section.id);
    const items = section.items.map((item, i) => itemView(item, `${base}.items[${i}]`, s, i));
    return {
      index: s,
      base,
      anchor: `section-${s}`,
      idField,
      title: titleOf(section.id),
      isFirst: s === 0,
      isLast: s === form.sections.length - 1,
      kindSelectId: `kind-${s}`,
      kindSelectName: `_kind_${s}`,
      items,
      errors: [] as string[],
      findings: [] as PlacedFinding[],
    };
  });

  function itemView(item: FormItem, base: string, s: number, i: number) {
    placement.know(base);
    placement.know(`${base}.en`);
    const texts = [
      pair(
        field(`${base}.title`, 'title', item.title, { isRequired: true }),
        field(`${base}.en.title`, 'title', item.en.title),
      ),
      pair(
        field(`${base}.summary`, 'summary', item.summary, { input: 'textarea', isRequired: true }),
        field(`${base}.en.summary`, 'summary', item.en.summary, { input: 'textarea' }),
      ),
    ];
    const url = field(`${base}.url`, 'url', item.url, { input: 'url', isRequired: true });
    const extras = kindFields[item.kind].map((name) =>
      field(`${base}.${name}`, name, item[name], {
        input: dateFields.has(name) ? 'date' : 'text',
        isRequired: (requiredKindFields[item.kind] as readonly string[]).includes(name),
      }),
    );
    return {
      index: i,
      number: i + 1,
      base,
      anchor: `item-${s}-${i}`,
      heading: item.title.trim() === '' ? null : item.title,
      kindField: { name: `${base}.kind`, id: fieldId(`${base}.kind`) },
      kinds: ITEM_KINDS.map((kind) => ({ value: kind, isSelected: kind === item.kind })),
      kind: item.kind,
      texts,
      url,
      extras,
      // Fields of other kinds keep their values across a change of kind, unseen.
      hidden: (Object.keys(item) as Array<keyof FormItem>)
        .filter(
          (name) =>
            !['kind', 'title', 'summary', 'url', 'en'].includes(name) &&
            !(kindFields[item.kind] as readonly string[]).includes(name) &&
            String(item[name]) !== '',
        )
        .map((name) => ({ name: `${base}.${name}`, value: String(item[name]) })),
      isFirst: i === 0,
      isLast: i === sectionLength(s) - 1,
      moveSelectId: `move-${s}-${i}`,
      moveSelectName: `_move_${s}_${i}`,
      moveTargets: input.sections
        .filter((target) => target.id !== form.sections[s]?.id)
        .map((target) => ({ id: target.id, title: target.title[locale] })),
      section: s,
      errors: [] as string[],
      findings: [] as PlacedFinding[],
    };
  }
  function sectionLength(s: number): number {
    return form.sections[s]?.items.length ?? 0;
  }

  placement.place();
  const fill = (view: FieldView) => {
    const found = placement.at(view.name);
    view.errors = found.errors;
    view.findings = found.findings;
    const ids = [
      ...(found.errors.length + found.findings.length > 0 ? [view.errorId] : []),
      ...(view.isMissingEnglish ? [`${view.id}-missing`] : []),
    ];
    view.describedBy = ids.length > 0 ? ids.join(' ') : null;
    view.hasProblems = found.errors.length + found.findings.length > 0;
  };
  fill(header.number);
  fill(header.date);
  for (const text of header.texts) {
    fill(text.fr);
    fill(text.en);
  }
  for (const section of sections) {
    fill(section.idField);
    const own = placement.at(section.base);
    const ownItems = placement.at(`${section.base}.items`);
    section.errors = [...own.errors, ...ownItems.errors];
    section.findings = [...own.findings, ...ownItems.findings];
    for (const item of section.items) {
      const ownItem = placement.at(item.base);
      const ownEn = placement.at(`${item.base}.en`);
      item.errors = [...ownItem.errors, ...ownEn.errors];
      item.findings = [...ownItem.findings, ...ownEn.findings];
      for (const text of item.texts) {
        fill(text.fr);
        fill(text.en);
      }
      fill(item.url);
      for (const extra of item.extras) fill(extra);
    }
  }
  const general = ['', 'newsletter', 'sections', 'en'].map((name) => placement.at(name));
  return {
    header,
    sections,
    generalErrors: general.flatMap((entry) => entry.errors),
    generalFindings: general.flatMap((entry) => entry.findings),
    problemCount: input.problems.length,
    missingEnglishCount: missing.size,
    addableSections: input.sections
      .filter((section) => !usedIds.includes(section.id))
      .map((section) => ({ id: section.id, title: section.title[locale] })),
    kindOptions: ITEM_KINDS,
  };
}
/** The composer page's data. */
export type ComposerView = ReturnType<typeof composerView>;
