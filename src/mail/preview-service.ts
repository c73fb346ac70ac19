import { createHash } from 'node:crypto';

import type { Issue, Newsletter } from '../content/index.ts';
import type { Locale } from '../lib/index.ts';
import { compilePersonalization, personalize } from '../render/index.ts';
import { type PreviewProblem, previewProblems } from './preview-problems.ts';
import { testCopyValues, type TestSenderDeps } from './test-send.ts';

/** An issue as one language's copy will read: what the preview shows and reports. */
export interface IssuePreview {
  /** `<newsletter>/<YYYY-MM>`. */
  issueKey: string;
  locale: Locale;
  /** The email's HTML, personalised for the test pseudo subscriber (signed links). */
  html: string;
  /** The plain-text part, personalised the same way. */
  text: string;
  /** The subject as subscribers get it (test copies add `[TEST] `). */
  subject: string;
  preheader: string;
  /** Size of the HTML part in bytes (UTF-8), what Gmail's 102 KB clipping counts. */
  bytes: number;
  /** What to look at before sending; see `previewProblems`. */
  problems: PreviewProblem[];
  /** SHA-256 of the issue content the preview was made from (hex). */
  contentHash: string;
}

/** Options of one preview. */
export interface PreviewOptions {
  /**
   * Day of reference for the « closing soon » marks and past deadlines, `YYYY-MM-DD` (the
   * planned send day). @defaultValue the issue date, as a campaign renders it today
   */
  asOf?: string | undefined;
}

/** Dependencies of {@link createPreviewService}: the same as a test send's rendering. */
export interface PreviewServiceDeps extends Pick<
  TestSenderDeps,
  'renderer' | 'links' | 'greetingFor'
> {
  /** Previews kept in memory, by content, newsletter, language and day. @defaultValue 32 */
  maxCached?: number;
}

/**
 * SHA-256 of an issue's content (hex), its JSON with the schema's key order: the same issue,
 * posted from a form or read from its file, has the same hash.
 */
export function issueContentHash(issue: Issue): string {
  return createHash('sha256').update(JSON.stringify(issue)).digest('hex');
}

/**
 * Previews of an issue through the path of a campaign message: the renderer (Handlebars → MJML
 * → HTML, the text part) once per issue and language, then the same placeholder split and
 * HTML escaping as the MIME body, filled with the test copy's values (`testCopyValues`: the
 * pseudo subscriber's signed links). So the preview's HTML is the HTML part a test copy
 * carries, byte for byte once the MIME encoding is undone (apart from line endings, CRLF in
 * mail). The renderer keeps compiled templates; finished previews are kept by content, so the
 * 600 px, 375 px and text views of one state of the form cost one render.
 */
export function createPreviewService(deps: PreviewServiceDeps) {
  const maxCached = deps.maxCached ?? 32;
  const cache = new Map<string, Promise<IssuePreview>>();

  async function render(
    issue: Issue,
    newsletter: Newsletter,
    locale: Locale,
    asOf: string,
    contentHash: string,
  ): Promise<IssuePreview> {
    const rendered = await deps.renderer.renderIssue(issue, newsletter, locale, { asOf });
    const values = testCopyValues(deps, {
      newsletterId: newsletter.id,
      issueKey: rendered.issueKey,
      locale,
    });
    const { html, text } = personalize(compilePersonalization(rendered), values);
    const bytes = Buffer.byteLength(html);
    return {
      issueKey: rendered.issueKey,
      locale,
      html,
      text,
      subject: rendered.subject,
      preheader: rendered.preheader,
      bytes,
      problems: previewProblems({ issue, newsletter, locale, htmlBytes: bytes, asOf }),
      contentHash,
    };
  }

  return {
    /**
     * The preview of `issue` in `locale`: `{ html, text, subject, preheader, bytes, problems }`.
     * A template error rejects (as the campaign's render would).
     */
    renderPreview(
      issue: Issue,
      newsletter: Newsletter,
      locale: Locale,
      options: PreviewOptions = {},
    ): Promise<IssuePreview> {
      const asOf = options.asOf ?? issue.date;
      const contentHash = issueContentHash(issue);
      const key = createHash('sha256')
        .update(contentHash)
        .update(JSON.stringify(newsletter))
        .update(`${locale}:${asOf}`)
        .digest('hex');
      const found = cache.get(key);
      if (found !== undefined) {
        // Most recently used last, so the oldest goes first.
        cache.delete(key);
        cache.set(key, found);
        return found;
      }
      const preview = render(issue, newsletter, locale, asOf, contentHash);
      preview.catch(() => cache.delete(key));
      cache.set(key, preview);
      if (cache.size > maxCached) cache.delete(cache.keys().next().value as string);
      return preview;
    },
  };
}

/** See {@link createPreviewService}. */
export type PreviewService = ReturnType<typeof createPreviewService>;
