import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import path from 'node:path';

import type { Command } from 'commander';

import { hashIssueText, resolveIssuePath } from '../../content/index.ts';
import { commandLineActor, describeActor } from '../../editors/index.ts';
import { NotFoundError, ValidationError } from '../../lib/index.ts';
import {
  describeAuthor,
  failingLinkLines,
  formatReviewTime,
  IssueKeySchema,
  type IssueLinksSummary,
  type IssueReviewStatus,
} from '../../review/index.ts';
import { type CliContext, printResult } from '../context.ts';

/**
 * The issue key of `ref`: the key itself (`adn/2026-11`), or that of a file
 * `<newsletter>/<YYYY-MM>.yaml`.
 */
export function issueKeyOfRef(ref: string): string {
  const direct = IssueKeySchema.safeParse(ref);
  if (direct.success) return direct.data;
  const fromPath = `${path.basename(path.dirname(ref))}/${path.basename(ref, '.yaml')}`;
  const parsed = IssueKeySchema.safeParse(fromPath);
  if (parsed.success && ref.endsWith('.yaml')) return parsed.data;
  throw new ValidationError(
    `'${ref}' names no issue: expected a key such as adn/2026-11 or a file <newsletter>/<YYYY-MM>.yaml`,
  );
}

/**
 * The content hash of the issue file as it is now: the SHA-256 of its bytes in hex, the same
 * as the content module's (the composer's) hash of an issue file.
 */
export async function currentHashOf(file: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new NotFoundError(`Issue file '${file}' not found`, { cause: error });
    }
    throw error;
  }
  return hashIssueText(bytes);
}

/** The review service of a command, and the issue `ref` names with its current hash. */
async function openReview(ctx: CliContext, command: string, ref: string) {
  const config = ctx.config();
  const issueKey = issueKeyOfRef(ref);
  const file = resolveIssuePath(config.ISSUES_DIR, ref);
  const currentHash = await currentHashOf(file);
  const { review } = await ctx.app(`depeche issue ${command}`);
  return { review, issueKey, currentHash, actor: commandLineActor(userInfo().username) };
}

/** The link check of a command (ISSUES_DIR, the feed poller's address policy, known links). */
async function openLinks(ctx: CliContext, command: string) {
  const { issueLinks } = await ctx.app(`depeche issue ${command}`);
  return { links: issueLinks };
}

/** The lines of a link check: the counts, then `where: url — status` per failing link. */
export function linkSummaryLines(summary: IssueLinksSummary): string[] {
  return [
    `Links: ${summary.checked} checked, ${summary.ok} ok, ${summary.broken} broken, ${summary.known} marked known`,
    ...failingLinkLines(summary).map((line) => `  ${line}`),
  ];
}

const stateNames = {
  draft: 'draft',
  in_review: 'in review',
  approved: 'approved',
  sent: 'sent',
} as const;

/** The lines of `depeche issue status`. */
export function statusLines(status: IssueReviewStatus): string[] {
  const { review, stored } = status;
  const lines = [`Issue ${status.issueKey}: ${stateNames[status.state]}`];
  const hash = status.currentHash.slice(0, 12);
  if (status.hashMatches === false && stored) {
    const what = status.changedAfter ? `the ${stateNames[stored.state]} version` : 'the last save';
    lines.push(
      `  content:   changed outside the workspace since ${what} (file ${hash}…, recorded ${stored.contentHash?.slice(0, 12)}…)`,
    );
  } else if (status.hashMatches === true) {
    lines.push(`  content:   matches the recorded version (${hash}…)`);
  } else {
    lines.push(`  content:   ${hash}… (no save recorded)`);
  }
  if (review.lastChangedBy) {
    const when = review.lastChangedAt ? ` on ${formatReviewTime(review.lastChangedAt)}` : '';
    const who =
      review.lastChangedBy.kind === 'outside'
        ? 'outside the workspace (author unknown)'
        : `by ${describeAuthor(review.lastChangedBy)}`;
    lines.push(`  changed:   ${who}${when}`);
  }
  if (review.submittedBy && review.submittedAt) {
    lines.push(
      `  submitted: by ${describeActor(review.submittedBy)} on ${formatReviewTime(review.submittedAt)}`,
    );
  }
  if (review.approvedBy && review.approvedAt) {
    const self = review.isSelfApproved
      ? ' (its own author, REVIEW_REQUIRE_OTHER_APPROVER=false)'
      : '';
    lines.push(
      `  approved:  by ${describeActor(review.approvedBy)} on ${formatReviewTime(review.approvedAt)}${self}`,
    );
  }
  if (status.changedAfter === 'approval' && stored?.approvedBy && stored.approvedAt) {
    lines.push(
      `  was approved by ${describeActor(stored.approvedBy)} on ${formatReviewTime(stored.approvedAt)}, before the change; approve it again`,
    );
  }
  if (review.returnedBy && review.returnedAt && review.comment !== null) {
    lines.push(
      `  sent back: by ${describeActor(review.returnedBy)} on ${formatReviewTime(review.returnedAt)}: “${review.comment}”`,
    );
  }
  if (review.sentAt) {
    const campaign = review.sentCampaignId ? ` (campaign ${review.sentCampaignId})` : '';
    lines.push(`  sent:      ${formatReviewTime(review.sentAt)}${campaign}`);
  }
  return lines;
}

/** `depeche issue status|submit|approve|return|links REF`: the review of an issue. */
export function registerIssueReviewCommands(issue: Command, ctx: CliContext): void {
  issue
    .command('status')
    .description('the review state of an issue: who changed, submitted, approved it, and when')
    .argument('<issue>', 'issue key (adn/2026-11) or file')
    .option('--json', 'print the status as JSON')
    .action(async (ref: string, options: { json?: boolean }) => {
      const { review, issueKey, currentHash } = await openReview(ctx, 'status', ref);
      const status = await review.statusOf(issueKey, currentHash);
      printResult(ctx, options.json, status, () => statusLines(status));
    });

  issue
    .command('submit')
    .description('submit a draft issue for review')
    .argument('<issue>', 'issue key (adn/2026-11) or file')
    .option('--json', 'print the status as JSON')
    .action(async (ref: string, options: { json?: boolean }) => {
      const { review, issueKey, currentHash, actor } = await openReview(ctx, 'submit', ref);
      const status = await review.submit(issueKey, currentHash, actor);
      printResult(ctx, options.json, status, () => [
        `Issue ${issueKey} submitted for review by ${describeActor(actor)}.`,
      ]);
    });

  issue
    .command('approve')
    .description('approve an issue in review, as it is now (any later change needs a new approval)')
    .argument('<issue>', 'issue key (adn/2026-11) or file')
    .option('--json', 'print the status as JSON')
    .action(async (ref: string, options: { json?: boolean }) => {
      const { review, issueKey, currentHash, actor } = await openReview(ctx, 'approve', ref);
      const status = await review.approve(issueKey, currentHash, actor);
      printResult(ctx, options.json, status, () => [
        `Issue ${issueKey} approved by ${describeActor(actor)} (content ${currentHash.slice(0, 12)}…).`,
        ...(status.links ? linkSummaryLines(status.links) : []),
        ...(status.review.isSelfApproved
          ? [
              'Approved by its own author: allowed by REVIEW_REQUIRE_OTHER_APPROVER=false, and so recorded.',
            ]
          : []),
      ]);
    });

  issue
    .command('return')
    .description('send an issue in review (or approved) back to draft with a comment')
    .argument('<issue>', 'issue key (adn/2026-11) or file')
    .requiredOption('--comment <text>', 'what to change')
    .option('--json', 'print the status as JSON')
    .action(async (ref: string, options: { comment: string; json?: boolean }) => {
      const { review, issueKey, currentHash, actor } = await openReview(ctx, 'return', ref);
      const status = await review.sendBack(issueKey, currentHash, actor, options.comment);
      printResult(ctx, options.json, status, () => [
        `Issue ${issueKey} sent back to draft by ${describeActor(actor)}: “${status.review.comment}”.`,
      ]);
    });

  issue
    .command('links')
    .description(
      'check the links of an issue as approval does (exit 1 while one fails unmarked), or mark one as known',
    )
    .argument('<issue>', 'issue key (adn/2026-11) or file')
    .option(
      '--mark-known <url>',
      'mark this failing link of the issue as known: it no longer blocks approval',
    )
    .option('--unmark <url>', 'remove the mark: the link blocks approval again while it fails')
    .option('--json', 'print the results as JSON')
    .action(
      async (ref: string, options: { markKnown?: string; unmark?: string; json?: boolean }) => {
        if (options.markKnown !== undefined && options.unmark !== undefined) {
          throw new ValidationError('--mark-known and --unmark cannot be given together');
        }
        const issueKey = issueKeyOfRef(ref);
        const { links } = await openLinks(ctx, 'links');
        const actor = commandLineActor(userInfo().username);
        if (options.markKnown !== undefined) {
          await links.markKnown(issueKey, options.markKnown, actor);
          const url = options.markKnown.trim();
          printResult(ctx, options.json, { issueKey, url, isKnown: true }, () => [
            `${url} of issue ${issueKey} marked as known by ${describeActor(actor)}: it no longer blocks approval.`,
          ]);
          return;
        }
        if (options.unmark !== undefined) {
          await links.unmarkKnown(issueKey, options.unmark, actor);
          const url = options.unmark.trim();
          printResult(ctx, options.json, { issueKey, url, isKnown: false }, () => [
            `${url} of issue ${issueKey} no longer marked as known (${describeActor(actor)}): it blocks approval again while it fails.`,
          ]);
          return;
        }
        const result = await links.check(issueKey);
        printResult(
          ctx,
          options.json,
          { issueKey, summary: result.summary, links: result.report.links },
          () => [`Issue ${issueKey}:`, ...linkSummaryLines(result.summary)],
        );
        if (result.summary.broken > 0) process.exitCode = 1;
      },
    );
}
