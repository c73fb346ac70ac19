import type { IssueLinkCheck, IssueLinksReport } from '../compose/index.ts';
import { HttpUrlSchema } from '../content/index.ts';

/** A URL an editor names to mark or unmark as known: bounded, http(s). */
export const KnownLinkUrlSchema = HttpUrlSchema;

/** A failing link of an issue, as the approval's audit entry and the CLI show it. */
export interface FailingLink {
  url: string;
  /** Where it is, in the words of `depeche check` (`issues/adn/2026-11.yaml:12: sections[0]…`). */
  where: string;
  status?: number;
  reason: string;
  /** Marked as known by an editor: it does not block. */
  isKnown: boolean;
}

/** The counts of a link check and its failing links: what `issue.approve` records. */
export interface IssueLinksSummary {
  /** Links of the issue (a URL found twice counts twice). */
  checked: number;
  ok: number;
  /** Failing and not marked known: each blocks approval. */
  broken: number;
  /** Failing but marked known by an editor. */
  known: number;
  failing: FailingLink[];
}

/** The text of a failing link's status: `404`, or the reason when the server never answered. */
export function linkStatusText(link: Pick<IssueLinkCheck, 'status' | 'reason'>): string {
  if (
    link.status !== undefined &&
    link.reason !== undefined &&
    !link.reason.includes(String(link.status))
  ) {
    return `${link.status} ${link.reason}`;
  }
  return link.reason ?? (link.status === undefined ? 'failed' : String(link.status));
}

/** Sums up a link report. Pure. */
export function summarizeLinks(report: IssueLinksReport): IssueLinksSummary {
  const whereOf = new Map(
    report.findings.map((finding) => [finding.path.join('\u0000'), finding.where]),
  );
  const failing = report.links
    .filter((link) => !link.isOk)
    .map((link): FailingLink => ({
      url: link.url,
      where: whereOf.get(link.path.join('\u0000')) ?? link.path.join('.'),
      ...(link.status === undefined ? {} : { status: link.status }),
      reason: linkStatusText(link),
      isKnown: link.isKnown,
    }));
  const known = failing.filter((link) => link.isKnown).length;
  return {
    checked: report.links.length,
    ok: report.links.length - failing.length,
    broken: failing.length - known,
    known,
    failing,
  };
}

/** The lines of a link check, one per failing link: `where: url — status`. */
export function failingLinkLines(summary: IssueLinksSummary): string[] {
  return summary.failing.map(
    (link) => `${link.where}: ${link.url} — ${link.reason}${link.isKnown ? ' (marked known)' : ''}`,
  );
}
