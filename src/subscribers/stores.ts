import type { Locale } from '../lib/index.ts';

/*
 * The stores the subscribers domain needs, declared here and implemented by `db/`: the domain
 * never imports the database, and a test may pass stores of its own.
 */

/** A subscriber row as the store returns it (profile fields as stored). */
export interface SubscriberRecord {
  id: number;
  email: string;
  emailHash: string;
  name: string | null;
  locale: Locale;
  country: string | null;
  researchField: string | null;
  careerStage: string | null;
  attributes: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

/** Values of a new subscriber or the new values of an existing one. */
export interface SubscriberValues {
  name: string | null;
  locale: Locale;
  country: string | null;
  researchField: string | null;
  careerStage: string | null;
  attributes: Record<string, unknown>;
}

/** One subscriber of an export or a listing, with one of its subscriptions (or none). */
export interface SubscriberListRow extends SubscriberRecord {
  newsletterId: string | null;
  status: string | null;
  subscribedAt: Date | null;
  confirmedAt: Date | null;
  unsubscribedAt: Date | null;
}

/** Status of a subscription: awaiting double opt-in, receiving, or opted out. */
export type SubscriptionStatusValue = 'pending' | 'active' | 'unsubscribed';

/** A subscription row. */
export interface SubscriptionRecord {
  subscriberId: number;
  newsletterId: string;
  status: SubscriptionStatusValue;
  createdAt: Date;
  updatedAt: Date;
  confirmedAt: Date | null;
  unsubscribedAt: Date | null;
}

/** Subscriptions counted by newsletter and status. */
export interface SubscriptionStatusCount {
  newsletterId: string;
  status: SubscriptionStatusValue;
  count: number;
}

/** What {@link SubscriptionStore.unsubscribe} records with each consent event. */
export interface UnsubscribeEvent {
  /** `web`, `one-click`, `cli`… */
  source: string;
  /** Version of a consent text, when the request carried one. */
  consentVersion: string | null;
  ip: string | null;
  now: Date;
}

/** Kinds of consent events, as the migration allows them. */
export type ConsentEventKind =
  | 'subscribe'
  | 'confirm'
  | 'preferences'
  | 'unsubscribe'
  | 'erase'
  | 'import'
  | 'bounce'
  | 'complaint'
  | 'manual';

/** A consent event to append. */
export interface NewConsentEvent {
  subscriberId: number | null;
  newsletterId: string | null;
  kind: ConsentEventKind;
  /** Where it came from: `web`, `cli`, `import:<file>`, `smtp`… */
  source: string;
  consentVersion: string | null;
  ip: string | null;
  details: Record<string, unknown>;
  occurredAt: Date;
}

/** A stored consent event. */
export interface ConsentEventRecord extends NewConsentEvent {
  id: number;
}

/** Why an address must not be made active again. */
export type SuppressionReasonValue =
  'hard_bounce' | 'soft_bounce' | 'complaint' | 'erased' | 'manual';

/** A suppression row: the hash of an address, never the address. */
export interface SuppressionRecord {
  emailHash: string;
  reason: SuppressionReasonValue;
  detail: string | null;
  createdAt: Date;
}

/** A suppression of a listing, with its subscriber's address when the row still exists. */
export interface SuppressionListRow extends SuppressionRecord {
  subscriberId: number | null;
  email: string | null;
}

/** A pending subscription older than the retention period. */
export interface ExpiredPending {
  subscriberId: number;
  newsletterId: string;
}

/** A pending subscriber whose opt-in mail may be sent again. */
export interface ConfirmationDue {
  subscriberId: number;
  locale: string;
}

/** What an import batch needs to know of an address already stored. */
export interface ImportExistingRow extends SubscriberValues {
  id: number;
  emailHash: string;
  /** Status of the subscription to the imported newsletter, null when there is none. */
  status: SubscriptionStatusValue | null;
}

/** What the database holds about the addresses of an import batch. */
export interface ImportKnownAddresses {
  /** Stored subscribers, by email hash. */
  existing: Map<string, ImportExistingRow>;
  /** Suppressed addresses, by email hash. */
  suppressed: Map<string, { reason: SuppressionReasonValue }>;
}

/** A subscriber row written by an import. */
export interface ImportSubscriberRow extends SubscriberValues {
  email: string;
  emailHash: string;
}

/**
 * What an insert of new subscribers does with an address already stored (or inserted meanwhile
 * by someone else): `fail` raises the unique violation (the whole transaction is lost: retry
 * it with `skip`), `skip` leaves that row out. `fail` spares the server a check of the unique
 * indexes before each row.
 */
export type ImportConflictMode = 'fail' | 'skip';

/** The subscribers themselves. */
export interface SubscriberStore {
  findById(id: number): Promise<SubscriberRecord | null>;
  /** Finds by address, case-insensitively (through the hash of the lower-cased address). */
  findByEmailHash(emailHash: string): Promise<SubscriberRecord | null>;
  /** Inserts a subscriber; returns null when the address exists already. */
  insert(
    email: string,
    emailHash: string,
    values: SubscriberValues,
    now: Date,
  ): Promise<SubscriberRecord | null>;
  update(id: number, values: SubscriberValues, now: Date): Promise<SubscriberRecord>;
  delete(id: number): Promise<void>;
  /** One page joined with the subscriptions, in (id, newsletter) order after `after`. */
  listPage(filter: {
    newsletterId?: string | undefined;
    status?: string | undefined;
    after?: { id: number; newsletterId: string } | undefined;
    limit: number;
  }): Promise<SubscriberListRow[]>;
  /** Subscribers whose address or name contains `text`, by id. */
  search(filter: { text: string; limit: number; offset: number }): Promise<SubscriberRecord[]>;
  /** Clears the SMTP replies of the subscriber's deliveries; returns how many rows. */
  anonymiseDeliveries(subscriberId: number): Promise<number>;
  count(): Promise<number>;
  /** The subscriber's delivery rows, as an access request exports them. */
  listDeliveries(subscriberId: number): Promise<Array<Record<string, unknown>>>;
}

/** Subscriptions (subscriber × newsletter). */
export interface SubscriptionStore {
  /**
   * Unsubscribes from one newsletter or `'all'`, with one consent event per subscription
   * changed, atomically; returns the newsletters unsubscribed now, sorted.
   */
  unsubscribe(
    subscriberId: number,
    newsletterId: string | 'all',
    event: UnsubscribeEvent,
  ): Promise<string[]>;
  listForSubscriber(subscriberId: number): Promise<SubscriptionRecord[]>;
  listForSubscribers(ids: readonly number[]): Promise<SubscriptionRecord[]>;
  /** Sets the status of one subscription, creating it when missing. */
  setStatus(
    subscriberId: number,
    newsletterId: string,
    status: SubscriptionStatusValue,
    now: Date,
  ): Promise<SubscriptionRecord>;
  countByStatus(): Promise<SubscriptionStatusCount[]>;
}

/** The append-only log of consent events. */
export interface ConsentStore {
  append(events: NewConsentEvent[]): Promise<void>;
  /** Every event of a subscriber, oldest first. */
  listForSubscriber(subscriberId: number): Promise<ConsentEventRecord[]>;
  /** Detaches the subscriber's events (kept without personal data); returns how many. */
  detach(subscriberId: number): Promise<number>;
}

/** Suppressed addresses, by hash. */
export interface SuppressionStore {
  find(emailHash: string): Promise<SuppressionRecord | null>;
  /** Records a suppression; an existing one is replaced by a stronger reason only. */
  upsert(
    emailHash: string,
    reason: SuppressionReasonValue,
    detail: string | null,
    now: Date,
  ): Promise<SuppressionRecord>;
  /** Suppresses many addresses, with their consent events; returns the events written. */
  upsertMany(
    items: ReadonlyArray<{
      emailHash: string;
      reason: SuppressionReasonValue;
      detail: string | null;
      consentKind: string;
      consentDetails: Record<string, unknown>;
    }>,
    consent: { source: string; consentVersion: string | null; ip: string | null },
    now: Date,
  ): Promise<number>;
  /** Lifts a suppression; returns the one lifted, if any. */
  remove(emailHash: string): Promise<SuppressionRecord | null>;
  list(options: {
    reason?: SuppressionReasonValue | undefined;
    limit: number;
  }): Promise<Array<SuppressionRecord & { email: string | null }>>;
  listPage(page: { limit: number; offset: number }): Promise<SuppressionListRow[]>;
  countByReason(): Promise<Record<string, number>>;
}

/** The queries of the retention job. */
export interface RetentionStore {
  /** Pending subscriptions not touched since `before`, oldest first. */
  listExpiredPending(before: Date, limit: number): Promise<ExpiredPending[]>;
  /** Deletes the subscription if it is still pending and untouched since `before`. */
  deleteExpiredPending(entry: ExpiredPending, before: Date): Promise<boolean>;
  hasNoSubscription(subscriberId: number): Promise<boolean>;
  /** Subscribers unsubscribed from everything since before `before`. */
  listLongUnsubscribed(before: Date, limit: number): Promise<number[]>;
}

/** The claims of `send-confirmations`. */
export interface ConfirmationReminderStore {
  /** Takes pending subscriptions not reminded since `notSince` and stamps them `now`. */
  claimDue(
    newsletterId: string,
    notSince: Date,
    now: Date,
    limit: number,
  ): Promise<ConfirmationDue[]>;
}

/** Set-based statements of the CSV import, a batch each. */
export interface SubscriberImportStore {
  findKnown(emailHashes: string[], newsletterId: string): Promise<ImportKnownAddresses>;
  findSuppressed(emailHashes: string[]): Promise<Map<string, { reason: SuppressionReasonValue }>>;
  /** Inserts subscribers with their subscription; returns the hashes skipped as conflicts. */
  insertSubscribed(
    rows: ImportSubscriberRow[],
    subscription: { newsletterId: string; status: 'pending' | 'active'; source: string },
    now: Date,
    onConflict: ImportConflictMode,
  ): Promise<Set<string>>;
  /** Lets the transaction commit without waiting for its log to reach the disk. */
  relaxCommitDurability(): Promise<void>;
  updateSubscribers(rows: ImportSubscriberRow[], ids: number[], now: Date): Promise<void>;
  upsertSubscriptions(
    newsletterId: string,
    rows: Array<{ subscriberId: number; status: 'pending' | 'active' }>,
    now: Date,
  ): Promise<void>;
  /** Whether `error` is what `insertSubscribed` with `onConflict: 'fail'` raises on a conflict. */
  isConflict(error: unknown): boolean;
}

/** Every store of the domain, bound to the database or to one transaction. */
export interface SubscriberStores {
  subscribers: SubscriberStore;
  subscriptions: SubscriptionStore;
  consent: ConsentStore;
  suppressions: SuppressionStore;
  retention: RetentionStore;
  confirmationReminders: ConfirmationReminderStore;
  imports: SubscriberImportStore;
}

/**
 * Runs `work` in one transaction, given the stores bound to it: everything it wrote stays if
 * it returns, nothing if it throws.
 */
export type InTransaction = <T>(work: (stores: SubscriberStores) => Promise<T>) => Promise<T>;
