import { describe, expect, it } from 'vitest';

import { mapColumns, readRow } from './csv-columns.ts';

describe('mapColumns', () => {
  it('maps French and English headers whatever their case and accents', () => {
    const map = mapColumns(
      ['Adresse e-mail', 'Nom complet', 'Langue', 'Pays de résidence', 'Domaine', 'Statut'],
      'f.csv',
    );
    expect(map.roles).toEqual({
      email: 0,
      name: 1,
      locale: 2,
      country: 3,
      researchField: 4,
      careerStage: 5,
    });
    expect(mapColumns(['E-mail', 'Career stage', 'Research field'], 'f.csv').roles).toEqual({
      email: 0,
      careerStage: 1,
      researchField: 2,
    });
  });

  it('reads nom as the family name beside a prénom column, and keeps unknown columns', () => {
    const map = mapColumns(['Courriel', 'Prénom', 'Nom', 'Unité de recherche', 'id'], 'f.csv');
    expect(map.roles).toEqual({ email: 0, firstName: 1, lastName: 2 });
    expect(map.extra).toEqual([{ index: 3, key: 'unite_de_recherche' }]);
    const result = readRow(['x@example.org', 'Amélie', 'Poulain', 'UMR 8', '12'], map, 2);
    expect(result).toMatchObject({
      ok: true,
      row: { name: 'Amélie Poulain', attributes: { unite_de_recherche: 'UMR 8' } },
    });
  });

  it('names the headers it found when none holds the email', () => {
    expect(() => mapColumns(['nom', 'pays'], 'list.csv')).toThrow(
      "'list.csv' has no email column: expected a header named email, e-mail, courriel or adresse (found: 'nom', 'pays')",
    );
  });
});

describe('readRow', () => {
  const map = mapColumns(['email', 'name', 'locale', 'country', 'stage', 'attributes'], 'f.csv');

  it('reads a valid row, leaving empty cells out', () => {
    expect(readRow([' A@Example.ORG ', '', 'en', 'mx', '', ''], map, 5)).toMatchObject({
      ok: true,
      row: { line: 5, email: 'A@example.org', locale: 'en', country: 'MX', attributes: {} },
    });
  });

  it.each([
    [['', 'x'], 'email is empty'],
    [['nope'], "'nope' is not a valid email address"],
    [['a@example.org', '', 'de'], "unknown language 'de' (fr or en)"],
    [['a@example.org', '', '', '', '', '[1]'], 'attributes is not a JSON object'],
    [['a@example.org', '', '', '', '', '{"a":{"b":1}}'], expect.stringContaining('flat JSON')],
    [['a@example.org', 'x'.repeat(201)], 'name is longer than 200 characters'],
  ])('refuses %j', (cells, reason) => {
    expect(readRow(cells, map, 3)).toEqual({ ok: false, reason });
  });

  it('keeps the other columns as text attributes within the limits of AttributesSchema', () => {
    const extras = mapColumns(['email', 'Unité', 'Équipe'], 'f.csv');
    expect(readRow(['a@example.org', ' UMR 8 ', ''], extras, 2)).toMatchObject({
      ok: true,
      row: { attributes: { unite: 'UMR 8' } },
    });
    expect(readRow(['a@example.org', 'x'.repeat(501)], extras, 2)).toEqual({
      ok: false,
      reason: expect.stringContaining('flat JSON'),
    });
    const headers = ['email', ...Array.from({ length: 51 }, (_, i) => `col ${i}`)];
    const many = mapColumns(headers, 'f.csv');
    expect(readRow(['a@example.org', ...headers.slice(1)], many, 2)).toEqual({
      ok: false,
      reason: expect.stringContaining('at most 50'),
    });
    expect(readRow(['a@example.org', ...headers.slice(1, 51)], many, 2)).toMatchObject({
      ok: true,
    });
  });

  it('remembers nothing between rows but the answers of the field parsers', () => {
    expect(readRow(['a@example.org', '', 'fr', 'France'], map, 2)).toMatchObject({
      row: { locale: 'fr', country: 'FR' },
    });
    expect(readRow(['b@example.org', '', 'fr', 'Atlantis'], map, 3)).toEqual({
      ok: false,
      reason: expect.stringContaining("unknown country 'Atlantis'"),
    });
    expect(readRow(['c@example.org', '', 'fr', 'France'], map, 4)).toMatchObject({
      row: { line: 4, email: 'c@example.org', country: 'FR' },
    });
  });
});
