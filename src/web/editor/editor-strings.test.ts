import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { editorStringsDir, editorViewsDir, loadEditorViews } from './editor-views.ts';

describe('the workspace strings', () => {
  it('gives every French message an English one, and no English message without French', async () => {
    for (const file of await readdir(editorStringsDir)) {
      if (!file.endsWith('.json')) continue;
      const strings = JSON.parse(await readFile(path.join(editorStringsDir, file), 'utf8')) as {
        fr: Record<string, string>;
        en: Record<string, string>;
      };
      expect(Object.keys(strings.en).sort(), file).toEqual(Object.keys(strings.fr).sort());
    }
  });

  it('has a message for every key the views name literally', async () => {
    const views = await loadEditorViews();
    const t = views.t('fr');
    for (const file of await readdir(editorViewsDir)) {
      const source = await readFile(path.join(editorViewsDir, file), 'utf8');
      for (const match of source.matchAll(/\{\{t "([^"]+)"/g)) {
        const key = match[1] as string;
        expect(t(key), `${file}: ${key}`).not.toBe(key);
      }
    }
  });

  it('escapes the data of a view', async () => {
    const views = await loadEditorViews();
    const html = views.render('editor-message', 'fr', {
      title: '<script>x</script>',
      paragraphs: ['a & b'],
    });
    expect(html).toContain('&lt;script&gt;');
    expect(html).toContain('a &amp; b');
  });
});
