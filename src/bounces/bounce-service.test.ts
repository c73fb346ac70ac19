import { describe, expect, it } from 'vitest';

import { createSilentLogger, fixedClock } from '../lib/index.ts';
import { createBounceService } from './bounce-service.ts';
import type {
  BounceStore,
  BounceTransaction,
  DeliveryBounceMark,
  DeliveryRef,
  NewBounceEvent,
} from './ports.ts';
import { createVerpAddresses } from './verp.ts';

const verp = createVerpAddresses({
  bounceAddress: 'bounces@news.example.org',
  secrets: ['unit-test-secret-0123456789-abcdefghijkl'],
});
const messageKey = '0c4f9e2a7b1d3e5f6a8b';
const delivery: DeliveryRef = {
  deliveryId: 7,
  campaignId: 3,
  newsletterId: 'adn',
  subscriberId: 42,
  email: 'marie.dupont@univ.example.org',
};

/** Another campaign's delivery to the same address. */
const laterDelivery: DeliveryRef = { ...delivery, deliveryId: 8, campaignId: 4 };

/** A Postfix-style report of `status` for the delivery, to its VERP address. */
function dsn(status: string, n = 1, deliveryId = delivery.deliveryId): Buffer {
  const returnPath = verp.returnPathFor(deliveryId);
  return Buffer.from(
    [
      'From: MAILER-DAEMON@mx.example.org (Mail Delivery System)',
      'Subject: Undelivered Mail Returned to Sender',
      `To: ${returnPath}`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="B"',
      `Message-Id: <dsn.${n}@mx.example.org>`,
      '',
      '--B',
      'Content-Type: text/plain',
      '',
      'Your message could not be delivered.',
      '--B',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.example.org',
      '',
      `Final-Recipient: rfc822; ${delivery.email}`,
      status.startsWith('5') ? 'Action: failed' : 'Action: delayed',
      `Status: ${status}`,
      `Diagnostic-Code: smtp; ${status.startsWith('5') ? 550 : 450} ${status} mailbox trouble`,
      '',
      '--B',
      'Content-Type: text/rfc822-headers',
      '',
      `Return-Path: <${returnPath}>`,
      `Message-ID: <${messageKey}.s${delivery.subscriberId}@news.example.org>`,
      '',
      '--B--',
      '',
    ].join('\r\n'),
  );
}

/** An RFC 5965 complaint about the delivery's message. */
function arf(): Buffer {
  return Buffer.from(
    [
      'From: fbl@isp.example.org',
      `To: ${verp.returnPathFor(delivery.deliveryId)}`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=feedback-report; boundary="F"',
      'Message-ID: <arf.1@isp.example.org>',
      '',
      '--F',
      'Content-Type: text/plain',
      '',
      'A complaint.',
      '--F',
      'Content-Type: message/feedback-report',
      '',
      'Feedback-Type: abuse',
      'Version: 1',
      `Original-Rcpt-To: ${delivery.email}`,
      '',
      '--F',
      'Content-Type: text/rfc822-headers',
      '',
      `Message-ID: <${messageKey}.s${delivery.subscriberId}@news.example.org>`,
      '',
      '--F--',
      '',
    ].join('\r\n'),
  );
}

interface State {
  events: Record<string, NewBounceEvent>;
  marks: Record<number, DeliveryBounceMark>;
  suppressions: Record<string, string>;
  consentEvents: string[];
  unsubscribed: string[];
}

/**
 * A store over memory with the port's transaction semantics: what a transaction wrote is kept
 * only when its work resolves. `failAt` makes the n-th write of the next transactions throw
 * right after it is done — a crash between two statements.
 */
function memoryStore() {
  let state: State = {
    events: {},
    marks: {},
    suppressions: {},
    consentEvents: [],
    unsubscribed: [],
  };
  const calls: string[] = [];
  const control = { failAt: 0 };
  const store: BounceStore = {
    async findDeliveries(ids) {
      return [delivery, laterDelivery].filter((d) => ids.includes(d.deliveryId));
    },
    async findDeliveriesByMessageKey(pairs) {
      return pairs.some(
        (p) => p.messageKey === messageKey && p.subscriberId === delivery.subscriberId,
      )
        ? [{ ...delivery, messageKey }]
        : [];
    },
    async transaction(work) {
      const working: State = structuredClone(state);
      let writes = 0;
      const wrote = (name: string) => {
        calls.push(name);
        writes += 1;
        if (writes === control.failAt) throw new Error(`crash after ${name}`);
      };
      const tx: BounceTransaction = {
        async recordEvents(events) {
          const recorded = new Set<string>();
          for (const event of events) {
            if (working.events[event.fingerprint]) continue;
            working.events[event.fingerprint] = event;
            recorded.add(event.fingerprint);
          }
          wrote('recordEvents');
          return recorded;
        },
        async markDeliveries(marks) {
          for (const { deliveryId, mark } of marks) working.marks[deliveryId] = mark;
          wrote('markDeliveries');
        },
        async softBouncedDeliveries(emailHash) {
          calls.push('softBouncedDeliveries');
          return Object.values(working.events)
            .filter((e) => e.emailHash === emailHash && e.class === 'soft')
            .map((e) => e.deliveryId ?? 0)
            .filter((id, index, all) => all.indexOf(id) === index);
        },
        recipients: {
          async suppress(items) {
            for (const item of items) {
              working.suppressions[item.email] = item.reason;
              working.consentEvents.push(item.reason);
            }
            wrote('suppress');
          },
          async unsubscribe(email, newsletterId) {
            working.unsubscribed.push(`${email} ${newsletterId}`);
            working.consentEvents.push('unsubscribe');
            wrote('unsubscribe');
            return ['adn', 'fil'];
          },
        },
      };
      const result = await work(tx);
      state = working;
      return result;
    },
  };
  return { store, calls, control, state: () => state };
}

function serviceOn(store: BounceStore, softLimit = 3, maxWaitMs = 1) {
  return createBounceService({
    store,
    verp,
    clock: fixedClock('2026-11-25T12:00:00Z'),
    logger: createSilentLogger(),
    options: { softLimit, softWindowDays: 30 },
    batch: { maxSize: 16, maxWaitMs },
  });
}

describe('bounce processing: the event and its effects in one transaction', () => {
  it('records the event before any effect, in the transaction of the effects', async () => {
    const memory = memoryStore();
    await serviceOn(memory.store).process({ raw: arf(), source: 'file' });
    expect(memory.calls).toEqual(['recordEvents', 'unsubscribe', 'suppress', 'markDeliveries']);
  });

  it('changes nothing the second time the same report comes', async () => {
    const memory = memoryStore();
    const bounces = serviceOn(memory.store);
    const first = await bounces.process({ raw: dsn('5.1.1'), source: 'smtp' });
    const second = await bounces.process({ raw: dsn('5.1.1'), source: 'smtp' });
    expect(first).toMatchObject({ outcome: 'applied', effects: ['suppressed hard_bounce'] });
    expect(second).toMatchObject({ outcome: 'duplicate', effects: [] });
    expect(memory.state().consentEvents).toEqual(['hard_bounce']);
    expect(Object.keys(memory.state().events)).toHaveLength(1);
  });

  it('applies twice-arriving copies of one report once, also within one batch', async () => {
    const memory = memoryStore();
    const bounces = serviceOn(memory.store);
    const results = await Promise.all(
      [1, 2, 3].map(() => bounces.process({ raw: dsn('5.1.1'), source: 'smtp' })),
    );
    expect(results.map((r) => r.outcome).sort()).toEqual(['applied', 'duplicate', 'duplicate']);
    expect(memory.state().consentEvents).toEqual(['hard_bounce']);
  });

  it.each([1, 2, 3, 4])(
    'a complaint whose transaction fails after its write %i leaves nothing, and its retry applies once',
    async (failAt) => {
      const memory = memoryStore();
      const bounces = serviceOn(memory.store);
      memory.control.failAt = failAt;
      await expect(bounces.process({ raw: arf(), source: 'smtp' })).rejects.toThrow(/crash after/);
      expect(memory.state()).toEqual({
        events: {},
        marks: {},
        suppressions: {},
        consentEvents: [],
        unsubscribed: [],
      });
      memory.control.failAt = 0;
      const retried = await bounces.process({ raw: arf(), source: 'smtp' });
      const again = await bounces.process({ raw: arf(), source: 'smtp' });
      expect(retried).toMatchObject({
        outcome: 'applied',
        effects: ['unsubscribed adn', 'unsubscribed fil', 'suppressed complaint'],
      });
      expect(again.outcome).toBe('duplicate');
      const state = memory.state();
      expect(Object.keys(state.events)).toHaveLength(1);
      expect(state.consentEvents).toEqual(['unsubscribe', 'complaint']);
      expect(state.unsubscribed).toEqual([`${delivery.email} all`]);
      expect(state.suppressions).toEqual({ [delivery.email as string]: 'complaint' });
      expect(state.marks[delivery.deliveryId]?.type).toBe('complaint');
    },
  );

  it('counts soft bounces of distinct deliveries, those of the same batch included, once each', async () => {
    const memory = memoryStore();
    const bounces = serviceOn(memory.store, 2);
    // two reports on one delivery: one delivery soft-bounced, under the limit of 2
    await bounces.process({ raw: dsn('4.2.2', 1), source: 'smtp' });
    expect((await bounces.process({ raw: dsn('4.2.2', 2), source: 'smtp' })).effects).toEqual([]);
    expect(memory.state().suppressions).toEqual({});

    const fresh = memoryStore();
    const batched = serviceOn(fresh.store, 2, 50);
    // one batch: a report on each of two deliveries, the second reaching the limit
    const results = await Promise.all([
      batched.process({ raw: dsn('4.2.2', 3, delivery.deliveryId), source: 'smtp' }),
      batched.process({ raw: dsn('4.2.2', 4, laterDelivery.deliveryId), source: 'smtp' }),
    ]);
    expect(results.map((r) => r.effects)).toEqual([[], ['suppressed soft_bounce']]);
    expect(fresh.state().consentEvents).toEqual(['soft_bounce']);
  });

  it('refuses nothing on a malformed message: kept for an operator, and only once', async () => {
    const memory = memoryStore();
    const bounces = serviceOn(memory.store);
    const raw = Buffer.from('this is not mail at all');
    expect((await bounces.process({ raw, source: 'file' })).outcome).toBe('kept');
    expect((await bounces.process({ raw, source: 'file' })).outcome).toBe('duplicate');
    expect(memory.calls.filter((c) => c !== 'recordEvents')).toEqual([]);
  });
});
