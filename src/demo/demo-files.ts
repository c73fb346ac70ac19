import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { stringify as stringifyCsv } from 'csv-stringify/sync';
import Papa from 'papaparse';
import { parse as parseYaml, parseDocument } from 'yaml';
import { z } from 'zod';

import { ValidationError } from '../lib/index.ts';

/** One sample feed of the demo: a file of `demo/feeds/` and where its items go. */
export const DemoFeedSchema = z.object({
  file: z.string().regex(/^[\w.-]+\.(xml|atom)$/),
  name: z.string().trim().min(1).max(200),
  section: z.string().trim().min(1).max(50),
});

/** `demo/feeds.yaml`: the sample feeds of each newsletter. */
export const DemoFeedsManifestSchema = z.record(z.string(), z.array(DemoFeedSchema));
/** @see DemoFeedsManifestSchema */
export type DemoFeedsManifest = z.infer<typeof DemoFeedsManifestSchema>;

/** Reads and validates `demo/feeds.yaml`. */
export async function loadFeedsManifest(file: string): Promise<DemoFeedsManifest> {
  return DemoFeedsManifestSchema.parse(parseYaml(await readFile(file, 'utf8')));
}

/**
 * Builds the demo's own issues folder: a copy of each `newsletter.yaml` of `sourceDir` whose
 * feeds are replaced by the local sample feeds (no issue file is copied, so drafting never
 * meets an existing month). The repository's files are never changed. Returns the newsletter ids.
 */
export async function prepareIssuesDir(options: {
  sourceDir: string;
  targetDir: string;
  manifest: DemoFeedsManifest;
  feedBaseUrl: string;
}): Promise<string[]> {
  const ids: string[] = [];
  for (const entry of await readdir(options.sourceDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const source = path.join(options.sourceDir, entry.name, 'newsletter.yaml');
    const text = await readFile(source, 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    const document = parseDocument(text);
    const sections = (document.toJS() as { sections?: Array<{ id?: string }> }).sections ?? [];
    const sectionIds = sections.map((section) => section.id).filter((id) => id !== undefined);
    const feeds = (options.manifest[entry.name] ?? []).map((feed) => ({
      url: new URL(feed.file, options.feedBaseUrl).href,
      name: feed.name,
      // A manifest section the newsletter no longer has falls back to its first section.
      section: sectionIds.includes(feed.section) ? feed.section : (sectionIds[0] ?? feed.section),
    }));
    document.set('feeds', feeds);
    await mkdir(path.join(options.targetDir, entry.name), { recursive: true });
    await writeFile(
      path.join(options.targetDir, entry.name, 'newsletter.yaml'),
      document.toString(),
    );
    ids.push(entry.name);
  }
  return ids.sort();
}

/** The sample subscribers of one newsletter, ready to import. */
export interface NewsletterSubscribers {
  newsletterId: string;
  /** A CSV of these subscribers without the `newsletters` column. */
  file: string;
  emails: string[];
}

/**
 * Splits `demo/subscribers.csv` (its `newsletters` column lists newsletter ids separated by
 * spaces) into one import file per newsletter under `targetDir`.
 */
export async function splitSubscribers(
  csvFile: string,
  targetDir: string,
  newsletterIds: string[],
): Promise<NewsletterSubscribers[]> {
  const text = (await readFile(csvFile, 'utf8')).replace(/^\uFEFF/, '');
  const parsed = Papa.parse<Record<string, string>>(text, {
    header: true,
    delimiter: ',',
    skipEmptyLines: true,
    transformHeader: (header) => header.trim(),
    transform: (value) => value.trim(),
  });
  const [error] = parsed.errors;
  if (error) {
    throw new ValidationError(`'${csvFile}', row ${(error.row ?? 0) + 2}: ${error.message}`);
  }
  const rows = parsed.data;
  await mkdir(targetDir, { recursive: true });
  const result: NewsletterSubscribers[] = [];
  for (const newsletterId of newsletterIds) {
    const members = rows.filter((row) =>
      (row.newsletters ?? '').split(/\s+/).includes(newsletterId),
    );
    const records = members.map(({ newsletters: _ignored, ...rest }) => rest);
    const file = path.join(targetDir, `subscribers-${newsletterId}.csv`);
    await writeFile(file, stringifyCsv(records, { header: true }));
    result.push({ newsletterId, file, emails: members.map((row) => row.email ?? '') });
  }
  return result;
}
