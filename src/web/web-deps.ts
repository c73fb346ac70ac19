import type { FastifyPluginAsync } from 'fastify';

import type { Clock, Locale, Logger } from '../lib/index.ts';
import type { RedisClient } from '../queue/index.ts';
import type { RetentionPolicy, SubscriberService, TokenSigner } from '../subscribers/index.ts';
import type { EditorWorkspaceDeps } from './editor/editor-deps.ts';

/**
 * What the pages ask of the subscriber service: its own methods, taking and returning its own
 * types (the forms' zod transforms produce them, see `forms.ts`).
 */
export type PageSubscriberService = Pick<
  SubscriberService,
  | 'subscribe'
  | 'confirm'
  | 'findById'
  | 'updatePreferences'
  | 'unsubscribe'
  | 'exportData'
  | 'erase'
>;

/** A newsletter as the pages show it (`content`'s `Newsletter` fits). */
export interface WebNewsletter {
  id: string;
  title: string;
  description?: string | undefined;
  description_en?: string | undefined;
}

/** Enqueues the confirmation message of a subscriber (sent by a worker). */
export interface ConfirmationMailer {
  enqueueConfirmation(job: { subscriberId: number; locale: Locale }): Promise<void>;
}

/** One sent issue in the archive list. */
export interface ArchiveEntry {
  newsletterId: string;
  issueKey: string;
  /** `YYYY-MM` */
  month: string;
  locale: Locale;
  subject: string;
  /** Start of the plain-text version, for the list and the feed. */
  excerpt: string;
  sentAt: Date;
}

/** What the archive pages read (`src/db/archive-repository.ts` fits). */
export interface ArchiveSource {
  listSent(query: {
    newsletterId: string;
    locale: Locale;
    search?: string | undefined;
    limit: number;
  }): Promise<ArchiveEntry[]>;
  findSent(query: {
    newsletterId: string;
    month: string;
    locale: Locale;
  }): Promise<(ArchiveEntry & { html: string; text: string }) | null>;
}

/** Limits of the subscribe form. */
export interface SubscribeRateLimits {
  /** Subscribe POSTs per IP address per minute. @defaultValue 10 */
  perIpPerMinute?: number;
  /** Subscribe POSTs per email address per hour. @defaultValue 5 */
  perAddressPerHour?: number;
}

/** Everything the web app needs, passed in by `server.ts` (or a test). */
export interface WebDeps {
  subscribers: PageSubscriberService;
  /** Signs and verifies the links of the token pages. */
  tokens: Pick<TokenSigner, 'sign' | 'verify'>;
  newsletters: readonly WebNewsletter[];
  confirmationMailer: ConfirmationMailer;
  archive: ArchiveSource;
  /** Base URL of the pages in emails and feeds, e.g. `https://lettres.example.org`. */
  publicUrl: string;
  clock: Clock;
  logger: Logger;
  /** Shared store of the rate limits across processes; in memory when absent. */
  redis?: RedisClient | undefined;
  /**
   * QUEUE_PREFIX: the rate limits' keys live under `<prefix>:web-rate:`, with the queues' hash
   * tag, so a Redis Cluster keeps them with the rest. @defaultValue '{depeche}'
   */
  redisKeyPrefix?: string | undefined;
  rateLimits?: SubscribeRateLimits | undefined;
  /**
   * Extra Fastify plugins registered after the pages, at the root (ops routes, metrics,
   * dashboards).
   */
  extraPlugins?: readonly FastifyPluginAsync[] | undefined;
  /** Trust `X-Forwarded-For` from a reverse proxy for the client IP. @defaultValue false */
  isBehindProxy?: boolean | undefined;
  /** The retention periods the privacy notice states. @defaultValue {@link defaultRetention} */
  retention?: RetentionPolicy | undefined;
  /** The editors' workspace at `/editor`; not mounted without it. */
  editor?: EditorWorkspaceDeps | undefined;
}

/** RETENTION_PENDING_DAYS and RETENTION_UNSUBSCRIBED_DAYS when not configured. */
export const defaultRetention: RetentionPolicy = { pendingDays: 30, unsubscribedDays: 365 };
