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
import { type BouncedRecipient, type InboundMessage, parseInbound } from './parse-inbound.ts';
import type {
  BounceStore,
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

/** Dependencies of {@link createBounceService}. */
export interface BounceServiceDeps {
  store: BounceStore;
  recipients: RecipientActions;
  /** The VERP addresses of BOUNCE_ADDRESS; without it only Message-IDs attribute. */
  verp?: VerpAddresses | undefined;
  clock: Clock;
  logger: Logger;
  options: BounceServiceOptions;
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

type Attribution =
  | { kind: 'delivery'; ref: DeliveryRef; matchedBy: 'verp' | 'message-id' }
  | { kind: 'forged' }
  | { kind: 'none' };

const classOrder: Record<BounceKind, number> = { hard: 3, policy: 2, soft: 1, unknown: 0 };
const dayMs = 24 * 60 * 60 * 1000;

const domainOf = (email: string | null | undefined) =>
  email?.includes('@') ? (email.split('@').pop() ?? '').toLowerCase() : null;
const hashOf = (email: string | null | undefined) => {
  const normalized = email ? tryNormalizeEmail(email) : undefined;
  return normalized === undefined ? null : hashEmail(normalized);
};

/**
 * Processing of what comes back: reads an inbound message ({@link parseInbound}), attributes it
 * to its delivery — by the VERP token of the address it was sent to, then by the returned
 * Message-ID — and applies its effects: a hard bounce suppresses the address; soft bounces
 * suppress after `softLimit` within `softWindowDays`; a 5.7.x policy block is only recorded
 * (counted per receiving domain); a complaint unsubscribes the person from every newsletter and
 * suppresses the address; a `mailto:` unsubscribe unsubscribes from the newsletter it answers
 * (every newsletter when it cannot tell). Every message leaves an event in `bounce_events`; one
 * processed before (same bytes) changes nothing more. A bounce that names no delivery, or a
 * forged token, is recorded and acts on nobody: a bounce address receives mail from anyone.
 */
export function createBounceService(deps: BounceServiceDeps) {
  const log = deps.logger.child({ component: 'bounces' });
  const { store, recipients, options } = deps;

  async function attribute(
    message: Extract<InboundMessage, { type: 'bounce' | 'complaint' }>,
    raw: Buffer,
    envelopeRecipients: readonly string[],
  ): Promise<Attribution> {
    let isForged = false;
    if (deps.verp) {
      const addresses = candidateReturnPaths(
        topHeaders(raw),
        envelopeRecipients,
        message.returned.returnPath,
      );
      for (const address of addresses) {
        const match = deps.verp.match(address);
        if (match.kind === 'forged') isForged = true;
        if (match.kind !== 'delivery') continue;
        const ref = await store.findDelivery(match.deliveryId);
        if (ref) return { kind: 'delivery', ref, matchedBy: 'verp' };
      }
    }
    const byId = message.returned.messageId
      ? parseCampaignMessageId(message.returned.messageId)
      : undefined;
    if (byId && !isForged) {
      const ref = await store.findDeliveryByMessageKey(byId.messageKey, byId.subscriberId);
      if (ref) return { kind: 'delivery', ref, matchedBy: 'message-id' };
    }
    return isForged ? { kind: 'forged' } : { kind: 'none' };
  }

  /** The recipient block of a report that decides: failed before delayed, then the worst class. */
  function decisive(list: BouncedRecipient[]): BouncedRecipient | undefined {
    return [...list].sort(
      (a, b) =>
        Number(b.action === 'failed') - Number(a.action === 'failed') ||
        classOrder[b.kind] - classOrder[a.kind],
    )[0];
  }

  /** `target`: the delivery found, or (an authenticated provider's event) only the address. */
  type Target = Pick<DeliveryRef, 'email'> & { deliveryId: number | null };

  async function applyBounce(
    ref: Target,
    bounced: Pick<BouncedRecipient, 'kind' | 'status' | 'diagnostic'>,
    now: Date,
  ): Promise<string[]> {
    const effects: string[] = [];
    if (ref.deliveryId !== null)
      await store.markDelivery(ref.deliveryId, {
        type: 'bounce',
        class: bounced.kind,
        status: bounced.status ?? null,
        diagnostic: storableText(bounced.diagnostic, 500),
        at: now,
      });
    const email = ref.email;
    const emailHash = hashOf(email);
    if (email === null || emailHash === null) return effects;
    const detail = storableText(
      [bounced.status, bounced.diagnostic].filter(Boolean).join(' '),
      500,
    );
    if (bounced.kind === 'hard') {
      await recipients.suppress(email, 'hard_bounce', detail);
      effects.push('suppressed hard_bounce');
    } else if (bounced.kind === 'soft') {
      const since = new Date(now.getTime() - options.softWindowDays * dayMs);
      const earlier = await store.countSoftBounces(emailHash, since, ref.deliveryId ?? 0);
      if (earlier + 1 >= options.softLimit) {
        await recipients.suppress(
          email,
          'soft_bounce',
          `${earlier + 1} soft bounces in ${options.softWindowDays} days; last: ${detail ?? '?'}`.slice(
            0,
            500,
          ),
        );
        effects.push('suppressed soft_bounce');
      }
    }
    return effects;
  }

  async function applyComplaint(ref: Target, now: Date): Promise<string[]> {
    if (ref.deliveryId !== null)
      await store.markDelivery(ref.deliveryId, {
        type: 'complaint',
        class: null,
        status: null,
        diagnostic: 'feedback report (spam complaint)',
        at: now,
      });
    if (ref.email === null) return [];
    const left = await recipients.unsubscribe(ref.email, 'all', 'complaint');
    await recipients.suppress(ref.email, 'complaint', 'feedback report (spam complaint)');
    return [...left.map((id) => `unsubscribed ${id}`), 'suppressed complaint'];
  }

  async function processUnsubscribe(
    from: string | undefined,
    raw: Buffer,
  ): Promise<{ ref: DeliveryRef | undefined; effects: string[] }> {
    if (from === undefined || tryNormalizeEmail(from) === undefined) {
      return { ref: undefined, effects: [] };
    }
    let ref: DeliveryRef | undefined;
    for (const id of referencedMessageIds(topHeaders(raw))) {
      const parsed = parseCampaignMessageId(id);
      if (!parsed) continue;
      ref = await store.findDeliveryByMessageKey(parsed.messageKey, parsed.subscriberId);
      if (ref) break;
    }
    // only the newsletter of a message this very address received; otherwise all of them
    const isOwn = ref?.email?.toLowerCase() === from.toLowerCase();
    const left = await recipients.unsubscribe(
      from,
      isOwn && ref ? ref.newsletterId : 'all',
      'mailto',
    );
    return { ref: isOwn ? ref : undefined, effects: left.map((id) => `unsubscribed ${id}`) };
  }

  return {
    /**
     * Processes one event of a provider's webhook (signature already checked): attributed by the
     * Message-ID it echoes, otherwise by its address (the provider is authenticated), with the
     * same effects as a message; the same event twice changes nothing more.
     */
    async processEvent(event: ProviderEvent): Promise<ProcessResult> {
      const fingerprint = `${event.fingerprint}:0`;
      const type = event.kind;
      if (await store.isProcessed(fingerprint)) {
        return { type, outcome: 'duplicate', deliveryId: null, matchedBy: 'none', effects: [] };
      }
      const now = deps.clock.now();
      const byId = event.messageId ? parseCampaignMessageId(event.messageId) : undefined;
      const ref = byId
        ? await store.findDeliveryByMessageKey(byId.messageKey, byId.subscriberId)
        : undefined;
      const email =
        ref?.email ?? (event.email ? tryNormalizeEmail(event.email) : undefined) ?? null;
      const matchedBy: MatchedBy = ref ? 'message-id' : email ? 'address' : 'none';
      const target = { deliveryId: ref?.deliveryId ?? null, email };
      const kind: BounceKind =
        event.status !== undefined && classifyStatus(event.status) !== 'unknown'
          ? classifyStatus(event.status)
          : (event.class ?? 'unknown');
      const effects =
        email === null
          ? []
          : type === 'complaint'
            ? await applyComplaint(target, now)
            : await applyBounce(
                target,
                { kind, status: event.status, diagnostic: event.diagnostic },
                now,
              );
      await store.recordEvents([
        {
          fingerprint,
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
      ]);
      const result: ProcessResult = {
        type,
        outcome: email === null ? 'unattributed' : 'applied',
        deliveryId: ref?.deliveryId ?? null,
        matchedBy,
        effects,
      };
      log.info(
        { ...result, effects: effects.length, source: event.source },
        'provider event processed',
      );
      return result;
    },

    /** Processes one inbound message; see {@link createBounceService}. Never throws on its content. */
    async process(input: InboundInput): Promise<ProcessResult> {
      const sha = createHash('sha256').update(input.raw).digest('hex');
      const first = `${sha}:0`;
      const message = await parseInbound(input.raw, options.unsubscribeMailto);
      if (await store.isProcessed(first)) {
        return {
          type: message.type,
          outcome: 'duplicate',
          deliveryId: null,
          matchedBy: 'none',
          effects: [],
        };
      }
      const now = deps.clock.now();
      const base = {
        source: input.source,
        rawSize: input.raw.length,
        receivedAt: now,
        rawExcerpt: null,
      };
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
        ...base,
        ...fields,
      });
      let result: ProcessResult;
      const events: NewBounceEvent[] = [];

      switch (message.type) {
        case 'auto-reply':
          events.push(event({ kind: 'auto-reply' }));
          result = {
            type: message.type,
            outcome: 'ignored',
            deliveryId: null,
            matchedBy: 'none',
            effects: [],
          };
          break;
        case 'unclassified':
          events.push(
            event({
              kind: 'unclassified',
              diagnostic: message.reason,
              rawExcerpt: storableText(input.raw.subarray(0, 2048).toString('utf8'), 4096),
            }),
          );
          result = {
            type: message.type,
            outcome: 'kept',
            deliveryId: null,
            matchedBy: 'none',
            effects: [],
          };
          break;
        case 'unsubscribe': {
          const { ref, effects } = await processUnsubscribe(message.from, input.raw);
          const matchedBy: MatchedBy = ref ? 'message-id' : message.from ? 'address' : 'none';
          events.push(
            event({
              kind: 'unsubscribe',
              deliveryId: ref?.deliveryId ?? null,
              campaignId: ref?.campaignId ?? null,
              emailHash: hashOf(message.from),
              recipientDomain: domainOf(message.from),
              matchedBy,
            }),
          );
          result = {
            type: message.type,
            outcome: effects.length > 0 ? 'applied' : 'unattributed',
            deliveryId: ref?.deliveryId ?? null,
            matchedBy,
            effects,
          };
          break;
        }
        case 'bounce':
        case 'complaint': {
          const found = await attribute(message, input.raw, input.envelopeRecipients ?? []);
          if (found.kind !== 'delivery') {
            const reported =
              message.type === 'bounce' ? message.recipients : [{ email: message.email }];
            reported.forEach((recipient, index) => {
              const bounced = 'kind' in recipient ? (recipient as BouncedRecipient) : undefined;
              events.push(
                event({
                  fingerprint: `${sha}:${index}`,
                  kind: message.type,
                  emailHash: hashOf(recipient.email),
                  recipientDomain: domainOf(recipient.email),
                  class: bounced?.kind ?? null,
                  statusCode: storableText(bounced?.status, 20),
                  diagnostic: storableText(bounced?.diagnostic, 1000),
                  matchedBy: found.kind === 'forged' ? 'forged' : 'none',
                }),
              );
            });
            if (found.kind === 'forged') {
              log.warn({ source: input.source, event: 'bounces.forged' }, 'forged bounce ignored');
            }
            result = {
              type: message.type,
              outcome: found.kind === 'forged' ? 'forged' : 'unattributed',
              deliveryId: null,
              matchedBy: found.kind === 'forged' ? 'forged' : 'none',
              effects: [],
            };
            break;
          }
          const { ref, matchedBy } = found;
          const bounced = message.type === 'bounce' ? decisive(message.recipients) : undefined;
          const effects =
            message.type === 'complaint'
              ? await applyComplaint(ref, now)
              : bounced
                ? await applyBounce(ref, bounced, now)
                : [];
          const email =
            ref.email ?? (message.type === 'complaint' ? message.email : bounced?.email);
          events.push(
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
          );
          result = {
            type: message.type,
            outcome: 'applied',
            deliveryId: ref.deliveryId,
            matchedBy,
            effects,
          };
          break;
        }
      }
      await store.recordEvents(events);
      log.info(
        {
          type: result.type,
          outcome: result.outcome,
          deliveryId: result.deliveryId,
          matchedBy: result.matchedBy,
          effects: result.effects.length,
          source: input.source,
        },
        'inbound message processed',
      );
      return result;
    },
  };
}

/** See {@link createBounceService}. */
export type BounceService = ReturnType<typeof createBounceService>;
