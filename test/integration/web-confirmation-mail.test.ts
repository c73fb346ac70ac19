import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildSubscriberService } from '../../src/app/subscriber-stores.ts';
import { loadNewsletters, type Newsletter } from '../../src/content/index.ts';
import { createSilentLogger, fixedClock } from '../../src/lib/index.ts';
import {
  createConfirmationMailer,
  createConfirmationSender,
  type OutgoingMessage,
} from '../../src/mail/index.ts';
import { confirmationJobId } from '../../src/queue/index.ts';
import { createRenderer } from '../../src/render/index.ts';
import {
  createTokenSigner,
  InvalidTokenError,
  type SubscriberService,
} from '../../src/subscribers/index.ts';
import { openTestPglite, type TestDatabase } from '../helpers/databases.ts';

const now = new Date('2026-11-23T10:00:00Z');
const day = 24 * 60 * 60 * 1000;

describe('confirmation message of the double opt-in', () => {
  let database: TestDatabase;
  let subscribers: SubscriberService;
  let newsletters: Newsletter[];
  const tokens = createTokenSigner({
    keyId: 'm1',
    secret: 'confirmation-secret-of-32-characters!',
  });
  const sent: OutgoingMessage[] = [];

  beforeAll(async () => {
    database = await openTestPglite();
    subscribers = buildSubscriberService({
      db: database.handle.db,
      clock: fixedClock(now),
      logger: createSilentLogger(),
    });
    newsletters = await loadNewsletters('issues');
  });
  afterAll(() => database.drop());

  const sender = () =>
    createConfirmationSender({
      subscribers,
      tokens,
      renderer: createRenderer({ templatesDir: 'templates' }),
      transport: {
        send: async (message) => {
          sent.push(message);
          return { messageId: message.messageId ?? '', response: '250 OK', accepted: true };
        },
      },
      newsletters,
      publicUrl: 'https://lettres.example.org/',
      clock: fixedClock(now),
      logger: createSilentLogger(),
    });

  it('sends one message naming the pending newsletters, with a link valid 7 days', async () => {
    const result = await subscribers.subscribe(
      {
        email: 'Rosalind@Example.org',
        newsletterIds: ['adn', 'fil-de-marianne'],
        profile: { name: 'Rosalind "R." <F>' },
      },
      { source: 'web' },
    );
    const id = result.subscriber?.id ?? 0;
    expect(await sender().send({ kind: 'confirm', subscriberId: id, locale: 'en' })).toBe('sent');
    expect(sent).toHaveLength(1);
    const mail = await simpleParser(sent[0]?.raw ?? Buffer.alloc(0));
    const adn = newsletters.find((n) => n.id === 'adn');
    expect(sent[0]?.from).toBe(adn?.sender.email);
    expect(sent[0]?.to).toBe('Rosalind@example.org');
    expect(mail.subject).toBe('Confirm your subscription to AdN and Le fil de Marianne');
    expect(mail.headers.get('auto-submitted')).toBe('auto-generated');
    expect(mail.text).toContain('This link is valid for 7 days.');
    const link = /https:\/\/lettres\.example\.org\/c\/([A-Za-z0-9._-]+)\?lang=en/.exec(
      mail.text ?? '',
    );
    expect(link).not.toBeNull();
    expect(mail.html).toContain(`/c/${link?.[1]}`);
    const token = link?.[1] ?? '';
    expect(tokens.verify(token, 'confirm', new Date(now.getTime() + 6 * day)).subscriberId).toBe(
      id,
    );
    expect(() => tokens.verify(token, 'confirm', new Date(now.getTime() + 7 * day + 1000))).toThrow(
      InvalidTokenError,
    );
    expect(() => tokens.verify(token, 'preferences', now)).toThrow(InvalidTokenError);
  });

  it('sends nothing when nothing is pending any more', async () => {
    sent.length = 0;
    const details = await subscribers.findByEmail('rosalind@example.org');
    const id = details?.subscriber.id ?? 0;
    await subscribers.confirm(id, undefined, { source: 'web' });
    expect(await sender().send({ kind: 'confirm', subscriberId: id, locale: 'fr' })).toBe(
      'skipped',
    );
    expect(await sender().send({ kind: 'confirm', subscriberId: 9999, locale: 'fr' })).toBe(
      'skipped',
    );
    expect(sent).toEqual([]);
  });

  it('enqueues ids only, one job per subscriber and minute', async () => {
    const added: Array<{ name: string; data: unknown; jobId: unknown }> = [];
    const mailer = createConfirmationMailer({
      clock: fixedClock(now),
      queue: {
        add: async (name: string, data: unknown, options?: { jobId?: string }) => {
          added.push({ name, data, jobId: options?.jobId });
          return undefined as never;
        },
      },
    });
    await mailer.enqueueConfirmation({ subscriberId: 7, locale: 'fr' });
    expect(added).toEqual([
      {
        name: 'confirm',
        data: { kind: 'confirm', subscriberId: 7, locale: 'fr' },
        jobId: confirmationJobId({ subscriberId: 7 }, now),
      },
    ]);
    expect(confirmationJobId({ subscriberId: 7 }, new Date(now.getTime() + 30_000))).toBe(
      added[0]?.jobId,
    );
    expect(String(added[0]?.jobId)).not.toContain(':');
  });
});
