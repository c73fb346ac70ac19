import { collectIssueLinks, type Issue, type LinkChecker } from '../content/index.ts';
import type { GuardFinding } from './send-guards.ts';

/** One link of an issue as the check at approval found it. */
export interface IssueLinkCheck {
  url: string;
  /** Path of the field holding it, like `['sections', 0, 'items', 2, 'url']`. */
  path: Array<string | number>;
  isOk: boolean;
  /** Final HTTP status, when the server answered. */
  status?: number;
  /** Why it failed, in plain words. */
  reason?: string;
  /** An editor marked this URL of the issue as known to fail: it no longer blocks. */
  isKnown: boolean;
}

/** What {@link checkIssueLinks} found: every link, and a finding per failing one. */
export interface IssueLinksReport {
  links: IssueLinkCheck[];
  /** `block` for a failing link not marked known, `warn` for a known one. */
  findings: GuardFinding[];
}

/**
 * Checks every link of an issue (item URLs and the links of its Markdown texts) through
 * `linkChecker` — in production the one built on the feed poller's address policy, so a link
 * to a loopback or private address fails without being requested. A failing link blocks
 * approval unless its URL is in `knownBroken` (marked by an editor, `issue_known_links`).
 * `locate` turns a path into the `where` of a finding (`guardLocator`). Each URL is requested
 * once even when it appears several times.
 */
export async function checkIssueLinks(
  issue: Issue,
  linkChecker: Pick<LinkChecker, 'check'>,
  knownBroken: readonly string[],
  locate: (path: Array<string | number>) => string = (path) => path.join('.'),
): Promise<IssueLinksReport> {
  const found = collectIssueLinks(issue);
  const results = await linkChecker.check(found.map((link) => link.url));
  const known = new Set(knownBroken);
  const links = found.map((link, index): IssueLinkCheck => {
    const result = results[index];
    return {
      url: link.url,
      path: link.path,
      isOk: result?.isOk ?? false,
      ...(result?.status === undefined ? {} : { status: result.status }),
      ...(result?.reason === undefined ? {} : { reason: result.reason }),
      isKnown: known.has(link.url),
    };
  });
  const findings = links
    .filter((link) => !link.isOk)
    .map((link): GuardFinding => ({
      code: link.isKnown ? 'link-known-broken' : 'link-broken',
      level: link.isKnown ? 'warn' : 'block',
      path: link.path,
      where: locate(link.path),
      message: link.isKnown
        ? `link ${link.url} failed: ${link.reason ?? 'failed'} (marked as known by an editor)`
        : `link ${link.url} failed: ${link.reason ?? 'failed'}; fix it, or mark it as known to approve anyway`,
    }));
  return { links, findings };
}
