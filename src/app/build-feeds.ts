import type { ConnectionOptions } from 'bullmq';

import { createComposeService, createInboxService, createTriageService } from '../compose/index.ts';
import type { Config } from '../config/index.ts';
import {
  createLinkChecker,
  createNewsletterLoader,
  loadNewsletter,
  loadNewsletters,
  type Newsletter,
} from '../content/index.ts';
import {
  createCandidateRepository,
  createFeedHealthRepository,
  createInboxRepository,
  type Database,
} from '../db/index.ts';
import { createFeedService, createGuardedFetch, createRssFetcher } from '../feeds/index.ts';
import type { Clock, Logger } from '../lib/index.ts';
import { type FeedPolling, startFeedPolling } from '../queue/index.ts';

/** What {@link buildFeedServices} needs. */
export interface FeedServicesDeps {
  config: Pick<
    Config,
    | 'ISSUES_DIR'
    | 'FEED_CONCURRENCY'
    | 'FEED_TIMEOUT_MS'
    | 'FEED_MAX_BYTES'
    | 'FEED_ALLOW_PRIVATE_ADDRESSES'
  >;
  db: Database;
  logger: Logger;
  clock: Clock;
}

/**
 * Wires the monitored feeds, the editorial inbox and drafting (the feeds part of the
 * composition root): `feeds`, `triage`, `compose`, plus `pollAll` and `healthAll` that read the
 * newsletters' feed lists from ISSUES_DIR at each call, so an edited `newsletter.yaml` counts
 * at the next poll.
 */
export function buildFeedServices(deps: FeedServicesDeps) {
  const { config } = deps;
  const candidates = createCandidateRepository(deps.db);
  const load = (id: string) => loadNewsletter(config.ISSUES_DIR, id);
  const feeds = createFeedService({
    fetcher: createRssFetcher({
      timeoutMs: config.FEED_TIMEOUT_MS,
      maxBytes: config.FEED_MAX_BYTES,
      allowPrivateAddresses: config.FEED_ALLOW_PRIVATE_ADDRESSES,
    }),
    candidates,
    health: createFeedHealthRepository(deps.db),
    clock: deps.clock,
    logger: deps.logger,
    concurrency: config.FEED_CONCURRENCY,
    // Fetching has its own deadline; this one also covers parsing and storing.
    feedDeadlineMs: config.FEED_TIMEOUT_MS * 2,
  });
  const newslettersOf = async (newsletterId?: string): Promise<Newsletter[]> =>
    newsletterId ? [await load(newsletterId)] : loadNewsletters(config.ISSUES_DIR);
  return {
    feeds,
    triage: createTriageService({ candidates, loadNewsletter: load, clock: deps.clock }),
    compose: createComposeService({
      candidates,
      loadNewsletter: load,
      issuesDir: config.ISSUES_DIR,
      clock: deps.clock,
      logger: deps.logger,
    }),
    /** Polls the feeds of one newsletter, or of all. */
    pollAll: async (newsletterId?: string) => feeds.poll(await newslettersOf(newsletterId)),
    /** Health of the feeds of one newsletter, or of all. */
    healthAll: async (newsletterId?: string) => feeds.health(await newslettersOf(newsletterId)),
  };
}

/** The feed services. */
export type FeedServices = ReturnType<typeof buildFeedServices>;

/**
 * Wires the editors' inbox (the workspace's triage): candidates filtered and paged, and the
 * audited triage operations, with the age rule of INBOX_NEW_MAX_DAYS.
 */
export function buildInboxService(deps: {
  config: Pick<Config, 'ISSUES_DIR' | 'INBOX_NEW_MAX_DAYS'>;
  db: Database;
  clock: Clock;
}) {
  return createInboxService({
    store: createInboxRepository(deps.db),
    loadNewsletter: createNewsletterLoader(deps.config.ISSUES_DIR),
    clock: deps.clock,
    newMaxDays: deps.config.INBOX_NEW_MAX_DAYS,
  });
}

/**
 * Starts the scheduled feed polling of a worker process (`depeche worker`): one BullMQ job
 * scheduler every FEED_POLL_INTERVAL_SEC, never two polls at once across all workers.
 */
export function startFeedPollingRuntime(deps: {
  config: Pick<Config, 'FEED_POLL_INTERVAL_SEC' | 'QUEUE_PREFIX'>;
  feeds: Pick<FeedServices, 'pollAll'>;
  connection: ConnectionOptions;
  logger: Logger;
}): Promise<FeedPolling> {
  return startFeedPolling({
    connection: deps.connection,
    prefix: deps.config.QUEUE_PREFIX,
    intervalSec: deps.config.FEED_POLL_INTERVAL_SEC,
    poll: () => deps.feeds.pollAll(),
    logger: deps.logger,
  });
}

/**
 * The link checker of the approval step (`checkIssueLinks`): the content module's checker over
 * a fetch under the feed poller's address policy (FEED_ALLOW_PRIVATE_ADDRESSES), so an issue's
 * link never makes the server request a loopback or private address.
 */
export function buildApprovalLinkChecker(
  config: Pick<Config, 'FEED_TIMEOUT_MS' | 'FEED_ALLOW_PRIVATE_ADDRESSES'>,
) {
  return createLinkChecker({
    fetch: createGuardedFetch({ allowPrivateAddresses: config.FEED_ALLOW_PRIVATE_ADDRESSES }),
    timeoutMs: config.FEED_TIMEOUT_MS,
    userAgent: 'Depeche-LinkCheck/0.1 (newsletter link checker)',
  });
}
