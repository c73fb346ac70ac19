import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { listIssueKeys } from './issue-keys.ts';

describe('listIssueKeys', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'issue-keys-'));
    await mkdir(path.join(dir, 'adn'));
    for (const name of [
      '2026-10.yaml',
      '2026-12.yaml',
      'newsletter.yaml',
      'notes.txt',
      '2026-9.yaml',
    ]) {
      await writeFile(path.join(dir, 'adn', name), '');
    }
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('lists the month files of a newsletter, the most recent first', async () => {
    expect(await listIssueKeys(dir, 'adn')).toEqual(['adn/2026-12', 'adn/2026-10']);
  });

  it.each(['fil-de-marianne', '../adn', ''])('finds none for %j', async (id) => {
    expect(await listIssueKeys(dir, id)).toEqual([]);
  });
});
