import { describe, expect, it } from 'vitest';

import { loadIssue, validateIssueText } from '../../content/index.ts';
import {
  formFromData,
  formFromIssue,
  issueDataFromForm,
  missingEnglish,
  nestFormFields,
  parseComposerForm,
} from './composer-form.ts';

describe('composer form', () => {
  it('gives back the same issue after a round trip through the form', async () => {
    const { issue } = await loadIssue('issues', 'fil-de-marianne/2026-11');
    const form = formFromIssue(issue, 'h1');
    expect(issueDataFromForm(issue.newsletter, form)).toEqual(issue);
  });

  it('nests the flat names of a post and compacts sparse indexes in order', () => {
    expect(
      nestFormFields({
        subject: 'S',
        'en.subject': 'E',
        'sections[3].id': 'b',
        'sections[1].id': 'a',
        'sections[1].items[0].title': 'T',
        'sections[1].items[0].en.title': 'ET',
        'bad name!': 'x',
        'sections[0': 'y',
      }),
    ).toEqual({
      subject: 'S',
      en: { subject: 'E' },
      sections: [{ id: 'a', items: [{ title: 'T', en: { title: 'ET' } }] }, { id: 'b' }],
    });
  });

  it('keeps every value as typed, and reads a post of nonsense as an empty form', () => {
    const form = parseComposerForm({
      number: 'douze',
      'sections[0].id': 'postes',
      'sections[0].items[0].kind': 'unknown-kind',
      'sections[0].items[0].deadline': '2026-13-45',
    });
    expect(form.number).toBe('douze');
    expect(form.sections[0]?.items[0]).toMatchObject({ kind: 'news', deadline: '2026-13-45' });
    expect(parseComposerForm('nonsense').sections).toEqual([]);
    const long = parseComposerForm({ subject: 'x'.repeat(5000), preheader: 'kept' });
    expect(long.subject).toHaveLength(1000);
    expect(long.preheader).toBe('kept');
  });

  it('reports problems in the words and at the locations of depeche check', () => {
    const form = parseComposerForm({
      number: '0',
      date: '2026-12-01',
      subject: 'Sujet',
      preheader: '',
      introduction: 'Intro',
      'sections[0].id': 'postes',
      'sections[0].items[0].kind': 'job',
      'sections[0].items[0].title': 'Poste',
      'sections[0].items[0].summary': 'Résumé',
      'sections[0].items[0].url': 'pas une adresse',
      'sections[0].items[0].deadline': '2026-11-01',
    });
    const data = issueDataFromForm('fil-de-marianne', form);
    const { problems } = validateIssueText(JSON.stringify(data), { file: 'form', newsletters: [] });
    const at = Object.fromEntries(problems.map((p) => [p.location, p.message]));
    expect(at.number).toBe('must be a positive number');
    expect(at.preheader).toBe('must not be empty');
    expect(at['sections[0].items[0].url']).toMatch(/must be an http/);
    expect(at['sections[0].items[0].institution']).toBe('must not be empty');
    expect(at['sections[0].items[0].deadline']).toMatch(/already past on the issue date/);
  });

  it('marks the texts whose English is missing', () => {
    const form = parseComposerForm({
      subject: 'Sujet',
      'en.subject': 'Subject',
      preheader: 'Chapô',
      'sections[0].items[0].title': 'Titre',
      'sections[0].items[0].summary': 'Résumé',
      'sections[0].items[0].en.summary': 'Summary',
    });
    expect(missingEnglish(form)).toEqual(['en.preheader', 'sections[0].items[0].en.title']);
  });

  it('opens an invalid file with its values, and refuses what is not an issue', () => {
    expect(
      formFromData({ number: 'x', sections: [{ id: 's', items: [{ kind: 'job' }] }] }, 'h'),
    ).toMatchObject({ number: 'x', hash: 'h', sections: [{ id: 's' }] });
    expect(formFromData([1, 2], 'h')).toBeNull();
    expect(formFromData(undefined, 'h')).toBeNull();
  });
});
