import { createHash } from 'node:crypto';

import { hashIssueText, type Issue, type Newsletter } from '../content/index.ts';
import { type Locale, locales } from '../lib/index.ts';
import type { RenderedIssue } from '../render/index.ts';
import type { CampaignBody, NewsletterSnapshot } from './model.ts';

/** What a campaign stores of its issue: the rendered bodies and the newsletter identity. */
export interface IssueSnapshot {
  newsletterId: string;
  issueKey: string;
  newsletter: NewsletterSnapshot;
  bodies: Array<Omit<CampaignBody, 'campaignId'>>;
  /** sha256 of the bodies: two campaigns of the same content have the same hash. */
  contentHash: string;
}

/** Languages every campaign is rendered in; subscribers get theirs, French otherwise. */
export const campaignLocales: readonly Locale[] = locales;

/** Dependencies of {@link createIssueSnapshotter}: the content loader and the renderer. */
export interface IssueSnapshotterDeps {
  /** Loads an issue; `file` and `text` (what was read) place guard findings and hash the file. */
  loadIssue: (
    ref: string,
  ) => Promise<{ issue: Issue; newsletter: Newsletter; file?: string; text?: string }>;
  renderIssue: (
    issue: Issue,
    newsletter: Newsletter,
    locale: Locale,
    options?: { asOf?: Date },
  ) => Promise<RenderedIssue>;
}

/** An issue loaded and rendered for a campaign, with what the send guards look at. */
export interface PreparedIssue {
  snapshot: IssueSnapshot;
  issue: Issue;
  newsletter: Newsletter;
  /** The issue file and its text as read, when loaded from a file. */
  source?: { file: string; text: string };
  /** sha256 (hex) of the file's text: what a review approval is bound to. */
  fileHash?: string;
}

/** The hash of a set of bodies, independent of their order. */
export function contentHashOf(bodies: IssueSnapshot['bodies']): string {
  const hash = createHash('sha256');
  for (const body of [...bodies].sort((a, b) => a.locale.localeCompare(b.locale))) {
    for (const part of [body.locale, body.subject, body.preheader, body.html, body.text]) {
      hash.update(part).update('\u0000');
    }
  }
  return hash.digest('hex');
}

/**
 * Loads an issue (file path or `adn/2026-11`) and renders it once per language as of `asOf`
 * (the planned send time, for the « closing soon » marks), for `campaign create`: the snapshot
 * never changes when the file is edited later.
 */
export function createIssuePreparer(deps: IssueSnapshotterDeps) {
  return async (ref: string, options: { asOf?: Date } = {}): Promise<PreparedIssue> => {
    const { issue, newsletter, file, text } = await deps.loadIssue(ref);
    const bodies: IssueSnapshot['bodies'] = [];
    let issueKey = '';
    for (const locale of campaignLocales) {
      const rendered = await deps.renderIssue(
        issue,
        newsletter,
        locale,
        options.asOf ? { asOf: options.asOf } : {},
      );
      issueKey = rendered.issueKey;
      bodies.push({
        locale,
        subject: rendered.subject,
        preheader: rendered.preheader,
        html: rendered.html,
        text: rendered.text,
      });
    }
    const snapshot: IssueSnapshot = {
      newsletterId: newsletter.id,
      issueKey,
      newsletter: {
        id: newsletter.id,
        title: newsletter.title,
        sender: { name: newsletter.sender.name, email: newsletter.sender.email },
        ...(newsletter.reply_to
          ? {
              reply_to: {
                email: newsletter.reply_to.email,
                ...(newsletter.reply_to.name ? { name: newsletter.reply_to.name } : {}),
              },
            }
          : {}),
      },
      bodies,
      contentHash: contentHashOf(bodies),
    };
    return {
      snapshot,
      issue,
      newsletter,
      ...(file !== undefined && text !== undefined
        ? { source: { file, text }, fileHash: hashIssueText(text) }
        : {}),
    };
  };
}

/** {@link createIssuePreparer}'s snapshot alone (as of the issue date unless `asOf` is given). */
export function createIssueSnapshotter(deps: IssueSnapshotterDeps) {
  const prepare = createIssuePreparer(deps);
  return async (ref: string, options: { asOf?: Date } = {}): Promise<IssueSnapshot> =>
    (await prepare(ref, options)).snapshot;
}
