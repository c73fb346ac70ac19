import { describe, expect, it } from 'vitest';

import { parseComposerForm } from './composer-form.ts';
import { composerView, fieldId } from './composer-view.ts';

const sections = [
  { id: 'postes', title: { fr: 'Postes', en: 'Jobs' } },
  { id: 'prix', title: { fr: 'Prix', en: 'Prizes' } },
];
const form = parseComposerForm({
  subject: 'Objet',
  'sections[0].id': 'postes',
  'sections[0].items[0].kind': 'job',
  'sections[0].items[0].title': 'Poste',
  'sections[0].items[0].summary': 'Résumé',
});
const problem = (location: string, message: string) => ({ file: 'f', location, message });

describe('composer view', () => {
  it('puts each problem next to its field, or at the nearest item, section or top', () => {
    const view = composerView({
      form,
      problems: [
        problem('sections[0].items[0].url', 'must not be empty'),
        problem('sections[0].items[0].authors', "unknown field 'authors'"),
        problem('sections[0].items', 'a section needs at least one item'),
        problem('newsletter', "unknown newsletter 'x'"),
        problem('', 'the file is empty'),
      ],
      findings: [{ level: 'error', location: 'subject', message: 'placeholder « À compléter »' }],
      sections,
      locale: 'fr',
      canWrite: true,
    });
    const item = view.sections[0]!.items[0]!;
    expect(item.url.errors).toEqual(['must not be empty']);
    expect(item.url.describedBy).toBe(`${fieldId('sections[0].items[0].url')}-problems`);
    expect(item.errors).toEqual(["sections[0].items[0].authors: unknown field 'authors'"]);
    expect(view.sections[0]!.errors).toEqual(['a section needs at least one item']);
    expect(view.generalErrors).toEqual(['the file is empty', "unknown newsletter 'x'"]);
    expect(view.header.texts[0]!.fr.findings).toHaveLength(1);
  });

  it('shows the kind’s fields only, marks missing English and offers the other sections', () => {
    const view = composerView({
      form,
      problems: [],
      findings: [],
      sections,
      locale: 'en',
      canWrite: true,
    });
    const item = view.sections[0]!.items[0]!;
    expect(item.extras.map((field) => field.label)).toEqual([
      'institution',
      'location',
      'deadline',
    ]);
    expect(item.texts[0]!.en.isMissingEnglish).toBe(true);
    expect(item.texts[0]!.en.describedBy).toBe(
      `${fieldId('sections[0].items[0].en.title')}-missing`,
    );
    expect(view.header.texts[0]!.en.isMissingEnglish).toBe(true);
    expect(view.header.texts[1]!.en.isMissingEnglish).toBe(false);
    expect(item.moveTargets).toEqual([{ id: 'prix', title: 'Prizes' }]);
    expect(view.addableSections).toEqual([{ id: 'prix', title: 'Prizes' }]);
  });
});
