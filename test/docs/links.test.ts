// Every relative link of README.md, docs/*.md and the folder READMEs points at a file that
// exists, and every #anchor at a heading of that file (GitHub's slugs).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function markdownFiles(): string[] {
  const files = ['README.md', 'bench/README.md'];
  for (const name of readdirSync(join(root, 'docs')))
    if (name.endsWith('.md')) files.push(`docs/${name}`);
  for (const name of readdirSync(join(root, 'src'))) {
    if (existsSync(join(root, 'src', name, 'README.md'))) files.push(`src/${name}/README.md`);
  }
  return files;
}

export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsOf(path: string): Set<string> {
  const text = readFileSync(path, 'utf8').replace(/```[\s\S]*?```/g, '');
  return new Set([...text.matchAll(/^#{1,6}\s+(.+)$/gm)].map((match) => slug(match[1]!)));
}

function linksOf(text: string): string[] {
  const withoutCode = text.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...withoutCode.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]!);
}

describe('documentation links', () => {
  it('computes the slug of a heading as GitHub does', () => {
    expect(slug('Scaling workers across machines')).toBe('scaling-workers-across-machines');
    expect(slug('Running in production with docker compose')).toBe(
      'running-in-production-with-docker-compose',
    );
    expect(slug('Subscribers and consent')).toBe('subscribers-and-consent');
  });

  for (const file of markdownFiles()) {
    it(`${file}: every relative link resolves`, () => {
      const broken: string[] = [];
      for (const link of linksOf(readFileSync(join(root, file), 'utf8'))) {
        if (/^[a-z]+:/i.test(link)) continue;
        const [target = '', anchor] = link.split('#');
        const path = target === '' ? join(root, file) : resolve(root, dirname(file), target);
        if (!existsSync(path)) {
          broken.push(`${link} (no file ${relative(root, path)})`);
        } else if (anchor !== undefined && !anchorsOf(path).has(anchor)) {
          broken.push(`${link} (no heading #${anchor})`);
        }
      }
      expect(broken).toEqual([]);
    });
  }
});
