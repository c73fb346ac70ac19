import { z } from 'zod';

import { LocaleSchema } from '../lib/index.ts';

// The contract between producers and workers of every BullMQ queue: queue names, payload
// schemas, job ids and job schedulers. A leaf module (zod and lib only), so the campaign, sending
// and mail code import it directly without reaching the workers.

/** Names of every BullMQ queue; their keys are prefixed with QUEUE_PREFIX. */
export const QueueName = {
  /** Walks a campaign's audience, writes delivery rows, enqueues send batches. */
  fanOut: 'campaign-fan-out',
  /** Sends one batch of one campaign. */
  sendBatch: 'send-batch',
  /** Starts scheduled campaigns when due (delayed jobs plus a periodic sweep). */
  scheduler: 'campaign-scheduler',
  /** One-recipient messages: double opt-in confirmations and the workspace's sign-in links. */
  transactional: 'transactional',
  /** The periodic poll of every newsletter's feeds. */
  feedPoll: 'feed-poll',
  /** The daily retention job (erasing what the retention policy no longer keeps). */
  retention: 'retention',
} as const;
/** One of {@link QueueName}. */
export type QueueName = (typeof QueueName)[keyof typeof QueueName];

/** Name of the queue of one-recipient messages; see {@link QueueName}. */
export const TRANSACTIONAL_QUEUE = QueueName.transactional;
/** Name of the queue that carries the feed polling jobs; see {@link QueueName}. */
export const FEED_POLL_QUEUE = QueueName.feedPoll;
/** Name of the queue of the daily retention job; see {@link QueueName}. */
export const RETENTION_QUEUE = QueueName.retention;

const campaignId = z.number().int().positive();

/** Payload of a fan-out job: the campaign only (its checkpoint is in PostgreSQL). */
export const FanOutJobSchema = z.object({ campaignId }).strict();
/** Payload of a send job: ids only, never addresses or bodies. */
export const SendBatchJobSchema = z
  .object({ campaignId, batchNo: z.number().int().nonnegative() })
  .strict();
/** Payload of a scheduler job: one campaign whose time has come, or a sweep of all. */
export const SchedulerJobSchema = z.object({ campaignId: campaignId.optional() }).strict();

/** Payload of a confirmation job of the `transactional` queue: ids only, never the address. */
export const ConfirmationJobSchema = z
  .object({
    kind: z.literal('confirm'),
    subscriberId: z.number().int().positive(),
    /** Language of the page the request came from, or the one chosen on the form. */
    locale: LocaleSchema,
  })
  .strict();

/**
 * Payload of a sign-in job of the `transactional` queue: the account's id, the one-time token
 * (valid 15 minutes, used once; the job is removed once sent) and the mail's language. The
 * address is read when sending, never stored in Redis.
 */
export const SignInJobSchema = z
  .object({
    kind: z.literal('sign-in'),
    editorId: z.number().int().positive(),
    token: z.string().regex(/^[A-Za-z0-9_-]{20,100}$/, 'expected a sign-in token'),
    locale: LocaleSchema,
  })
  .strict();

/** Payload of a feed poll job: nothing, the poll reads the newsletters' feed lists itself. */
export const FeedPollJobSchema = z.object({}).strict();
/** Payload of a retention job: nothing, the policy comes from the configuration. */
export const RetentionJobSchema = z.object({}).strict();

/** See {@link FanOutJobSchema}. */
export type FanOutJob = z.infer<typeof FanOutJobSchema>;
/** See {@link SendBatchJobSchema}. */
export type SendBatchJob = z.infer<typeof SendBatchJobSchema>;
/** See {@link SchedulerJobSchema}. */
export type SchedulerJob = z.infer<typeof SchedulerJobSchema>;
/** See {@link ConfirmationJobSchema}. */
export type ConfirmationJob = z.infer<typeof ConfirmationJobSchema>;
/** See {@link SignInJobSchema}. */
export type SignInJob = z.infer<typeof SignInJobSchema>;
/** A job of the `transactional` queue, told apart by its `kind`. */
export type TransactionalJob = ConfirmationJob | SignInJob;
/** See {@link FeedPollJobSchema}. */
export type FeedPollJob = z.infer<typeof FeedPollJobSchema>;
/** See {@link RetentionJobSchema}. */
export type RetentionJob = z.infer<typeof RetentionJobSchema>;

/** The payload type of each queue. */
export interface JobPayloads {
  [QueueName.fanOut]: FanOutJob;
  [QueueName.sendBatch]: SendBatchJob;
  [QueueName.scheduler]: SchedulerJob;
  [QueueName.transactional]: TransactionalJob;
  [QueueName.feedPoll]: FeedPollJob;
  [QueueName.retention]: RetentionJob;
}

/**
 * What a producer needs of a queue: adding one job under a job id of this contract. A BullMQ
 * `Queue` of that payload fits, and so does a test's recorder.
 */
export interface JobQueuePort<T> {
  add(name: string, data: T, options: { jobId: string }): Promise<unknown>;
}

/**
 * Deterministic job id of a send batch, `12-3`: enqueuing it twice adds one job. A batch sent
 * again while a job of it is still running gets a later `generation`, `12-3-g4`. (BullMQ 6
 * refuses ':' in custom ids, and integer-looking ones.)
 */
export function sendBatchJobId(job: SendBatchJob, generation?: number): string {
  const base = `${job.campaignId}-${job.batchNo}`;
  return generation === undefined ? base : `${base}-g${generation}`;
}

/** Deterministic job id of a campaign's fan-out. */
export function fanOutJobId(job: FanOutJob): string {
  return `fan-out-${job.campaignId}`;
}

/** Deterministic job id of the start of a campaign scheduled at `at`. */
export function scheduledStartJobId(campaignIdValue: number, at: Date): string {
  return `start-${campaignIdValue}-${at.getTime()}`;
}

/**
 * Deterministic job id of a confirmation: requests for the same subscriber within the same
 * minute add one job (a double-clicked form sends one message).
 */
export function confirmationJobId(job: Pick<ConfirmationJob, 'subscriberId'>, now: Date): string {
  return `confirm-${job.subscriberId}-${Math.floor(now.getTime() / 60_000)}`;
}

/**
 * Deterministic job id of an opt-in reminder (`depeche subscribers send-confirmations`): one per
 * subscriber and week (`week` counts weeks since the epoch), however often the command runs.
 */
export function confirmationReminderJobId(
  job: Pick<ConfirmationJob, 'subscriberId'>,
  week: number,
): string {
  return `confirm-reminder-${job.subscriberId}-${week}`;
}

/** Job id of a sign-in link: one job per request (each carries a token of its own). */
export function signInJobId(job: Pick<SignInJob, 'editorId'>, now: Date): string {
  return `sign-in-${job.editorId}-${now.getTime()}`;
}

/** Id of the job scheduler of the campaign sweep, one for all workers. */
export const SWEEP_SCHEDULER_ID = 'campaign-sweep';
/** Id of the one job scheduler that polls the feeds, shared by every worker process. */
export const FEED_POLL_SCHEDULER_ID = 'poll-feeds';
/** Id of the one job scheduler of the retention job, shared by every worker process. */
export const RETENTION_SCHEDULER_ID = 'apply-retention';
/** Every day at 03:17 UTC, away from the top of the hour when scheduled campaigns start. */
export const RETENTION_PATTERN = '17 3 * * *';
