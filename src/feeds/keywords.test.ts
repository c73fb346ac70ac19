import { describe, expect, it } from 'vitest';

import { chooseSection, containsKeyword, matchKeywords } from './keywords.ts';

// The routing rules of a feed of job, call, fellowship and event announcements.
const portal = {
  section: 'postes',
  sections: [
    { keywords: ['bourse', 'fellowship', 'Marie Skłodowska-Curie'], section: 'bourses' },
    { keywords: ['appel à projets', 'call for proposals', 'ANR'], section: 'appels' },
    { keywords: ['postdoc', 'post-doctorat', 'maître de conférences'], section: 'postes' },
    { keywords: ['colloque', 'séminaire', 'workshop'], section: 'evenements' },
  ],
};

describe('chooseSection', () => {
  it.each([
    ['Bourse de retour en France 2027', '', 'bourses'],
    ['Appel à projets franco-mexicain', 'Les post-doctorants sont éligibles.', 'appels'],
    ['POST-DOCTORAT en écologie marine', '', 'postes'],
    ['Postdoctoral position in ocean modelling', 'Deadline: 1 March 2027', 'postes'],
    ['Maitre de conferences — section 26', '', 'postes'],
    ['Séminaire franco-américain de physique', '', 'evenements'],
    ['SEMINAIRE des doctorants', '', 'evenements'],
    ['Marie Skłodowska-Curie Actions: results', '', 'bourses'],
    // The title decides before the text: a call whose text mentions a workshop is a call.
    ['Call for proposals: quantum sensing', 'A kick-off workshop is planned.', 'appels'],
    // No rule in the title: the first rule with a keyword in the text wins.
    ['Programme Make Our Planet Great Again', 'Postdocs and fellowships available.', 'bourses'],
    // No rule at all: the feed's section.
    ['Nouveau directeur général', 'Nomination au conseil.', 'postes'],
  ])('%j (text %j) goes to %s', (title, text, expected) => {
    expect(chooseSection({ title, text: `${title} ${text}` }, portal)).toBe(expected);
  });

  it('matches at the start of a word only, ignoring case and accents', () => {
    const feed = { section: 'agences', sections: [{ keywords: ['nsf'], section: 'politique' }] };
    expect(chooseSection({ title: 'Technology transfer', text: '' }, feed)).toBe('agences');
    expect(chooseSection({ title: 'The NSF budget', text: '' }, feed)).toBe('politique');
    const accents = { section: 'a', sections: [{ keywords: ['évènement'], section: 'b' }] };
    expect(chooseSection({ title: 'EVENEMENTS de novembre', text: '' }, accents)).toBe('b');
  });

  it('takes the rules in their order', () => {
    const rules = [
      { keywords: ['prix'], section: 'prix' },
      { keywords: ['appel'], section: 'appels' },
    ];
    const title = 'Appel à candidatures pour le prix Irène Joliot-Curie';
    expect(chooseSection({ title, text: title }, { section: 'x', sections: rules })).toBe('prix');
    expect(
      chooseSection({ title, text: title }, { section: 'x', sections: [...rules].reverse() }),
    ).toBe('appels');
  });

  it('keeps the feed section without rules', () => {
    expect(chooseSection({ title: 'Anything', text: '' }, { section: 'agences' })).toBe('agences');
    expect(chooseSection({ title: 'Anything', text: '' }, { section: 'a', sections: [] })).toBe(
      'a',
    );
  });
});

describe('matchKeywords', () => {
  it.each([
    ['Appel à projets', {}, 'kept'],
    ['Appel à projets', { include: ['APPEL'] }, 'kept'],
    ['Appel à projets', { include: ['bourse', 'prix'] }, 'not-included'],
    ['Appel à projets — Erratum', { include: ['appel'], exclude: ['erratum'] }, 'excluded'],
    ['Réévaluation', { include: ['evaluation'] }, 'not-included'],
    ['Évaluation', { include: ['evaluation'] }, 'kept'],
    ['C++ and C# jobs', { include: ['c++'] }, 'kept'],
    ['Appel', { include: ['   '] }, 'not-included'],
  ] as const)('%j with %j is %s', (text, rules, expected) => {
    expect(matchKeywords(text, rules)).toBe(expected);
  });

  it('containsKeyword reads a single keyword the same way', () => {
    expect(containsKeyword('Évaluation des Postdocs', 'evaluation')).toBe(true);
    expect(containsKeyword('Technology transfer', 'nsf')).toBe(false);
    expect(containsKeyword('anything', ' ')).toBe(false);
  });
});
