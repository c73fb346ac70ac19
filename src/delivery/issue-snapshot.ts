import { createHash } from 'node:crypto';

import type { Issue, Newsletter } from '../content/index.ts';
import { type Locale, locales } from '../lib/index.ts';
import type { RenderedIssue } from '../render/index.ts';
import type { CampaignBody, NewsletterSnapshot } from './campaign.ts';

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
  loadIssue: (ref: string) => Promise<{ issue: Issue; newsletter: Newsletter }>;
  renderIssue: (issue: Issue, newsletter: Newsletter, locale: Locale) => Promise<RenderedIssue>;
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
 * Loads an issue (file path or `adn/2026-11`) and renders it once per language, for
 * `campaign create`: the snapshot never changes when the file is edited later.
 */
export function createIssueSnapshotter(deps: IssueSnapshotterDeps) {
  return async (ref: string): Promise<IssueSnapshot> => {
    const { issue, newsletter } = await deps.loadIssue(ref);
    const bodies: IssueSnapshot['bodies'] = [];
    let issueKey = '';
    for (const locale of campaignLocales) {
      const rendered = await deps.renderIssue(issue, newsletter, locale);
      issueKey = rendered.issueKey;
      bodies.push({
        locale,
        subject: rendered.subject,
        preheader: rendered.preheader,
        html: rendered.html,
        text: rendered.text,
      });
    }
    return {
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
  };
}
