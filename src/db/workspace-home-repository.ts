import { sql } from 'drizzle-orm';

import { type Executor, queryRows } from './client.ts';

/** A campaign as the workspace's home page lists it. */
export interface HomeCampaign {
  id: number;
  issueKey: string;
  status: string;
  recipientCount: number;
  sentCount: number;
  failedCount: number;
  createdAt: Date;
  scheduledAt: Date | null;
  startedAt: Date | null;
  finishedAt: Date | null;
}

interface RawCampaign {
  id: number | string;
  issue_key: string;
  status: string;
  recipient_count: number | string;
  sent_count: number | string;
  failed_count: number | string;
  created_at: Date | string;
  scheduled_at: Date | string | null;
  started_at: Date | string | null;
  finished_at: Date | string | null;
}

const toDate = (value: Date | string | null) => (value === null ? null : new Date(value));

/**
 * The read-only queries of the workspace's home page: a newsletter's recent campaigns, when it
 * last sent one, and how many candidates arrived since.
 */
export function createWorkspaceHomeRepository(db: Executor) {
  return {
    /** The newsletter's most recent campaigns, newest first. */
    async recentCampaigns(newsletterId: string, limit: number): Promise<HomeCampaign[]> {
      const rows = await queryRows<RawCampaign>(
        db,
        sql`SELECT id, issue_key, status, recipient_count, sent_count, failed_count, created_at,
                   scheduled_at, started_at, finished_at
              FROM campaigns WHERE newsletter_id = ${newsletterId}
             ORDER BY id DESC LIMIT ${limit}`,
      );
      return rows.map((row) => ({
        id: Number(row.id),
        issueKey: row.issue_key,
        status: row.status,
        recipientCount: Number(row.recipient_count),
        sentCount: Number(row.sent_count),
        failedCount: Number(row.failed_count),
        createdAt: new Date(row.created_at),
        scheduledAt: toDate(row.scheduled_at),
        startedAt: toDate(row.started_at),
        finishedAt: toDate(row.finished_at),
      }));
    },

    /** When the newsletter's last campaign that went out started; null if none ever did. */
    async lastSentAt(newsletterId: string): Promise<Date | null> {
      const rows = await queryRows<{ at: Date | string | null }>(
        db,
        sql`SELECT max(coalesce(started_at, created_at)) AS at FROM campaigns
             WHERE newsletter_id = ${newsletterId} AND status IN ('sending', 'paused', 'done')`,
      );
      return toDate(rows[0]?.at ?? null);
    },

    /** Candidates still `new` first seen after `since` (all of them when `since` is null). */
    async countNewCandidates(newsletterId: string, since: Date | null): Promise<number> {
      const rows = await queryRows<{ count: number | string }>(
        db,
        since === null
          ? sql`SELECT count(*) AS count FROM feed_candidates
                 WHERE newsletter_id = ${newsletterId} AND status = 'new'`
          : sql`SELECT count(*) AS count FROM feed_candidates
                 WHERE newsletter_id = ${newsletterId} AND status = 'new'
                   AND first_seen_at > ${since.toISOString()}::timestamptz`,
      );
      return Number(rows[0]?.count ?? 0);
    },
  };
}

/** The workspace home repository. */
export type WorkspaceHomeRepository = ReturnType<typeof createWorkspaceHomeRepository>;
