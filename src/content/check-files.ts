import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';

import type { CheckProblem } from './check-problem.ts';
import { newslettersFor } from './issue-file.ts';
import { collectIssueLinks } from './issue-links.ts';
import type { LinkChecker } from './link-checker.ts';
import {
  isMissingFile,
  NEWSLETTER_FILE_NAME,
  type NewsletterScan,
  readNewsletterFile,
  scanNewsletters,
} from './newsletter-file.ts';
import { sendReadinessProblems } from './send-readiness.ts';
import { validateIssueText } from './validate-issue.ts';
import { parseYamlSource, problemAt, valueAt, type YamlSource } from './yaml-document.ts';

/** Options of {@link checkFiles}. */
export interface CheckFilesOptions {
  /** Where the newsletters live (ISSUES_DIR); also what is checked when no path is given. */
  issuesDir: string;
  /** When given, every link of the issue files is requested and failures become problems. */
  linkChecker?: Pick<LinkChecker, 'check'>;
}

/** What {@link runCheck} looked at and found. */
export interface CheckReport {
  /** Every file checked, in order. */
  files: string[];
  problems: CheckProblem[];
}

/**
 * Checks newsletter and issue files and returns every problem found (see {@link runCheck}).
 */
export async function checkFiles(
  paths: readonly string[],
  options: CheckFilesOptions,
): Promise<CheckProblem[]> {
  return (await runCheck(paths, options)).problems;
}

/**
 * Checks newsletter and issue files: each path is a file or a directory searched for `*.yaml`;
 * no path means the whole `issuesDir`. A file named `newsletter.yaml` is a newsletter, any other
 * YAML file an issue, which must sit at `<newsletter>/<YYYY-MM>.yaml`. Besides validation, an
 * issue gets what would keep it from being sent (`sendReadinessProblems`: a section without
 * items, a Markdown image).
 */
export async function runCheck(
  paths: readonly string[],
  options: CheckFilesOptions,
): Promise<CheckReport> {
  const problems: CheckProblem[] = [];
  const files: string[] = [];
  for (const path of paths.length === 0 ? [options.issuesDir] : paths) {
    const found = await yamlFilesAt(path);
    if (found === undefined) {
      problems.push({ file: path, location: '', message: 'no such file or directory' });
    } else if (found.length === 0) {
      problems.push({
        file: path,
        location: '',
        message: 'no newsletter or issue file found here',
      });
    } else {
      for (const file of found) if (!files.includes(file)) files.push(file);
    }
  }
  const scans = new Map<string, Promise<NewsletterScan>>();
  const cachedScan = (dir: string) => {
    const key = resolve(dir);
    let scan = scans.get(key);
    if (!scan) scans.set(key, (scan = scanNewsletters(dir)));
    return scan;
  };
  const issueNumbers = new Map<string, string>();
  const pendingLinks: Array<{ url: string; problemFor: (reason: string) => CheckProblem }> = [];
  for (const file of files) {
    if (basename(file) === NEWSLETTER_FILE_NAME) {
      problems.push(...(await readNewsletterFile(file)).problems);
      continue;
    }
    const text = await readFile(file, 'utf8');
    const { newsletters, brokenIds } = await newslettersFor(file, options.issuesDir, cachedScan);
    const result = validateIssueText(text, {
      file,
      newsletters,
      brokenNewsletterIds: brokenIds,
      checkPlacement: true,
    });
    problems.push(...result.problems);
    const source = parseYamlSource(text, file);
    // A draft may hold these, but check is also the last look before sending: report them.
    for (const readiness of sendReadinessProblems(source.data)) {
      problems.push(problemAt(source, readiness.path, readiness.message));
    }
    const numberProblem = checkNumberUnique(source, issueNumbers);
    if (numberProblem) problems.push(numberProblem);
    if (options.linkChecker) {
      for (const link of collectIssueLinks(source.data)) {
        pendingLinks.push({
          url: link.url,
          problemFor: (reason) =>
            problemAt(source, link.path, `link ${link.url} failed: ${reason}`),
        });
      }
    }
  }
  if (options.linkChecker && pendingLinks.length > 0) {
    const results = await options.linkChecker.check(pendingLinks.map((link) => link.url));
    results.forEach((result, index) => {
      const link = pendingLinks[index];
      if (link && !result.isOk) problems.push(link.problemFor(result.reason ?? 'failed'));
    });
  }
  return { files, problems: sortProblems(problems, files) };
}

/** Two issue files of one newsletter must not share a number (among the files checked). */
function checkNumberUnique(
  source: YamlSource,
  seen: Map<string, string>,
): CheckProblem | undefined {
  const newsletter = valueAt(source.data, ['newsletter']);
  const number = valueAt(source.data, ['number']);
  if (typeof newsletter !== 'string' || typeof number !== 'number') return undefined;
  const key = `${newsletter.trim()}#${number}`;
  const other = seen.get(key);
  if (other === undefined) {
    seen.set(key, source.file);
    return undefined;
  }
  return problemAt(
    source,
    ['number'],
    `issue number ${number} of newsletter '${newsletter.trim()}' is already used by '${other}'`,
  );
}

/** Problems grouped by file in the order checked, then by line. */
function sortProblems(problems: CheckProblem[], files: string[]): CheckProblem[] {
  const rank = (file: string) => {
    const index = files.indexOf(file);
    return index === -1 ? -1 : index;
  };
  return problems
    .map((problem, index) => ({ problem, index }))
    .sort(
      (a, b) =>
        rank(a.problem.file) - rank(b.problem.file) ||
        (a.problem.line ?? 0) - (b.problem.line ?? 0) ||
        a.index - b.index,
    )
    .map(({ problem }) => problem);
}

/** The YAML files at `path` (itself, or found below it, sorted); undefined when it does not exist. */
async function yamlFilesAt(path: string): Promise<string[] | undefined> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    if (isMissingFile(error)) return undefined;
    throw error;
  }
  if (!info.isDirectory()) return [path];
  const found: string[] = [];
  const walk = async (dir: string) => {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    // newsletter.yaml first in each folder, so it is reported before its issues.
    entries.sort(
      (a, b) => Number(b.name === NEWSLETTER_FILE_NAME) - Number(a.name === NEWSLETTER_FILE_NAME),
    );
    for (const entry of entries) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile() && /\.ya?ml$/i.test(entry.name)) found.push(full);
    }
  };
  await walk(path);
  return found;
}
