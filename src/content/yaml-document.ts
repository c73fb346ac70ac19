import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { z } from 'zod';

import { type CheckProblem, formatLocation } from './check-problem.ts';
import { quote } from './fields.ts';

/** A YAML text parsed with its positions, so problems can name their line. */
export interface YamlSource {
  file: string;
  /** The plain data, or undefined when the YAML itself is broken. */
  data: unknown;
  /** YAML syntax problems (with line); when non-empty, `data` is undefined. */
  problems: CheckProblem[];
  /** 1-based line of the node at `path`, or of its nearest existing ancestor. */
  lineOf(path: ReadonlyArray<PropertyKey>): number | undefined;
}

/**
 * Parses YAML text, keeping node positions. Syntax errors (including duplicate keys) become
 * problems with their line. Pure: the text is given, nothing is read.
 */
export function parseYamlSource(text: string, file: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true });
  const lineAt = (offset: number | undefined) =>
    offset === undefined ? undefined : lineCounter.linePos(offset).line;
  const lineOf = (path: ReadonlyArray<PropertyKey>) => {
    let node: unknown = doc.contents;
    let line = lineAt((node as Node | null)?.range?.[0]);
    for (const segment of path) {
      if (isMap(node)) {
        const pair = node.items.find(
          (item) =>
            isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment),
        );
        if (!pair) break;
        line = lineAt((pair.key as Node).range?.[0]) ?? line;
        node = pair.value;
        if (isScalar(node) && node.value === null) break;
      } else if (isSeq(node) && typeof segment === 'number') {
        node = node.items[segment];
      } else {
        break;
      }
      line = lineAt((node as Node | null)?.range?.[0]) ?? line;
    }
    return line;
  };
  if (doc.errors.length > 0) {
    return {
      file,
      data: undefined,
      lineOf,
      problems: doc.errors.map((error) => ({
        file,
        ...(error.linePos?.[0] ? { line: error.linePos[0].line } : {}),
        location: '',
        message: `YAML syntax error: ${error.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '')}`,
      })),
    };
  }
  try {
    return { file, data: doc.toJS({ maxAliasCount: 100 }) as unknown, lineOf, problems: [] };
  } catch (error) {
    // An alias bomb (billion laughs) ends here instead of exhausting memory.
    const reason = error instanceof Error ? error.message : String(error);
    return {
      file,
      data: undefined,
      lineOf,
      problems: [{ file, location: '', message: `YAML error: ${reason}` }],
    };
  }
}

/** Builds a problem at `path` of `source`, with its line. */
export function problemAt(
  source: Pick<YamlSource, 'file' | 'lineOf'>,
  path: ReadonlyArray<PropertyKey>,
  message: string,
): CheckProblem {
  const line = source.lineOf(path);
  return {
    file: source.file,
    ...(line === undefined ? {} : { line }),
    location: formatLocation(path),
    message,
  };
}

/** Turns the issues of a failed zod parse into problems, in plain words, with lines. */
export function zodProblems(source: YamlSource, error: z.ZodError): CheckProblem[] {
  return error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) =>
        problemAt(source, [...issue.path, key], `unknown field '${key}'`),
      );
    }
    return [problemAt(source, issue.path, describeIssue(issue, valueAt(source.data, issue.path)))];
  });
}

function describeIssue(issue: z.core.$ZodIssue, value: unknown): string {
  const field = issue.path.at(-1);
  if (issue.path.length === 0 && issue.code === 'invalid_type') {
    return value === null || value === undefined
      ? 'the file is empty'
      : `the file must be a mapping of fields (key: value lines), got ${quote(value)}`;
  }
  switch (issue.code) {
    case 'invalid_type':
      if (value === undefined || value === null) {
        if (typeof field !== 'string') return 'missing value';
        return value === null ? `field '${field}' is empty` : `missing required field '${field}'`;
      }
      return `must be ${article(issue.expected)}, got ${quote(value)}`;
    case 'invalid_union':
      if ('discriminator' in issue && issue.discriminator !== undefined) {
        const options = (issue as { options?: unknown[] }).options ?? [];
        return value === undefined
          ? `missing required field '${String(field)}' (one of: ${options.join(', ')})`
          : `unknown ${String(field)} ${quote(value)} (one of: ${options.join(', ')})`;
      }
      return issue.message;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => String(v)).join(', ')}, got ${quote(value)}`;
    case 'too_small':
      return typeof value === 'string' ? 'must not be empty' : issue.message;
    default:
      return issue.message;
  }
}

function article(expected: string): string {
  const words: Record<string, string> = {
    string: 'text',
    number: 'a number',
    object: 'a mapping (key: value lines)',
    array: 'a list',
    boolean: 'true or false',
  };
  return words[expected] ?? expected;
}

/** The value at `path` in plain data, or undefined. */
export function valueAt(data: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let value = data;
  for (const segment of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[segment];
  }
  return value;
}
