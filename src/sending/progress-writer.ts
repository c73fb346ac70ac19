import type {
  BatchStore,
  CampaignTotals,
  DeliveryOutcome,
  ProgressWrite,
  ProgressWritten,
  StoreHandle,
} from '../campaigns/index.ts';

/** Dependencies of {@link createProgressWriter}. */
export interface ProgressWriterDeps {
  db: StoreHandle;
  deliveries: Pick<BatchStore, 'writeProgress'>;
}

/** What a claim found. */
export interface ClaimResult {
  /** The row is now `sending`, held by the caller. */
  isClaimed: boolean;
  /** The campaign's status and counts as the claim saw them (undefined: no such campaign). */
  campaign: CampaignTotals | undefined;
}

/** Attempts of one statement aborted by a deadlock or serialization failure. */
const maxWriteAttempts = 3;

/** A deadlock (40P01) or serialization failure (40001), possibly wrapped by the query layer. */
function isConflict(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current && depth < 3; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (code === '40P01' || code === '40001') return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

interface Waiter<T> {
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

interface PendingClaim {
  deliveryId: number;
  campaignId: number;
  waiter: Waiter<ClaimResult>;
}

interface PendingOutcome {
  campaignId: number;
  outcome: DeliveryOutcome;
  waiter: Waiter<CampaignTotals | undefined>;
}

/**
 * The sending lanes' single door to the delivery rows, one per process. Every lane claims its
 * next row right before the message and writes each outcome right after it; what the lanes ask
 * while a write is in flight goes into the next statement together (a group commit). So a
 * message costs a share of one round trip, and a row is `sending` only from just before its
 * message to just after, however many lanes run.
 */
export function createProgressWriter(deps: ProgressWriterDeps) {
  let claims: PendingClaim[] = [];
  let outcomes: PendingOutcome[] = [];
  let writing: Promise<void> | undefined;

  /**
   * Two processes writing outcomes of the same two campaigns may deadlock on the campaign rows;
   * PostgreSQL then aborts one statement, which changed nothing and is simply run again.
   */
  async function writeWithRetry(input: ProgressWrite): Promise<ProgressWritten> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await deps.deliveries.writeProgress(deps.db, input);
      } catch (error) {
        if (attempt >= maxWriteAttempts || !isConflict(error)) throw error;
      }
    }
  }

  async function writeOnce(): Promise<void> {
    const takenClaims = claims;
    const takenOutcomes = outcomes;
    claims = [];
    outcomes = [];
    let written: ProgressWritten;
    try {
      written = await writeWithRetry({
        outcomes: takenOutcomes.map((item) => item.outcome),
        claims: takenClaims.map(({ deliveryId, campaignId }) => ({ deliveryId, campaignId })),
      });
    } catch (error) {
      for (const item of takenClaims) item.waiter.reject(error);
      for (const item of takenOutcomes) item.waiter.reject(error);
      return;
    }
    for (const item of takenClaims) {
      // Two requests for one row in one write (two attempts of a batch in this process): the
      // row goes to the first only.
      const isClaimed = written.claimed.delete(item.deliveryId);
      item.waiter.resolve({ isClaimed, campaign: written.campaigns.get(item.campaignId) });
    }
    for (const item of takenOutcomes) item.waiter.resolve(written.campaigns.get(item.campaignId));
  }

  /** Starts a write unless one is in flight: that one writes what came meanwhile next. */
  function schedule(): void {
    if (writing) return;
    writing = (async () => {
      // Requests made in the same tick as this one (an outcome and the next claim) join it.
      await Promise.resolve();
      while (claims.length > 0 || outcomes.length > 0) await writeOnce();
      writing = undefined;
    })();
  }

  return {
    /**
     * Claims one queued row (`queued` → `sending`). `isClaimed` is false when the row is no
     * longer queued (another attempt holds or finished it) or its campaign is not sending.
     */
    claim(campaignId: number, deliveryId: number): Promise<ClaimResult> {
      return new Promise((resolve, reject) => {
        claims.push({ deliveryId, campaignId, waiter: { resolve, reject } });
        schedule();
      });
    },

    /**
     * Writes the outcome of a claimed row and adds it to its campaign's counts. Resolves with the
     * campaign's status and counts after the write.
     */
    record(campaignId: number, outcome: DeliveryOutcome): Promise<CampaignTotals | undefined> {
      return new Promise((resolve, reject) => {
        outcomes.push({ campaignId, outcome, waiter: { resolve, reject } });
        schedule();
      });
    },
  };
}

/** See {@link createProgressWriter}. */
export type ProgressWriter = ReturnType<typeof createProgressWriter>;
