import { readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

/**
 * A real HTTP server for the link check at approval, on 127.0.0.1 (allow it with
 * FEED_ALLOW_PRIVATE_ADDRESSES=127.0.0.1): a path ending in `/missing` answers 404, one ending
 * in `/broken` 500, any other 200.
 */
export async function startLinkServer(): Promise<{ base: string; close: () => Promise<void> }> {
  const server = createServer((request, response) => {
    const url = request.url ?? '/';
    response.statusCode = url.endsWith('/missing') ? 404 : url.endsWith('/broken') ? 500 : 200;
    response.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    close: () =>
      new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      ),
  };
}

/**
 * Rewrites every link of the issue files (`<newsletter>/<YYYY-MM>.yaml`) under `issuesDir` to
 * `base`: `https://example.org/a` becomes `<base>/example.org/a`, so no test requests the web.
 */
export async function pointIssueLinksAt(issuesDir: string, base: string): Promise<void> {
  for (const newsletter of await readdir(issuesDir, { withFileTypes: true })) {
    if (!newsletter.isDirectory()) continue;
    const dir = path.join(issuesDir, newsletter.name);
    for (const name of await readdir(dir)) {
      if (!/^\d{4}-\d{2}\.yaml$/.test(name)) continue;
      const file = path.join(dir, name);
      const text = await readFile(file, 'utf8');
      await writeFile(file, text.replace(/https?:\/\/([a-z0-9.-]+)/gi, `${base}/$1`));
    }
  }
}
