import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

/*
 * The layout's rules (STYLE.md §1), checked on the source: real dependencies are built only in
 * src/app/; db/ reaches a domain only through its index.ts; the domains that declare their
 * stores never import db/.
 */

const root = path.resolve(import.meta.dirname, '..');
const srcDir = path.join(root, 'src');

/**
 * Folders that define the factories of real dependencies, whose bodies call what they wrap
 * (`new Redis(…)`, `nodemailer.createTransport(…)`, one repository inside another's
 * transaction). Everywhere else but `src/app/`, only the composition root calls them.
 */
const factoryFolders = ['src/app/', 'src/db/', 'src/queue/', 'src/mail/'];

/** Folders whose code declares the stores it needs and so never imports `src/db/`. */
const domainsWithoutDb = ['campaigns', 'sending', 'mail', 'subscribers', 'feeds'];

/** Calls that build a real dependency: a repository, a Redis client, a queue, a worker, a transport. */
const constructions: Array<{ what: string; pattern: RegExp }> = [
  { what: 'a repository', pattern: /\bcreate\w*Repository\s*\(/g },
  { what: 'a Redis client', pattern: /\bcreateRedis(?:Connection|Client)\s*\(/g },
  {
    what: 'a BullMQ or Redis object',
    pattern: /\bnew\s+(?:\w+\.)?(?:Queue|Worker|Redis|Cluster)\s*(?:<[^>()]*>\s*)?\(/g,
  },
  { what: 'a mail transport', pattern: /\bcreate(?:Smtp)?Transport\s*\(/g },
  { what: 'queues', pattern: /\b(?:create|open)\w*Queues?\s*\(/g },
  {
    what: 'workers',
    pattern:
      /\b(?:start\w*Workers?|registerWorker|startFeedPolling\w*|startRetentionSchedule)\s*\(/g,
  },
];

/** A place where the rules are broken. */
interface Finding {
  line: number;
  text: string;
}

/** Whether a `/` at `index` starts a regular expression literal (judged by what precedes it). */
function startsRegex(code: string, index: number): boolean {
  let before = index - 1;
  while (before >= 0 && /\s/.test(code[before]!)) before -= 1;
  if (before < 0) return true;
  const previous = code[before]!;
  if ('(,=:[!&|?{};+-*%<>~^'.includes(previous)) return true;
  const word = /\b(\w+)$/.exec(code.slice(Math.max(0, before - 10), before + 1))?.[1];
  return word !== undefined && ['return', 'typeof', 'case', 'in', 'of', 'void'].includes(word);
}

/**
 * The source with its comments blanked out (and, unless `keepStrings`, the text of its string,
 * template and regular expression literals), every newline kept: positions still give the
 * line. The expressions inside a template literal stay code.
 */
export function blankOut(code: string, keepStrings = false): string {
  const out = code.split('');
  const blank = (from: number, to: number) => {
    for (let i = from; i < to; i += 1) if (out[i] !== '\n') out[i] = ' ';
  };
  // Brace depths at which a template literal resumes after a `${…}` expression.
  const templates: number[] = [];
  let depth = 0;
  let i = 0;
  const readTemplate = (start: number): number => {
    let j = start;
    while (j < code.length) {
      if (code[j] === '\\') j += 2;
      else if (code[j] === '`') {
        if (!keepStrings) blank(start, j);
        return j + 1;
      } else if (code[j] === '$' && code[j + 1] === '{') {
        if (!keepStrings) blank(start, j);
        templates.push(depth);
        depth += 1;
        return j + 2;
      } else j += 1;
    }
    return j;
  };
  while (i < code.length) {
    const c = code[i]!;
    const next = code[i + 1];
    if (c === '/' && next === '/') {
      const end = code.indexOf('\n', i);
      const stop = end === -1 ? code.length : end;
      blank(i, stop);
      i = stop;
    } else if (c === '/' && next === '*') {
      const end = code.indexOf('*/', i + 2);
      const stop = end === -1 ? code.length : end + 2;
      blank(i, stop);
      i = stop;
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < code.length && code[j] !== c && code[j] !== '\n') j += code[j] === '\\' ? 2 : 1;
      if (!keepStrings) blank(i + 1, j);
      i = j + 1;
    } else if (c === '`') {
      i = readTemplate(i + 1);
    } else if (c === '/' && startsRegex(code, i)) {
      let j = i + 1;
      let inClass = false;
      while (j < code.length && code[j] !== '\n') {
        if (code[j] === '\\') j += 1;
        else if (code[j] === '[') inClass = true;
        else if (code[j] === ']') inClass = false;
        else if (code[j] === '/' && !inClass) break;
        j += 1;
      }
      if (!keepStrings) blank(i + 1, j);
      i = j + 1;
    } else if (c === '{') {
      depth += 1;
      i += 1;
    } else if (c === '}') {
      depth -= 1;
      i += 1;
      if (templates.length > 0 && templates.at(-1) === depth) {
        templates.pop();
        i = readTemplate(i);
      }
    } else i += 1;
  }
  return out.join('');
}

function lineAt(code: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i += 1) if (code[i] === '\n') line += 1;
  return line;
}

/** The index just after the parenthesis that closes the one at `open`. */
function closingParen(code: string, open: number): number {
  let depth = 0;
  for (let i = open; i < code.length; i += 1) {
    if (code[i] === '(') depth += 1;
    else if (code[i] === ')') {
      depth -= 1;
      if (depth === 0) return i + 1;
    }
  }
  return code.length;
}

/**
 * The calls of {@link constructions} in a source file; the definitions of those factories
 * (`function createX(…)`, a method `createX(…) {`) are not calls.
 */
export function findConstructions(source: string): Finding[] {
  const code = blankOut(source);
  const lines = source.split('\n');
  const found: Finding[] = [];
  for (const { pattern } of constructions) {
    for (const match of code.matchAll(pattern)) {
      const before = code.slice(Math.max(0, match.index - 40), match.index);
      if (/\bfunction\s*\*?\s*$/.test(before)) continue;
      const open = match.index + match[0].length - 1;
      const after = code.slice(closingParen(code, open));
      // `name(…) {` or `name(…): Type {` defines a method: a call is never followed by a block
      if (/^\s*(?::[^;=(){}?]*)?\{/.test(after)) continue;
      const line = lineAt(code, match.index);
      found.push({ line, text: lines[line - 1]!.trim() });
    }
  }
  return found.sort((a, b) => a.line - b.line);
}

/** The module specifiers a source file imports or re-exports, with their line. */
export function findImports(source: string): Array<{ line: number; specifier: string }> {
  const code = blankOut(source, true);
  const pattern =
    /\b(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g;
  return [...code.matchAll(pattern)].map((match) => ({
    line: lineAt(code, match.index),
    specifier: (match[1] ?? match[2])!,
  }));
}

/** `src/…` relative path of what `file` (a `src/…` path) imports, or undefined for a package. */
export function resolveImport(file: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  return path.posix.join(path.posix.dirname(file), specifier);
}

/** The rules of imports for one file (`src/…` path); returns what breaks them. */
export function importProblems(file: string, source: string): Finding[] {
  const lines = source.split('\n');
  const problems: Finding[] = [];
  const [, folder] = file.split('/');
  for (const { line, specifier } of findImports(source)) {
    const target = resolveImport(file, specifier);
    if (target === undefined || !target.startsWith('src/')) continue;
    const parts = target.split('/');
    const targetFolder = parts.length > 2 ? parts[1] : undefined;
    const first = lines[line - 1]!.trim();
    const text = first.includes(specifier) ? first : `${first} … '${specifier}'`;
    if (folder === 'db' && targetFolder !== undefined && targetFolder !== 'db') {
      if (target !== `src/${targetFolder}/index.ts`) {
        problems.push({ line, text: `${text} (db/ imports a domain only through its index.ts)` });
      }
    }
    if (folder !== undefined && domainsWithoutDb.includes(folder) && targetFolder === 'db') {
      problems.push({
        line,
        text: `${text} (${folder}/ declares its stores; db/ implements them)`,
      });
    }
  }
  return problems;
}

function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...sourceFiles(full));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) files.push(full);
  }
  return files.sort();
}

function relative(file: string): string {
  return path.relative(root, file).split(path.sep).join('/');
}

describe('the architecture scanner', () => {
  it('finds the calls that build real dependencies, with their line', () => {
    const source = [
      "import { createSubscriberRepository } from '../db/index.ts';",
      'const repo = createSubscriberRepository(db);',
      "const redis = createRedisConnection(config.redis, 'x');",
      'const client = createRedisClient(url, { role: "probe" });',
      "const queue = new Queue('send', { connection });",
      'const worker = new Worker<Job>(name, run);',
      'const cluster = new Redis.Cluster(nodes);',
      'const plain = new Redis(url);',
      'const smtp = createSmtpTransport(options);',
      'const transporter = nodemailer.createTransport({ pool: true });',
      'const queues = createDeliveryQueues(redis, prefix);',
      'const one = createTransactionalQueue(redis);',
      'await startDeliveryWorkers({ redis });',
      'await startConfirmationWorker(deps);',
    ].join('\n');
    expect(findConstructions(source).map((f) => f.line)).toEqual([
      2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
    ]);
    expect(findConstructions(source)[0]).toEqual({
      line: 2,
      text: 'const repo = createSubscriberRepository(db);',
    });
  });

  it('does not count definitions, types, comments or strings', () => {
    const source = [
      'export function createSubscriberRepository(db: Executor) {',
      'export async function startDeliveryWorkers(deps: Deps): Promise<Workers> {',
      'export type SubscriberRepository = ReturnType<typeof createSubscriberRepository>;',
      '/** Closes a client opened by {@link createRedisClient}(…). */',
      '// createDeliveryQueues(redis) is called by the app',
      "const message = 'do not call createRedisConnection() here';",
      'const text = `new Queue(${name})`;',
      'const factories = { createQueue(name: string): Queue {',
      '  return undefined; } };',
      'const isQueue = /new Queue\\(/.test(code);',
      'const created = createCampaign(input);',
      'const workers = workersOf(queue);',
    ].join('\n');
    expect(findConstructions(source)).toEqual([]);
  });

  it('still sees a call inside a template literal expression', () => {
    expect(findConstructions('const s = `${createAuditRepository(db).name}`;')).toHaveLength(1);
  });

  it('lists imports and re-exports, static and dynamic', () => {
    const source = [
      "import { a } from './a.ts';",
      "import type { B } from '../b/index.ts';",
      "export { c } from './c.ts';",
      "export * from './d.ts';",
      "import './side-effect.ts';",
      "const e = await import('../e/index.ts');",
      "// import { f } from './f.ts';",
      "import {\n  g,\n  h,\n} from 'zod';",
    ].join('\n');
    expect(findImports(source)).toEqual([
      { line: 1, specifier: './a.ts' },
      { line: 2, specifier: '../b/index.ts' },
      { line: 3, specifier: './c.ts' },
      { line: 4, specifier: './d.ts' },
      { line: 5, specifier: './side-effect.ts' },
      { line: 6, specifier: '../e/index.ts' },
      { line: 8, specifier: 'zod' },
    ]);
  });

  it('lets db/ import a domain through its index only', () => {
    const ok =
      "import type { X } from '../subscribers/index.ts';\nimport { y } from './client.ts';";
    expect(importProblems('src/db/x-repository.ts', ok)).toEqual([]);
    const deep = "import type { Campaign } from '../campaigns/model.ts';";
    expect(importProblems('src/db/x-repository.ts', deep)).toEqual([
      { line: 1, text: `${deep} (db/ imports a domain only through its index.ts)` },
    ]);
  });

  it('keeps db/ out of the domains that declare their stores', () => {
    const source = "import { createX } from '../db/index.ts';";
    expect(importProblems('src/subscribers/x.ts', source)).toHaveLength(1);
    expect(
      importProblems('src/sending/inner/x.ts', "import a from '../../db/client.ts';"),
    ).toHaveLength(1);
    expect(importProblems('src/web/x.ts', source)).toEqual([]);
    expect(importProblems('src/feeds/x.ts', "import { z } from 'zod';")).toEqual([]);
  });
});

describe('the layout', () => {
  const files = sourceFiles(srcDir).map((file) => ({
    file: relative(file),
    source: readFileSync(file, 'utf8'),
  }));

  it('builds repositories, Redis clients, queues, workers and transports only in src/app/', () => {
    const found = files
      .filter(({ file }) => !factoryFolders.some((folder) => file.startsWith(folder)))
      .flatMap(({ file, source }) =>
        findConstructions(source).map(({ line, text }) => `${file}:${line}: ${text}`),
      );
    expect(found).toEqual([]);
  });

  it('keeps db/ to the domains’ index.ts and the domains with stores away from db/', () => {
    const found = files.flatMap(({ file, source }) =>
      importProblems(file, source).map(({ line, text }) => `${file}:${line}: ${text}`),
    );
    expect(found).toEqual([]);
  });
});
