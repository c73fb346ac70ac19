import { execFileSync } from 'node:child_process';
import { createHmac, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { sql } from 'drizzle-orm';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { buildBounceServices } from '../../src/app/build-bounces.ts';
import { snsStringToSign } from '../../src/bounces/index.ts';
import { createWebhookTokenRepository, queryRows } from '../../src/db/index.ts';
import { createSilentLogger, systemClock } from '../../src/lib/index.ts';
import { bounceWebhooksPlugin } from '../../src/web/bounce-webhooks.ts';
import { bounceTestConfig, cleanBounceTables, seedDelivery } from '../helpers/bounce-fixtures.ts';
import { databaseKinds, openTestPglite, type TestDatabase } from '../helpers/databases.ts';

const mailgunKey = 'key-mailgun-test-0123456789abcdef';
const postmarkPassword = 'postmark-password-0123456789';
const topicArn = 'arn:aws:sns:eu-west-1:123456789012:depeche-ses';
const certUrl = 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-0000.pem';
const sendgridKeys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const sendgridPublicKey = sendgridKeys.publicKey
  .export({ format: 'der', type: 'spki' })
  .toString('base64');

/**
 * A self-signed certificate of SNS, valid from now for two days, and its private key (made with
 * the openssl command line: node:crypto reads certificates but does not make them).
 */
function createSnsCertificate(): { key: string; certificate: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'depeche-sns-'));
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2'].concat([
        '-subj',
        '/CN=sns.eu-west-1.amazonaws.com',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
      ]),
      { stdio: 'ignore' },
    );
    return {
      key: readFileSync(path.join(dir, 'key.pem'), 'utf8'),
      certificate: readFileSync(path.join(dir, 'cert.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const snsCertificate = createSnsCertificate();
const day = 24 * 3600 * 1000;
const nowSeconds = (offsetSec = 0) => String(Math.floor(Date.now() / 1000) + offsetSec);

describe('provider webhooks of bounces and complaints (PGlite, signed requests)', () => {
  let database: TestDatabase;
  let app: FastifyInstance;
  let confirmed: string[];
  let fetched: string[];
  /** The time the plugin sees; the real one unless a test moves it. */
  let shiftMs: number;

  beforeAll(async () => {
    database = await openTestPglite();
  });
  afterAll(async () => {
    await database.drop();
  });
  beforeEach(async () => {
    await cleanBounceTables(database.handle.db);
    confirmed = [];
    fetched = [];
    shiftMs = 0;
    const db = database.handle.db;
    const logger = createSilentLogger();
    const { bounces } = buildBounceServices({
      config: bounceTestConfig(),
      db,
      logger,
      clock: systemClock,
    });
    app = Fastify();
    await app.register(bounceWebhooksPlugin, {
      bounces,
      logger,
      mailgunSigningKey: mailgunKey,
      mailgunTokens: createWebhookTokenRepository(db),
      clock: { now: () => new Date(Date.now() + shiftMs) },
      sendgridPublicKey,
      postmarkPassword,
      ses: {
        topicArns: [topicArn],
        // any URL gives the certificate: only the verifier's own checks refuse a foreign one
        fetchCertificate: (url) => {
          fetched.push(url);
          return Promise.resolve(snsCertificate.certificate);
        },
        confirmSubscription: (url) => {
          confirmed.push(url);
          return Promise.resolve();
        },
      },
    });
  });
  afterEach(async () => {
    await app.close();
  });

  const suppressions = async () =>
    (
      await queryRows<{ email: string; reason: string }>(
        database.handle.db,
        sql`SELECT s.email, x.reason FROM suppressions x
            JOIN subscribers s ON s.email_hash = x.email_hash ORDER BY s.email`,
      )
    ).map((row) => `${row.email} ${row.reason}`);
  const consentCount = async () =>
    (
      await queryRows<{ n: number }>(
        database.handle.db,
        sql`SELECT count(*)::int AS n FROM consent_events`,
      )
    )[0]?.n;

  function mailgunBody(
    messageId: string,
    key = mailgunKey,
    {
      timestamp = nowSeconds(),
      token = randomBytes(25).toString('hex'),
      recipient = 'marie.dupont@univ.example.org',
      id = 'G9Bn5sl1TC6nu79C8C0bwg',
    } = {},
  ) {
    return JSON.stringify({
      signature: {
        timestamp,
        token,
        signature: createHmac('sha256', key)
          .update(timestamp + token)
          .digest('hex'),
      },
      'event-data': {
        id,
        event: 'failed',
        severity: 'permanent',
        recipient,
        message: { headers: { 'message-id': messageId } },
        'delivery-status': { code: 550, message: '5.1.1 The email account does not exist' },
      },
    });
  }
  const postJson = (url: string, payload: string, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url,
      payload,
      headers: { 'content-type': 'application/json', ...headers },
    });

  it('Mailgun: a signed failure suppresses the address of its delivery, once', async () => {
    const sent = await seedDelivery(database.handle.db, 'marie.dupont@univ.example.org');
    const response = await postJson('/webhooks/mailgun', mailgunBody(sent.messageId));
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ processed: 1, outcomes: ['applied'] });
    expect(await suppressions()).toEqual(['marie.dupont@univ.example.org hard_bounce']);
    const [row] = await queryRows<{ bounce_class: string; bounce_status: string }>(
      database.handle.db,
      sql`SELECT bounce_class, bounce_status FROM deliveries WHERE id = ${sent.deliveryId}`,
    );
    expect(row).toEqual({ bounce_class: 'hard', bounce_status: '5.1.1' });

    const consent = await consentCount();
    const replay = await postJson('/webhooks/mailgun', mailgunBody(sent.messageId));
    expect(replay.json()).toEqual({ processed: 1, outcomes: ['duplicate'] });
    expect(await consentCount()).toBe(consent);
  });

  it('Mailgun: a wrongly signed or unsigned request answers 401 and changes nothing', async () => {
    const sent = await seedDelivery(database.handle.db, 'marie.dupont@univ.example.org');
    const forged = await postJson('/webhooks/mailgun', mailgunBody(sent.messageId, 'another-key'));
    expect(forged.statusCode).toBe(401);
    const unsigned = await postJson(
      '/webhooks/mailgun',
      JSON.stringify({ 'event-data': JSON.parse(mailgunBody(sent.messageId))['event-data'] }),
    );
    expect(unsigned.statusCode).toBe(401);
    const signedGarbage = await postJson(
      '/webhooks/mailgun',
      JSON.stringify({ ...JSON.parse(mailgunBody(sent.messageId)), 'event-data': { id: 1 } }),
    );
    expect(signedGarbage.statusCode).toBe(400);
    const notJson = await postJson('/webhooks/mailgun', 'not json');
    expect(notJson.statusCode).toBe(400);
    expect(await suppressions()).toEqual([]);
    expect(await consentCount()).toBe(0);
  });

  it('SendGrid: a signed batch applies its bounces and spam reports; a bad signature is refused', async () => {
    const bounced = await seedDelivery(database.handle.db, 'pierre@contoso.example.org');
    await seedDelivery(database.handle.db, 'claire@fbl-users.example.org');
    const body = JSON.stringify([
      {
        email: 'pierre@contoso.example.org',
        event: 'bounce',
        sg_event_id: 'sg-1',
        'smtp-id': `<${bounced.messageId}>`,
        status: '5.1.1',
        reason: '550 5.1.1 user unknown',
        type: 'bounce',
      },
      { email: 'claire@fbl-users.example.org', event: 'spamreport', sg_event_id: 'sg-2' },
      { email: 'claire@fbl-users.example.org', event: 'open', sg_event_id: 'sg-3' },
    ]);
    const timestamp = nowSeconds();
    const signature = sign(
      'sha256',
      Buffer.from(timestamp + body),
      sendgridKeys.privateKey,
    ).toString('base64');
    const headers = {
      'x-twilio-email-event-webhook-signature': signature,
      'x-twilio-email-event-webhook-timestamp': timestamp,
    };
    const tampered = await postJson('/webhooks/sendgrid', body.replace('5.1.1', '4.2.2'), headers);
    expect(tampered.statusCode).toBe(401);
    expect(await suppressions()).toEqual([]);
    const unsigned = await postJson('/webhooks/sendgrid', body);
    expect(unsigned.statusCode).toBe(401);

    const response = await postJson('/webhooks/sendgrid', body, headers);
    expect(response.json()).toEqual({ processed: 2, outcomes: ['applied', 'applied'] });
    expect(await suppressions()).toEqual([
      'claire@fbl-users.example.org complaint',
      'pierre@contoso.example.org hard_bounce',
    ]);
    const [status] = await queryRows<{ status: string }>(
      database.handle.db,
      sql`SELECT status FROM subscriptions s JOIN subscribers r ON r.id = s.subscriber_id
          WHERE r.email = 'claire@fbl-users.example.org' AND newsletter_id = 'adn'`,
    );
    expect(status?.status).toBe('unsubscribed');
  });

  it('Postmark: basic credentials are required; a HardBounce suppresses by address', async () => {
    await seedDelivery(database.handle.db, 'anne@old.example.org');
    const body = JSON.stringify({
      RecordType: 'Bounce',
      ID: 4323372036,
      Type: 'HardBounce',
      Email: 'anne@old.example.org',
      Details: 'smtp;550 5.1.1 The email account that you tried to reach does not exist',
      Description: 'The server was unable to deliver your message',
    });
    const auth = (password: string) => ({
      authorization: `Basic ${Buffer.from(`postmark:${password}`).toString('base64')}`,
    });
    expect((await postJson('/webhooks/postmark', body)).statusCode).toBe(401);
    expect(
      (await postJson('/webhooks/postmark', body, auth('wrong-password-0000'))).statusCode,
    ).toBe(401);
    const response = await postJson('/webhooks/postmark', body, auth(postmarkPassword));
    expect(response.json()).toEqual({ processed: 1, outcomes: ['applied'] });
    expect(await suppressions()).toEqual(['anne@old.example.org hard_bounce']);
  });

  function snsMessage(
    fields: Record<string, string>,
    key: Parameters<typeof sign>[2] = snsCertificate.key,
  ) {
    const message = {
      MessageId: 'b3c1f6a2-0000-4000-8000-000000000001',
      TopicArn: topicArn,
      Timestamp: '2026-11-25T12:00:00.000Z',
      SignatureVersion: '2',
      SigningCertURL: certUrl,
      ...fields,
    } as Record<string, string>;
    const signature = sign(
      'RSA-SHA256',
      Buffer.from(snsStringToSign(message as Parameters<typeof snsStringToSign>[0])),
      key,
    );
    return JSON.stringify({ ...message, Signature: signature.toString('base64') });
  }
  const postSns = (payload: string) =>
    app.inject({
      method: 'POST',
      url: '/webhooks/ses',
      payload,
      headers: { 'content-type': 'text/plain; charset=UTF-8' },
    });

  it('SES through SNS: confirms the subscription, applies a signed bounce, refuses forgeries', async () => {
    const sent = await seedDelivery(database.handle.db, 'luc@gmail.example.org');
    const subscribe = await postSns(
      snsMessage({
        Type: 'SubscriptionConfirmation',
        Message: 'You have chosen to subscribe',
        SubscribeURL: 'https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&Token=t',
        Token: 't',
      }),
    );
    expect(subscribe.statusCode).toBe(200);
    expect(confirmed).toEqual([
      'https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&Token=t',
    ]);

    const notification = JSON.stringify({
      notificationType: 'Bounce',
      bounce: {
        bounceType: 'Permanent',
        bouncedRecipients: [
          {
            emailAddress: 'luc@gmail.example.org',
            status: '5.1.1',
            diagnosticCode: 'smtp; 550 5.1.1 user unknown',
          },
        ],
      },
      mail: { commonHeaders: { messageId: `<${sent.messageId}>` } },
    });
    const forgedKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const forged = await postSns(
      snsMessage({ Type: 'Notification', Message: notification }, forgedKey),
    );
    expect(forged.statusCode).toBe(401);
    const otherTopic = await postSns(
      snsMessage({
        Type: 'Notification',
        Message: notification,
        TopicArn: 'arn:aws:sns:eu-west-1:999:evil',
      }),
    );
    expect(otherTopic.statusCode).toBe(401);
    const foreignCert = await postSns(
      snsMessage({
        Type: 'Notification',
        Message: notification,
        SigningCertURL: 'https://evil.example.net/x.pem',
      }),
    );
    expect(foreignCert.statusCode).toBe(401);
    expect(await suppressions()).toEqual([]);

    const genuine = snsMessage({ Type: 'Notification', Message: notification });
    const response = await postSns(genuine);
    expect(response.json()).toEqual({ processed: 1, outcomes: ['applied'] });
    expect(await suppressions()).toEqual(['luc@gmail.example.org hard_bounce']);
    const replay = await postSns(genuine);
    expect(replay.json()).toEqual({ processed: 1, outcomes: ['duplicate'] });
  });

  it('refuses a Mailgun or SendGrid timestamp older than the max age (or as far ahead): 401', async () => {
    const sent = await seedDelivery(database.handle.db, 'marie.dupont@univ.example.org');
    for (const timestamp of [nowSeconds(-3601), nowSeconds(3601), '0']) {
      const stale = await postJson(
        '/webhooks/mailgun',
        mailgunBody(sent.messageId, mailgunKey, { timestamp }),
      );
      expect(stale.statusCode, timestamp).toBe(401);
      expect(stale.json()).toEqual({ error: 'stale timestamp' });
    }
    const body = JSON.stringify([
      { email: 'marie.dupont@univ.example.org', event: 'bounce', sg_event_id: 'sg-old' },
    ]);
    const sendgridHeaders = (timestamp: string) => ({
      'x-twilio-email-event-webhook-signature': sign(
        'sha256',
        Buffer.from(timestamp + body),
        sendgridKeys.privateKey,
      ).toString('base64'),
      'x-twilio-email-event-webhook-timestamp': timestamp,
    });
    for (const timestamp of [nowSeconds(-7200), nowSeconds(7200), 'yesterday']) {
      const stale = await postJson('/webhooks/sendgrid', body, sendgridHeaders(timestamp));
      expect(stale.statusCode, timestamp).toBe(401);
    }
    expect(await suppressions()).toEqual([]);

    const recent = await postJson(
      '/webhooks/mailgun',
      mailgunBody(sent.messageId, mailgunKey, { timestamp: nowSeconds(-3000) }),
    );
    expect(recent.json()).toEqual({ processed: 1, outcomes: ['applied'] });
    const sendgrid = await postJson('/webhooks/sendgrid', body, sendgridHeaders(nowSeconds(-60)));
    expect(sendgrid.statusCode).toBe(200);
  });

  it('refuses a Mailgun token taken again with another body (its signature does not cover the body)', async () => {
    const marie = await seedDelivery(database.handle.db, 'marie.dupont@univ.example.org');
    const paul = await seedDelivery(database.handle.db, 'paul@univ.example.org');
    const signed = { timestamp: nowSeconds(), token: randomBytes(25).toString('hex') };
    const genuine = mailgunBody(marie.messageId, mailgunKey, signed);
    expect((await postJson('/webhooks/mailgun', genuine)).json()).toEqual({
      processed: 1,
      outcomes: ['applied'],
    });
    // the captured signature block with another event: it verifies, but the token is taken
    const forged = mailgunBody(paul.messageId, mailgunKey, {
      ...signed,
      recipient: 'paul@univ.example.org',
      id: 'another-event-id',
    });
    const replayed = await postJson('/webhooks/mailgun', forged);
    expect(replayed.statusCode).toBe(401);
    expect(replayed.json()).toEqual({ error: 'replayed token' });
    expect(await suppressions()).toEqual(['marie.dupont@univ.example.org hard_bounce']);
    // Mailgun retrying the same request is still a duplicate, not an error
    expect((await postJson('/webhooks/mailgun', genuine)).json()).toEqual({
      processed: 1,
      outcomes: ['duplicate'],
    });
  });

  const bounceOf = (email: string) =>
    JSON.stringify({
      notificationType: 'Bounce',
      bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: email }] },
    });

  it('SES through SNS: refuses a message signed with an expired or not yet valid certificate', async () => {
    await seedDelivery(database.handle.db, 'luc@gmail.example.org');
    const message = snsMessage({
      Type: 'Notification',
      Message: bounceOf('luc@gmail.example.org'),
    });
    for (const shift of [3 * day, -1 * day]) {
      shiftMs = shift;
      const response = await postSns(message);
      expect(response.statusCode, String(shift)).toBe(401);
    }
    expect(await suppressions()).toEqual([]);
    shiftMs = 0;
    expect((await postSns(message)).json()).toEqual({ processed: 1, outcomes: ['applied'] });
  });

  it.each([
    'https://sns.us-east-1.amazonaws.com.evil.example/SimpleNotificationService-0000.pem',
    'https://sns.eu-west-1.amazonaws.com:8443/SimpleNotificationService-0000.pem',
    'https://user@sns.eu-west-1.amazonaws.com/SimpleNotificationService-0000.pem',
    'https://user:pw@sns.eu-west-1.amazonaws.com/SimpleNotificationService-0000.pem',
    'http://sns.eu-west-1.amazonaws.com/SimpleNotificationService-0000.pem',
    'https://sns.evil.amazonaws.com/SimpleNotificationService-0000.pem',
    'https://sns.eu-west-1.amazonaws.com/upload/SimpleNotificationService-0000.pem',
    'https://sns.eu-west-1.amazonaws.com/x?file=SimpleNotificationService-0000.pem',
  ])(
    'SES through SNS: refuses the look-alike SigningCertURL %s without fetching it',
    async (url) => {
      await seedDelivery(database.handle.db, 'luc@gmail.example.org');
      const response = await postSns(
        snsMessage({
          Type: 'Notification',
          Message: bounceOf('luc@gmail.example.org'),
          SigningCertURL: url,
        }),
      );
      expect(response.statusCode).toBe(401);
      expect(fetched).toEqual([]);
      expect(await suppressions()).toEqual([]);
    },
  );

  it.each([
    'https://sns.eu-west-1.amazonaws.com:444/?Action=ConfirmSubscription&Token=t',
    'https://user@sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&Token=t',
    'https://sns.eu-west-1.amazonaws.com.evil.example/?Action=ConfirmSubscription&Token=t',
  ])('SES through SNS: does not visit the look-alike SubscribeURL %s', async (url) => {
    const response = await postSns(
      snsMessage({
        Type: 'SubscriptionConfirmation',
        Message: 'You have chosen to subscribe',
        SubscribeURL: url,
        Token: 't',
      }),
    );
    expect(response.statusCode).toBe(400);
    expect(confirmed).toEqual([]);
  });

  it('answers 404 for a provider whose key is not configured', async () => {
    const bare = Fastify();
    await bare.register(bounceWebhooksPlugin, {
      bounces: { processEvent: () => Promise.reject(new Error('never called')) },
      logger: createSilentLogger(),
    });
    const response = await bare.inject({ method: 'POST', url: '/webhooks/mailgun', payload: {} });
    expect(response.statusCode).toBe(404);
    await bare.close();
  });
});

describe.each(databaseKinds)('webhook tokens taken on $name', ({ open }) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await open();
  });
  afterAll(async () => {
    await database.drop();
  });

  it('keeps the first body of a token, per provider, and forgets old tokens', async () => {
    const tokens = createWebhookTokenRepository(database.handle.db);
    const at = new Date('2026-12-01T10:00:00Z');
    const long = new Date('2026-11-01T00:00:00Z');
    const entry = {
      provider: 'mailgun',
      token: 'tok-1',
      bodySha256: 'a'.repeat(64),
      receivedAt: at,
    };
    expect(await tokens.claim(entry, long)).toBe('a'.repeat(64));
    expect(await tokens.claim({ ...entry, bodySha256: 'b'.repeat(64) }, long)).toBe('a'.repeat(64));
    expect(
      await tokens.claim({ ...entry, provider: 'other', bodySha256: 'c'.repeat(64) }, long),
    ).toBe('c'.repeat(64));
    // two hours later, with one hour kept: the first token is forgotten
    const later = {
      ...entry,
      bodySha256: 'd'.repeat(64),
      receivedAt: new Date('2026-12-01T12:00:00Z'),
    };
    expect(await tokens.claim(later, new Date('2026-12-01T11:00:00Z'))).toBe('d'.repeat(64));
  });
});
