import { appendFile, cp, mkdtemp, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createNewsletterLoader } from './newsletter-cache.ts';

describe('createNewsletterLoader', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'depeche-newsletters-'));
    await cp(path.resolve('issues/adn'), path.join(dir, 'adn'), { recursive: true });
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('keeps a newsletter while its file is unchanged, and reads it again once edited', async () => {
    const load = createNewsletterLoader(dir);
    const first = await load('adn');
    expect(await load('adn')).toBe(first);
    const file = path.join(dir, 'adn', 'newsletter.yaml');
    await appendFile(file, '\n# edited\n');
    await utimes(file, new Date(), new Date(Date.now() + 5000));
    const second = await load('adn');
    expect(second).not.toBe(first);
    expect(second).toEqual(first);
  });

  it('answers an unknown or malformed id as loadNewsletter does', async () => {
    const load = createNewsletterLoader(dir);
    await expect(load('inconnue')).rejects.toThrow("Unknown newsletter 'inconnue'");
    await expect(load('../adn')).rejects.toThrow("Invalid newsletter id '../adn'");
  });
});
