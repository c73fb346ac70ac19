import type { FastifyPluginAsync } from 'fastify';

import type { Clock, Locale, Logger } from '../lib/index.ts';
import type { RedisClient } from '../queue/index.ts';
import type { CareerStage, RetentionPolicy, TokenSigner } from '../subscribers/index.ts';
import type { EditorWorkspaceDeps } from './editor/editor-deps.ts';

/** Where a change came from, recorded with the consent event. */
export interface RequestMeta {
  /** `web`, `web-one-click`, … */
  source: string;
  ip: string | null;
  /** Version of the consent text the person agreed to (subscribe only). */
  consentVersion?: string;
}

/** The profile a subscriber can edit on the pages. */
export interface WebProfile {
  name: string | null;
  country: string | null;
  researchField: string | null;
  careerStage: CareerStage | null;
  locale: Locale;
}

/** A subscription as the pages show it. */
export interface WebSubscription {
  newsletterId: string;
  status: 'pending' | 'active' | 'unsubscribed';
}

/** A subscriber as the pages show it. */
export interface WebSubscriber extends WebProfile {
  id: number;
  email: string;
  subscriptions: WebSubscription[];
}

/** A subscribe request from the form. */
export interface SubscribeRequest extends WebProfile {
  email: string;
  newsletterIds: string[];
}

/**
 * What the pages ask of the subscriber service. `src/web/subscription-port.ts` adapts the
 * `SubscriberService` to it; tests may pass a fake.
 */
export interface SubscriptionPort {
  /**
   * Records a pending subscription (double opt-in) and its consent event. Returns the
   * subscriber id and the newsletters now awaiting confirmation (none when every one asked was
   * already active, or the address is suppressed), so the caller knows whether to send a
   * confirmation message. Never reveals to the page whether the address was known.
   */
  subscribe(
    request: SubscribeRequest,
    meta: RequestMeta,
  ): Promise<{ subscriberId: number | null; pendingNewsletterIds: string[] }>;
  /** Activates the pending subscriptions; returns the newsletters activated now. */
  confirm(subscriberId: number, meta: RequestMeta): Promise<string[]>;
  findById(subscriberId: number): Promise<WebSubscriber | null>;
  /** Saves the profile and the set of newsletters the subscriber wants. */
  updatePreferences(
    subscriberId: number,
    preferences: WebProfile & { newsletterIds: string[] },
    meta: RequestMeta,
  ): Promise<void>;
  /**
   * Unsubscribes from one newsletter or all, in one SQL statement (the RFC 8058 one-click path
   * too); a no-op when already unsubscribed or when the subscriber no longer exists.
   */
  unsubscribe(subscriberId: number, newsletterId: string | 'all', meta: RequestMeta): Promise<void>;
  /** Everything held about the subscriber (GDPR art. 15 and 20). */
  exportData(subscriberId: number): Promise<unknown>;
  /** Deletes the personal data and suppresses the address (GDPR art. 17). */
  erase(subscriberId: number, meta: RequestMeta): Promise<void>;
}

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
  subscriptions: SubscriptionPort;
  /** Task C's token signer. */
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
