import {
  type BounceStore,
  createBounceService,
  createVerpAddresses,
  imapTargetFromUrl,
  type InboundSmtpServer,
  type MailboxReadResult,
  maxInboundBytes,
  readMailboxOnce,
  type RecipientActions,
  startInboundSmtpServer,
  startMailboxPolling,
  summarizeBounces,
  type VerpAddresses,
} from '../bounces/index.ts';
import { type Config, ConfigError, resolveSecretKeys } from '../config/index.ts';
import { createBounceRepository, type Database, type DatabaseHandle } from '../db/index.ts';
import type { Clock, Logger } from '../lib/index.ts';
import { SubscriberNotFoundError } from '../subscribers/index.ts';
import { buildSubscriberService } from './subscriber-stores.ts';

/** What {@link buildBounceServices} needs. */
export interface BounceServicesDeps {
  config: Config;
  db: Database;
  logger: Logger;
  clock: Clock;
}

/** The VERP addresses of BOUNCE_ADDRESS signed with SECRET_KEY (former keys verify), if set. */
export function verpFromConfig(config: Config): VerpAddresses | undefined {
  if (config.BOUNCE_ADDRESS === undefined) return undefined;
  const keys = resolveSecretKeys(config);
  return createVerpAddresses({
    bounceAddress: config.BOUNCE_ADDRESS,
    secrets: [keys.secret, ...Object.values(keys.previousKeys)],
  });
}

/** The subscribers domain's suppressions and unsubscribes, in the transaction `db`. */
function recipientActionsOf(db: Database, clock: Clock, logger: Logger): RecipientActions {
  const subscribers = buildSubscriberService({ db, clock, logger });
  return {
    async suppress(items) {
      await subscribers.suppressMany(items, { source: 'bounces' });
    },
    async unsubscribe(email, newsletterId, source) {
      try {
        const done = await subscribers.remove(
          email,
          newsletterId === 'all' ? undefined : newsletterId,
          { source },
        );
        return done.unsubscribedNewsletterIds;
      } catch (error) {
        if (error instanceof SubscriberNotFoundError) return [];
        throw error;
      }
    },
  };
}

/**
 * The bounce repository as the bounces domain's store: its transaction also carries the
 * subscriber service's suppressions and unsubscribes, on that same transaction.
 */
export function createBounceStore(deps: Pick<BounceServicesDeps, 'db' | 'clock' | 'logger'>) {
  const repository = createBounceRepository(deps.db);
  const store: BounceStore = {
    findDeliveries: (ids) => repository.findDeliveries(ids),
    findDeliveriesByMessageKey: (pairs) => repository.findDeliveriesByMessageKey(pairs),
    transaction: (work) =>
      repository.transaction((tx, executor) =>
        work({
          ...tx,
          // the transaction has every method of the database the subscriber service uses
          recipients: recipientActionsOf(executor as Database, deps.clock, deps.logger),
        }),
      ),
  };
  return store;
}

/**
 * Wires the processing of bounces, complaints and `mailto:` unsubscribes (the bounces part of
 * the composition root): the store is the bounce repository, whose transaction also carries the
 * subscriber service's suppressions and unsubscribes (which write the consent events), so that
 * an event and its effects are committed together.
 */
export function buildBounceServices(deps: BounceServicesDeps) {
  const { config } = deps;
  const store = createBounceStore(deps);
  const verp = verpFromConfig(config);
  return {
    verp,
    bounces: createBounceService({
      store,
      verp,
      clock: deps.clock,
      logger: deps.logger,
      options: {
        softLimit: config.BOUNCE_SOFT_LIMIT,
        softWindowDays: config.BOUNCE_SOFT_WINDOW_DAYS,
        unsubscribeMailto: config.UNSUBSCRIBE_MAILTO,
      },
    }),
  };
}

/** See {@link buildBounceServices}. */
export type BounceServices = ReturnType<typeof buildBounceServices>;

/**
 * `depeche inbound`: the SMTP server of bounces on INBOUND_HOST:INBOUND_PORT, taking mail for
 * the BOUNCE_ADDRESS (bare or with a VERP token) and UNSUBSCRIBE_MAILTO only, each message
 * processed before it is acknowledged. The caller owns the database handle.
 */
export async function startInboundRuntime(deps: {
  config: Config;
  database: DatabaseHandle;
  logger: Logger;
  clock: Clock;
  /** Overrides INBOUND_PORT (tests: 0). */
  port?: number;
}): Promise<InboundSmtpServer> {
  const { config } = deps;
  const db = deps.database.db;
  const { bounces, verp } = buildBounceServices({
    config,
    db,
    logger: deps.logger,
    clock: deps.clock,
  });
  if (!verp) {
    throw new ConfigError(
      'Configuration: BOUNCE_ADDRESS is required by depeche inbound (e.g. bounces@news.example.org)',
    );
  }
  const mailto = config.UNSUBSCRIBE_MAILTO?.toLowerCase();
  return startInboundSmtpServer({
    port: deps.port ?? config.INBOUND_PORT,
    host: config.INBOUND_HOST,
    name: verp.domain,
    maxMessagesPerMinute: config.INBOUND_RATE_PER_MINUTE,
    isAccepted: (address) =>
      verp.match(address).kind !== 'other' || address.toLowerCase() === mailto,
    onMessage: async ({ raw, envelopeRecipients }) => {
      await bounces.process({ raw, source: 'smtp', envelopeRecipients });
    },
    logger: deps.logger,
    clock: deps.clock,
  });
}

/** Bounces and complaints of a campaign with their rates over its `sent` messages (`campaign status`). */
export function createCampaignBounceReport(db: Database) {
  const repository = createBounceRepository(db);
  return async (campaignId: number, sent: number) =>
    summarizeBounces(await repository.countForCampaign(campaignId), sent);
}

/** The mailbox of INBOUND_IMAP_URL, or a clear error naming the variable. */
function mailboxTarget(config: Config) {
  if (config.INBOUND_IMAP_URL === undefined) {
    throw new ConfigError(
      'Configuration: INBOUND_IMAP_URL is required to read a mailbox (imaps://user:password@host/INBOX)',
    );
  }
  return imapTargetFromUrl(config.INBOUND_IMAP_URL, config.INBOUND_IMAP_DONE_FOLDER);
}

function mailboxProcessor(deps: { config: Config; db: Database; logger: Logger; clock: Clock }) {
  const { bounces } = buildBounceServices(deps);
  return async (raw: Buffer) => {
    await bounces.process({ raw, source: 'imap' });
  };
}

/**
 * Reads INBOUND_IMAP_URL's folder every INBOUND_IMAP_INTERVAL_SEC (`depeche inbound` when it is
 * set): each message processed like one received by SMTP, then moved to
 * INBOUND_IMAP_DONE_FOLDER; one that fails stays for the next read.
 */
export function startMailboxRuntime(deps: {
  config: Config;
  database: DatabaseHandle;
  logger: Logger;
  clock: Clock;
}): { close(): Promise<void> } {
  const { config } = deps;
  return startMailboxPolling({
    target: mailboxTarget(config),
    intervalSec: config.INBOUND_IMAP_INTERVAL_SEC,
    process: mailboxProcessor({ ...deps, db: deps.database.db }),
    logger: deps.logger,
    maxBytes: maxInboundBytes,
  });
}

/** One read of INBOUND_IMAP_URL's folder (`depeche bounces fetch`). */
export function readMailboxFromConfig(deps: {
  config: Config;
  database: DatabaseHandle;
  logger: Logger;
  clock: Clock;
}): Promise<MailboxReadResult> {
  return readMailboxOnce({
    target: mailboxTarget(deps.config),
    process: mailboxProcessor({ ...deps, db: deps.database.db }),
    logger: deps.logger,
    maxBytes: maxInboundBytes,
  });
}
