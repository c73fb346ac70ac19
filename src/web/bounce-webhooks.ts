import { createHash } from 'node:crypto';

import type { FastifyPluginAsync } from 'fastify';

import {
  type BounceService,
  defaultWebhookMaxAgeSec,
  type SnsDeps,
  verifyMailgun,
  verifyPostmark,
  verifySendgrid,
  verifySesSns,
  type WebhookRefusal,
  type WebhookRequest,
  type WebhookTokenStore,
  type WebhookVerdict,
} from '../bounces/index.ts';
import { type Clock, type Logger, systemClock } from '../lib/index.ts';

/** Options of {@link bounceWebhooksPlugin}: a provider's route answers only when its key is set. */
export interface BounceWebhooksOptions {
  bounces: Pick<BounceService, 'processEvent'>;
  logger: Logger;
  /** MAILGUN_WEBHOOK_SIGNING_KEY; needs `mailgunTokens`. */
  mailgunSigningKey?: string | undefined;
  /** The Mailgun tokens already taken (a token is taken with one body only). */
  mailgunTokens?: WebhookTokenStore | undefined;
  /** WEBHOOK_MAX_AGE_SEC: oldest signed timestamp accepted. @defaultValue 3600 */
  maxAgeSec?: number | undefined;
  /** @defaultValue the system clock */
  clock?: Clock | undefined;
  /** SENDGRID_WEBHOOK_PUBLIC_KEY (base64 DER). */
  sendgridPublicKey?: string | undefined;
  /** POSTMARK_WEBHOOK_PASSWORD (basic auth password of the webhook URL). */
  postmarkPassword?: string | undefined;
  /** SES_SNS_TOPIC_ARNS and the SNS fetcher: `POST /webhooks/ses` answers only when set. */
  ses?: SnsDeps | undefined;
}

/** Largest webhook body read (SendGrid posts events in batches). */
const WEBHOOK_BODY_LIMIT = 1024 * 1024;

/** The error a refused request answers with. */
const refusalErrors: Record<Exclude<WebhookRefusal, 'malformed'>, string> = {
  signature: 'invalid signature',
  stale: 'stale timestamp',
  replayed: 'replayed token',
};

/**
 * The providers' bounce and complaint webhooks: `POST /webhooks/mailgun`, `/webhooks/sendgrid`,
 * `/webhooks/postmark`, `/webhooks/ses` (Amazon SES through SNS). Each checks the provider's
 * signature over the exact body bytes; an unsigned or wrongly signed request answers 401 and
 * changes nothing, and so does one whose signed timestamp (Mailgun, SendGrid) is more than
 * `maxAgeSec` away, or whose Mailgun token was taken with another body (Mailgun does not sign
 * the body); a malformed one answers 400, a replayed one is processed as a duplicate (nothing
 * changes twice). A provider without its key configured answers 404. Registered beside the
 * pages, in its own context (its JSON parser keeps the raw body).
 */
export const bounceWebhooksPlugin: FastifyPluginAsync<BounceWebhooksOptions> = async (
  app,
  options,
) => {
  const log = options.logger.child({ component: 'bounce-webhooks' });
  const clock = options.clock ?? systemClock;
  const maxAgeSec = options.maxAgeSec ?? defaultWebhookMaxAgeSec;
  const mailgunTokens = options.mailgunTokens;
  if (options.mailgunSigningKey !== undefined && mailgunTokens === undefined) {
    throw new Error('bounceWebhooksPlugin: the Mailgun route needs mailgunTokens');
  }
  app.addContentTypeParser(
    ['application/json', 'application/x-www-form-urlencoded'],
    { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT },
    (_request, body, done) => done(null, body),
  );
  // SNS posts its JSON as text/plain
  app.addContentTypeParser(
    'text/plain',
    { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT },
    (_request, body, done) => done(null, body),
  );
  type Verifier = (request: WebhookRequest) => Promise<WebhookVerdict>;
  const keyed = (
    key: string | undefined,
    check: (request: WebhookRequest, key: string) => WebhookVerdict,
  ): Verifier | undefined =>
    key === undefined ? undefined : (request) => Promise.resolve(check(request, key));
  const ses = options.ses;
  const providers: Array<[string, Verifier | undefined]> = [
    [
      'mailgun',
      keyed(options.mailgunSigningKey, (request, key) => verifyMailgun(request, key, maxAgeSec)),
    ],
    [
      'sendgrid',
      keyed(options.sendgridPublicKey, (request, key) => verifySendgrid(request, key, maxAgeSec)),
    ],
    ['postmark', keyed(options.postmarkPassword, verifyPostmark)],
    ['ses', ses === undefined ? undefined : (request) => verifySesSns(request, ses)],
  ];
  for (const [name, verifyRequest] of providers) {
    if (verifyRequest === undefined) continue;
    app.post(`/webhooks/${name}`, { bodyLimit: WEBHOOK_BODY_LIMIT }, async (request, reply) => {
      const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const receivedAt = clock.now();
      let verdict = await verifyRequest({ headers: request.headers, rawBody, receivedAt });
      if (verdict.isGenuine && verdict.token !== undefined && mailgunTokens !== undefined) {
        const bodySha256 = createHash('sha256').update(rawBody).digest('hex');
        const firstBody = await mailgunTokens.claim(
          { provider: name, token: verdict.token, bodySha256, receivedAt },
          // older tokens cannot come back: their timestamp is more than maxAgeSec away
          new Date(receivedAt.getTime() - 2 * maxAgeSec * 1000),
        );
        if (firstBody !== bodySha256) {
          verdict = {
            isGenuine: false,
            reason: 'replayed',
            detail: 'Mailgun token already taken with another body',
          };
        }
      }
      if (!verdict.isGenuine) {
        log.warn(
          { provider: name, reason: verdict.reason, event: 'bounces.webhook.refused' },
          'webhook request refused',
        );
        return verdict.reason === 'malformed'
          ? reply.code(400).send({ error: verdict.detail })
          : reply.code(401).send({ error: refusalErrors[verdict.reason] });
      }
      const outcomes = [];
      for (const event of verdict.events) {
        outcomes.push((await options.bounces.processEvent(event)).outcome);
      }
      return reply.send({ processed: outcomes.length, outcomes });
    });
  }
};
