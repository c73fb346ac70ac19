import { readdir } from 'node:fs/promises';
import path from 'node:path';

import type { FastifyInstance } from 'fastify';

import { assessFeedHealth } from '../../feeds/index.ts';
import type { EditorContext } from './editor-context.ts';
import { renderEditorPage } from './editor-views.ts';

/** How many campaigns the home page lists per newsletter. */
const RECENT_CAMPAIGNS = 5;

/** The month of the newest issue file of a newsletter (`2026-11`), or null. */
async function latestIssueMonth(issuesDir: string, newsletterId: string): Promise<string | null> {
  let files: string[];
  try {
    files = await readdir(path.join(issuesDir, newsletterId));
  } catch {
    return null;
  }
  const months = files
    .map((file) => /^(\d{4}-\d{2})\.ya?ml$/.exec(file)?.[1])
    .filter((month): month is string => month !== undefined)
    .sort();
  return months.at(-1) ?? null;
}

/**
 * Where an issue stands: what its campaigns say once one is scheduled or sending, else its
 * review state (draft, in review, approved) for the file as it is now.
 */
function issueState(statuses: readonly string[], reviewState: string | null): string {
  if (statuses.includes('done')) return 'sent';
  if (statuses.includes('sending') || statuses.includes('paused')) return 'sending';
  if (statuses.includes('scheduled')) return 'scheduled';
  return reviewState ?? 'preparing';
}

/** The review state of an issue file as it is now, when the workspace has the composer's files. */
async function reviewStateOf(ctx: EditorContext, issueKey: string): Promise<string | null> {
  const [newsletterId, month] = issueKey.split('/') as [string, string];
  if (!ctx.deps.issueFiles) return null;
  const opened = await ctx.deps.issueFiles.open(newsletterId, month).catch(() => null);
  if (opened === null) return null;
  return (await ctx.deps.review.statusOf(issueKey, opened.hash)).state;
}

/**
 * The home page, `/editor`: per newsletter, the issue being prepared (its month and state), the
 * inbox candidates new since the last campaign that went out, the last campaigns with their
 * progress, and the feeds that fail or fell silent.
 */
export function registerHomeRoutes(app: FastifyInstance, ctx: EditorContext): void {
  const { deps } = ctx;
  app.get('/', async (request, reply) => {
    const now = deps.clock.now();
    const newsletters = await Promise.all(
      ctx.newsletters.map(async (newsletter) => {
        const [month, campaigns, lastSentAt, health] = await Promise.all([
          latestIssueMonth(deps.issuesDir, newsletter.id),
          deps.home.recentCampaigns(newsletter.id, RECENT_CAMPAIGNS),
          deps.home.lastSentAt(newsletter.id),
          deps.feedHealth.listForNewsletter(newsletter.id),
        ]);
        // The inbox's own default view (new since the last issue, minus those left untouched for
        // INBOX_NEW_MAX_DAYS), so the figure is what the inbox link opens on.
        const newCandidates = deps.inbox
          ? (await deps.inbox.list({ newsletterId: newsletter.id, pageSize: 1 })).total
          : await deps.home.countNewCandidates(newsletter.id, lastSentAt);
        const issueKey = month === null ? null : `${newsletter.id}/${month}`;
        const reviewState = issueKey === null ? null : await reviewStateOf(ctx, issueKey);
        const feeds = health
          .map((row) => ({ row, assessment: assessFeedHealth(row, now) }))
          .filter(
            ({ assessment }) => assessment.state === 'failing' || assessment.state === 'silent',
          )
          .map(({ row, assessment }) => ({
            name: row.name,
            url: row.feedUrl,
            state: assessment.state,
            days: assessment.silentForDays === null ? null : Math.floor(assessment.silentForDays),
            lastError: row.lastError,
          }));
        return {
          id: newsletter.id,
          title: newsletter.title,
          issue:
            issueKey === null
              ? null
              : {
                  month,
                  href: ctx.deps.issueFiles ? `/editor/issues/${issueKey}` : null,
                  state: issueState(
                    campaigns.filter((c) => c.issueKey === issueKey).map((c) => c.status),
                    reviewState,
                  ),
                },
          newCandidates,
          lastSentAt,
          campaigns: campaigns.map((campaign) => ({
            ...campaign,
            percent:
              campaign.recipientCount === 0
                ? 0
                : Math.round((campaign.sentCount / campaign.recipientCount) * 100),
          })),
          feeds,
        };
      }),
    );
    return renderEditorPage(reply, request, 'editor-home', {
      newsletters,
      hasQueueBoard: deps.queues !== undefined,
    });
  });
}
