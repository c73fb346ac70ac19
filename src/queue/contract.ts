import { z } from 'zod';

/** Names of the BullMQ queues of delivery; keys are prefixed with QUEUE_PREFIX. */
export const QueueName = {
  /** Walks a campaign's audience, writes delivery rows, enqueues send batches. */
  fanOut: 'campaign-fan-out',
  /** Sends one batch of one campaign. */
  sendBatch: 'send-batch',
  /** Starts scheduled campaigns when due (delayed jobs plus a periodic sweep). */
  scheduler: 'campaign-scheduler',
} as const;
/** One of {@link QueueName}. */
export type QueueName = (typeof QueueName)[keyof typeof QueueName];

const campaignId = z.number().int().positive();

/** Payload of a fan-out job: the campaign only (its checkpoint is in PostgreSQL). */
export const FanOutJobSchema = z.object({ campaignId }).strict();
/** Payload of a send job: ids only, never addresses or bodies. */
export const SendBatchJobSchema = z
  .object({ campaignId, batchNo: z.number().int().nonnegative() })
  .strict();
/** Payload of a scheduler job: one campaign whose time has come, or a sweep of all. */
export const SchedulerJobSchema = z.object({ campaignId: campaignId.optional() }).strict();

/** See {@link FanOutJobSchema}. */
export type FanOutJob = z.infer<typeof FanOutJobSchema>;
/** See {@link SendBatchJobSchema}. */
export type SendBatchJob = z.infer<typeof SendBatchJobSchema>;
/** See {@link SchedulerJobSchema}. */
export type SchedulerJob = z.infer<typeof SchedulerJobSchema>;

/** The payload type of each queue. */
export interface JobPayloads {
  [QueueName.fanOut]: FanOutJob;
  [QueueName.sendBatch]: SendBatchJob;
  [QueueName.scheduler]: SchedulerJob;
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
