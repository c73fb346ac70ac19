import { createHash } from 'node:crypto';

import type { Clock, Logger } from '../lib/index.ts';
import { hashEmail, tryNormalizeEmail } from '../subscribers/index.ts';
import {
  candidateReturnPaths,
  parseCampaignMessageId,
  referencedMessageIds,
  storableText,
  topHeaders,
} from './attribution.ts';
import { type BounceKind, classifyStatus } from './classify-status.ts';
import { createMicroBatcher } from './micro-batcher.ts';
import { type BouncedRecipient, type InboundMessage, parseInbound } from './parse-inbound.ts';
import type {
  BounceStore,
  BounceTransaction,
  DeliveryBounceMark,
  DeliveryRef,
  MatchedBy,
  NewBounceEvent,
  RecipientActions,
} from './ports.ts';
import type { ProviderEvent } from './provider-event.ts';
import type { VerpAddresses } from './verp.ts';

/** Options of {@link createBounceService}. */
export interface BounceServiceOptions {
  /** BOUNCE_SOFT_LIMIT: soft bounces (of distinct deliveries) that suppress. @defaultValue 3 */
  softLimit: number;
  /** BOUNCE_SOFT_WINDOW_DAYS: days over which they are counted. @defaultValue 30 */
  softWindowDays: number;
  /** UNSUBSCRIBE_MAILTO, the mailbox of `mailto:` unsubscribes. */
  unsubscribeMailto?: string | undefined;
}

/** How messages are grouped into one transaction (see {@link createMicroBatcher}). */
export interface BounceBatchOptions {
  /** Most messages per transaction. @defaultValue 64 */
  maxSize: number;
  /** How long a message waits for others when nothing is being processed. @defaultValue 2 */
  maxWaitMs: number;
}

/** Dependencies of {@link createBounceService}. */
export interface BounceServiceDeps {
  /** The readings, and the transaction in which events and effects are written. */
  store: BounceStore;
  /** The VERP addresses of BOUNCE_ADDRESS; without it only Message-IDs attribute. */
  verp?: VerpAddresses | undefined;
  clock: Clock;
  logger: Logger;
  options: BounceServiceOptions;
  batch?: BounceBatchOptions | undefined;
}

/** One inbound message to process. */
export interface InboundInput {
  raw: Buffer;
  /** `smtp`, `file`… recorded with the event. */
  source: string;
  /** RCPT TO addresses of the SMTP session, where the VERP token is. */
  envelopeRecipients?: readonly string[];
}

/** What processing one message did. */
export interface ProcessResult {
  type: InboundMessage['type'];
  /**
   * `applied`: attributed and acted on; `duplicate`: processed before, nothing changed;
   * `forged`: a VERP token with a wrong signature, ignored; `unattributed`: no delivery found,
   * recorded only; `ignored`: an auto-reply; `kept`: unclassified, kept for an operator.
   */
  outcome: 'applied' | 'duplicate' | 'forged' | 'unattributed' | 'ignored' | 'kept';
  deliveryId: number | null;
  matchedBy: MatchedBy;
  /** What changed, e.g. `suppressed hard_bounce`, `unsubscribed adn`. */
  effects: string[];
}

/** A campaign's message key and a subscriber: what a Dépêche Message-ID names. */
interface MessageKeyPair {
  messageKey: string;
  subscriberId: number;
}

/** A message or provider event ready for its batch: parsed, with what may attribute it. */
type Item =
  | {
      from: 'message';
      input: InboundInput;
      sha: string;
      message: InboundMessage;
      /** Delivery ids of valid VERP tokens, most trusted address first. */
      verpIds: number[];
      /** A VERP token with a wrong signature was among the addresses. */
      isForged: boolean;
      /** Message-IDs naming a delivery (the returned one; an unsubscribe's references). */
      pairs: MessageKeyPair[];
    }
  | { from: 'event'; event: ProviderEvent; pairs: MessageKeyPair[] };

/** `target`: the delivery found, or (an authenticated provider's event) only the address. */
type Target = Pick<DeliveryRef, 'email'> & { deliveryId: number | null };

/** What a message does once recorded, decided before the transaction. */
type Effect =
  | {
      kind: 'bounce';
      target: Target;
      bounced: Pick<BouncedRecipient, 'kind' | 'status' | 'diagnostic'>;
    }
  | { kind: 'complaint'; target: Target }
  | { kind: 'unsubscribe'; email: string; newsletterId: string | 'all' };

/** One item's events, effect and result, before the transaction. */
interface Plan {
  events: NewBounceEvent[];
  effect: Effect | undefined;
  result: ProcessResult;
  source: string;
  logMessage: string;
}

const classOrder: Record<BounceKind, number> = { hard: 3, policy: 2, soft: 1, unknown: 0 };
const dayMs = 24 * 60 * 60 * 1000;
const pairKey = (pair: MessageKeyPair) => `${pair.messageKey}:${pair.subscriberId}`;

const domainOf = (email: string | null | undefined) =>
  email?.includes('@') ? (email.split('@').pop() ?? '').toLowerCase() : null;
const hashOf = (email: string | null | undefined) => {
  const normalized = email ? tryNormalizeEmail(email) : undefined;
  return normalized === undefined ? null : hashEmail(normalized);
};

/** The recipient block of a report that decides: failed before delayed, then the worst class. */
function decisive(list: BouncedRecipient[]): BouncedRecipient | undefined {
  return [...list].sort(
    (a, b) =>
      Number(b.action === 'failed') - Number(a.action === 'failed') ||
      classOrder[b.kind] - classOrder[a.kind],
  )[0];
}

const duplicateOf = (type: ProcessResult['type']): ProcessResult => ({
  type,
  outcome: 'duplicate',
  deliveryId: null,
  matchedBy: 'none',
  effects: [],
});

/**
 * Processing of what comes back: reads an inbound message ({@link parseInbound}), attributes it
 * to its delivery — by the VERP token of the address it was sent to, then by the returned
 * Message-ID — and applies its effects: a hard bounce suppresses the address; soft bounces
 * suppress after `softLimit` within `softWindowDays`; a 5.7.x policy block is only recorded
 * (counted per receiving domain); a complaint unsubscribes the person from every newsletter and
 * suppresses the address; a `mailto:` unsubscribe unsubscribes from the newsletter it answers
 * (every newsletter when it cannot tell). A bounce that names no delivery, or a forged token,
 * is recorded and acts on nobody: a bounce address receives mail from anyone.
 *
 * Every message leaves an event in `bounce_events`, written in the same transaction as its
 * effects and before them: the event's fingerprint (the raw bytes' sha256, a provider's event
 * id) is what decides whether the effects apply, so a message processed again — after a
 * success, or after a failure that rolled everything back — changes nothing twice. Messages
 * arriving together share a transaction and its set-based statements ({@link BounceBatchOptions});
 * `process` resolves once that transaction is committed.
 */
export function createBounceService(deps: BounceServiceDeps) {
  const log = deps.logger.child({ component: 'bounces' });
  const { store, options } = deps;

  /** The parsing and what may attribute, without the database. */
  async function prepareMessage(input: InboundInput): Promise<Item> {
    const sha = createHash('sha256').update(input.raw).digest('hex');
    const message = await parseInbound(input.raw, options.unsubscribeMailto);
    const verpIds: number[] = [];
    let isForged = false;
    const pairs: MessageKeyPair[] = [];
    if (message.type === 'bounce' || message.type === 'complaint') {
      if (deps.verp) {
        const addresses = candidateReturnPaths(
          topHeaders(input.raw),
          input.envelopeRecipients ?? [],
          message.returned.returnPath,
        );
        for (const address of addresses) {
          const match = deps.verp.match(address);
          if (match.kind === 'forged') isForged = true;
          if (match.kind === 'delivery') verpIds.push(match.deliveryId);
        }
      }
      const byId = message.returned.messageId
        ? parseCampaignMessageId(message.returned.messageId)
        : undefined;
      if (byId) pairs.push(byId);
    } else if (message.type === 'unsubscribe') {
      for (const id of referencedMessageIds(topHeaders(input.raw))) {
        const parsed = parseCampaignMessageId(id);
        if (parsed) pairs.push(parsed);
      }
    }
    return { from: 'message', input, sha, message, verpIds, isForged, pairs };
  }

  /** The deliveries the batch's tokens and Message-IDs name, in two readings at most. */
  async function lookUp(items: Item[]) {
    const verpIds = [...new Set(items.flatMap((i) => (i.from === 'message' ? i.verpIds : [])))];
    const byId = new Map(
      (verpIds.length > 0 ? await store.findDeliveries(verpIds) : []).map((r) => [r.deliveryId, r]),
    );
    const verpRefOf = (item: Item) =>
      item.from === 'message'
        ? item.verpIds.map((id) => byId.get(id)).find((r) => r !== undefined)
        : undefined;
    const wanted = new Map<string, MessageKeyPair>();
    for (const item of items) {
      if (verpRefOf(item) || (item.from === 'message' && item.isForged)) continue;
      for (const pair of item.pairs) wanted.set(pairKey(pair), pair);
    }
    const byPair = new Map(
      (wanted.size > 0 ? await store.findDeliveriesByMessageKey([...wanted.values()]) : []).map(
        (r) => [pairKey({ messageKey: r.messageKey, subscriberId: r.subscriberId ?? 0 }), r],
      ),
    );
    const pairRefOf = (item: Item): DeliveryRef | undefined =>
      item.pairs.map((pair) => byPair.get(pairKey(pair))).find((r) => r !== undefined);
    return { verpRefOf, pairRefOf };
  }

  function planEvent(event: ProviderEvent, ref: DeliveryRef | undefined, now: Date): Plan {
    const type = event.kind;
    const email = ref?.email ?? (event.email ? tryNormalizeEmail(event.email) : undefined) ?? null;
    const matchedBy: MatchedBy = ref ? 'message-id' : email ? 'address' : 'none';
    const target = { deliveryId: ref?.deliveryId ?? null, email };
    const kind: BounceKind =
      event.status !== undefined && classifyStatus(event.status) !== 'unknown'
        ? classifyStatus(event.status)
        : (event.class ?? 'unknown');
    return {
      events: [
        {
          fingerprint: `${event.fingerprint}:0`,
          deliveryId: ref?.deliveryId ?? null,
          campaignId: ref?.campaignId ?? null,
          emailHash: hashOf(email),
          recipientDomain: domainOf(email),
          kind: type,
          class: type === 'bounce' ? kind : null,
          statusCode: storableText(event.status, 20),
          diagnostic: storableText(event.diagnostic, 1000),
          source: event.source,
          matchedBy,
          rawSize: 0,
          rawExcerpt: null,
          receivedAt: now,
        },
      ],
      effect:
        email === null
          ? undefined
          : type === 'complaint'
            ? { kind: 'complaint', target }
            : {
                kind: 'bounce',
                target,
                bounced: { kind, status: event.status, diagnostic: event.diagnostic },
              },
      result: {
        type,
        outcome: email === null ? 'unattributed' : 'applied',
        deliveryId: ref?.deliveryId ?? null,
        matchedBy,
        effects: [],
      },
      source: event.source,
      logMessage: 'provider event processed',
    };
  }

  function planMessage(
    item: Extract<Item, { from: 'message' }>,
    refs: { verp: DeliveryRef | undefined; byId: DeliveryRef | undefined },
    now: Date,
  ): Plan {
    const { input, sha, message } = item;
    const first = `${sha}:0`;
    const event = (
      fields: Partial<NewBounceEvent> & Pick<NewBounceEvent, 'kind'>,
    ): NewBounceEvent => ({
      fingerprint: first,
      deliveryId: null,
      campaignId: null,
      emailHash: null,
      recipientDomain: null,
      class: null,
      statusCode: null,
      diagnostic: null,
      matchedBy: 'none',
      source: input.source,
      rawSize: input.raw.length,
      receivedAt: now,
      rawExcerpt: null,
      ...fields,
    });
    const plan = (
      events: NewBounceEvent[],
      result: Omit<ProcessResult, 'type' | 'effects'>,
      effect?: Effect,
    ): Plan => ({
      events,
      effect,
      result: { type: message.type, ...result, effects: [] },
      source: input.source,
      logMessage: 'inbound message processed',
    });
    const none = { deliveryId: null, matchedBy: 'none' } as const;

    switch (message.type) {
      case 'auto-reply':
        return plan([event({ kind: 'auto-reply' })], { outcome: 'ignored', ...none });
      case 'unclassified':
        return plan(
          [
            event({
              kind: 'unclassified',
              diagnostic: message.reason,
              rawExcerpt: storableText(input.raw.subarray(0, 2048).toString('utf8'), 4096),
            }),
          ],
          { outcome: 'kept', ...none },
        );
      case 'unsubscribe': {
        const from = message.from;
        const isValid = from !== undefined && tryNormalizeEmail(from) !== undefined;
        // only the newsletter of a message this very address received; otherwise all of them
        const ref =
          isValid && refs.byId?.email?.toLowerCase() === from.toLowerCase() ? refs.byId : undefined;
        const matchedBy: MatchedBy = ref ? 'message-id' : from ? 'address' : 'none';
        return plan(
          [
            event({
              kind: 'unsubscribe',
              deliveryId: ref?.deliveryId ?? null,
              campaignId: ref?.campaignId ?? null,
              emailHash: hashOf(from),
              recipientDomain: domainOf(from),
              matchedBy,
            }),
          ],
          // 'applied' once the transaction unsubscribed someone
          { outcome: 'unattributed', deliveryId: ref?.deliveryId ?? null, matchedBy },
          isValid
            ? { kind: 'unsubscribe', email: from, newsletterId: ref ? ref.newsletterId : 'all' }
            : undefined,
        );
      }
      case 'bounce':
      case 'complaint': {
        const found = refs.verp
          ? { ref: refs.verp, matchedBy: 'verp' as const }
          : refs.byId && !item.isForged
            ? { ref: refs.byId, matchedBy: 'message-id' as const }
            : undefined;
        if (!found) {
          const isForged = item.isForged;
          const reported: Array<{ email: string | undefined; bounced?: BouncedRecipient }> =
            message.type === 'bounce'
              ? message.recipients.map((r) => ({ email: r.email, bounced: r }))
              : [{ email: message.email }];
          if (isForged) {
            log.warn({ source: input.source, event: 'bounces.forged' }, 'forged bounce ignored');
          }
          const matchedBy: MatchedBy = isForged ? 'forged' : 'none';
          return plan(
            reported.map(({ email, bounced }, index) =>
              event({
                fingerprint: `${sha}:${index}`,
                kind: message.type,
                emailHash: hashOf(email),
                recipientDomain: domainOf(email),
                class: bounced?.kind ?? null,
                statusCode: storableText(bounced?.status, 20),
                diagnostic: storableText(bounced?.diagnostic, 1000),
                matchedBy,
              }),
            ),
            { outcome: isForged ? 'forged' : 'unattributed', deliveryId: null, matchedBy },
          );
        }
        const { ref, matchedBy } = found;
        const bounced = message.type === 'bounce' ? decisive(message.recipients) : undefined;
        const email = ref.email ?? (message.type === 'complaint' ? message.email : bounced?.email);
        return plan(
          [
            event({
              kind: message.type,
              deliveryId: ref.deliveryId,
              campaignId: ref.campaignId,
              emailHash: hashOf(email),
              recipientDomain: domainOf(email),
              class: bounced?.kind ?? null,
              statusCode: storableText(bounced?.status, 20),
              diagnostic: storableText(bounced?.diagnostic, 1000),
              matchedBy,
            }),
          ],
          { outcome: 'applied', deliveryId: ref.deliveryId, matchedBy },
          message.type === 'complaint'
            ? { kind: 'complaint', target: ref }
            : bounced
              ? { kind: 'bounce', target: ref, bounced }
              : undefined,
        );
      }
    }
  }

  /**
   * The batch's transaction: the soft bounces counted so far, every event recorded, then the
   * effects of those newly recorded — several marks, suppressions and consent events in one
   * statement each. Nothing of it stays if any of it fails.
   */
  async function apply(tx: BounceTransaction, plans: Plan[], now: Date): Promise<ProcessResult[]> {
    const since = new Date(now.getTime() - options.softWindowDays * dayMs);
    // soft bounces recorded before this batch, read before its own events are
    const softBefore = new Map<string, Set<string>>();
    for (const plan of plans) {
      const effect = plan.effect;
      if (effect?.kind !== 'bounce' || effect.bounced.kind !== 'soft') continue;
      const emailHash = hashOf(effect.target.email);
      if (emailHash === null || softBefore.has(emailHash)) continue;
      const found = await tx.softBouncedDeliveries(emailHash, since);
      softBefore.set(emailHash, new Set(found.map(String)));
    }
    const recorded = await tx.recordEvents(plans.flatMap((p) => p.events));
    const claimed = new Set<string>();
    const softInBatch = new Map<string, Set<string>>();
    const marks = new Map<number, DeliveryBounceMark>();
    const mark = (deliveryId: number | null, next: DeliveryBounceMark) => {
      if (deliveryId === null) return;
      const current = marks.get(deliveryId);
      // a complaint is never replaced by a later bounce of the same message
      if (current?.type === 'complaint' && next.type === 'bounce') return;
      marks.set(deliveryId, next);
    };
    const suppressions: Parameters<RecipientActions['suppress']>[0][number][] = [];
    const results: ProcessResult[] = [];

    for (const [index, plan] of plans.entries()) {
      const first = plan.events[0]?.fingerprint;
      const isNew = first === undefined || (recorded.has(first) && !claimed.has(first));
      if (first !== undefined) claimed.add(first);
      if (!isNew) {
        results.push(duplicateOf(plan.result.type));
        continue;
      }
      const effects: string[] = [];
      const effect = plan.effect;
      if (effect?.kind === 'bounce') {
        const { target, bounced } = effect;
        mark(target.deliveryId, {
          type: 'bounce',
          class: bounced.kind,
          status: bounced.status ?? null,
          diagnostic: storableText(bounced.diagnostic, 500),
          at: now,
        });
        const emailHash = hashOf(target.email);
        const detail = storableText(
          [bounced.status, bounced.diagnostic].filter(Boolean).join(' '),
          500,
        );
        if (target.email !== null && emailHash !== null && bounced.kind === 'hard') {
          suppressions.push({ email: target.email, reason: 'hard_bounce', detail });
          effects.push('suppressed hard_bounce');
        } else if (target.email !== null && emailHash !== null && bounced.kind === 'soft') {
          // this batch's earlier soft bounces of the address count as recorded before
          const seen = new Set([
            ...(softBefore.get(emailHash) ?? []),
            ...(softInBatch.get(emailHash) ?? []),
          ]);
          seen.delete(String(target.deliveryId ?? 0));
          const count = seen.size + 1;
          if (count >= options.softLimit) {
            suppressions.push({
              email: target.email,
              reason: 'soft_bounce',
              detail:
                `${count} soft bounces in ${options.softWindowDays} days; last: ${detail ?? '?'}`.slice(
                  0,
                  500,
                ),
            });
            effects.push('suppressed soft_bounce');
          }
        }
      } else if (effect?.kind === 'complaint') {
        mark(effect.target.deliveryId, {
          type: 'complaint',
          class: null,
          status: null,
          diagnostic: 'feedback report (spam complaint)',
          at: now,
        });
        if (effect.target.email !== null) {
          const left = await tx.recipients.unsubscribe(effect.target.email, 'all', 'complaint');
          suppressions.push({
            email: effect.target.email,
            reason: 'complaint',
            detail: 'feedback report (spam complaint)',
          });
          effects.push(...left.map((id) => `unsubscribed ${id}`), 'suppressed complaint');
        }
      } else if (effect?.kind === 'unsubscribe') {
        const left = await tx.recipients.unsubscribe(effect.email, effect.newsletterId, 'mailto');
        effects.push(...left.map((id) => `unsubscribed ${id}`));
      }
      plan.events.forEach((e, n) => {
        if (e.kind !== 'bounce' || e.class !== 'soft' || e.emailHash === null) return;
        const keys = softInBatch.get(e.emailHash) ?? new Set<string>();
        keys.add(e.deliveryId === null ? `batch.${index}.${n}` : String(e.deliveryId));
        softInBatch.set(e.emailHash, keys);
      });
      const result = { ...plan.result, effects };
      if (effect?.kind === 'unsubscribe' && effects.length > 0) result.outcome = 'applied';
      results.push(result);
    }
    if (suppressions.length > 0) await tx.recipients.suppress(suppressions);
    if (marks.size > 0) {
      await tx.markDeliveries([...marks].map(([deliveryId, m]) => ({ deliveryId, mark: m })));
    }
    return results;
  }

  async function runBatch(items: Item[]): Promise<ProcessResult[]> {
    const { verpRefOf, pairRefOf } = await lookUp(items);
    const now = deps.clock.now();
    const plans = items.map((item) =>
      item.from === 'event'
        ? planEvent(item.event, pairRefOf(item), now)
        : planMessage(item, { verp: verpRefOf(item), byId: pairRefOf(item) }, now),
    );
    const results = await store.transaction((tx) => apply(tx, plans, now));
    results.forEach((result, index) => {
      const plan = plans[index] as Plan;
      log.info(
        {
          type: result.type,
          outcome: result.outcome,
          deliveryId: result.deliveryId,
          matchedBy: result.matchedBy,
          effects: result.effects.length,
          source: plan.source,
        },
        plan.logMessage,
      );
    });
    return results;
  }

  const batcher = createMicroBatcher<Item, ProcessResult>({
    maxSize: deps.batch?.maxSize ?? 64,
    maxWaitMs: deps.batch?.maxWaitMs ?? 2,
    run: runBatch,
  });

  return {
    /**
     * Processes one event of a provider's webhook (signature already checked): attributed by the
     * Message-ID it echoes, otherwise by its address (the provider is authenticated), with the
     * same effects as a message; the same event twice changes nothing more.
     */
    processEvent(event: ProviderEvent): Promise<ProcessResult> {
      const byId = event.messageId ? parseCampaignMessageId(event.messageId) : undefined;
      return batcher.add({ from: 'event', event, pairs: byId ? [byId] : [] });
    },

    /**
     * Processes one inbound message; see {@link createBounceService}. Never throws on its
     * content; rejects when the database fails, and then nothing of it is recorded.
     */
    async process(input: InboundInput): Promise<ProcessResult> {
      return batcher.add(await prepareMessage(input));
    },
  };
}

/** See {@link createBounceService}. */
export type BounceService = ReturnType<typeof createBounceService>;
