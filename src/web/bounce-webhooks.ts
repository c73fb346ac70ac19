import type { FastifyPluginAsync } from 'fastify';

import {
  type BounceService,
  type SnsDeps,
  verifyMailgun,
  verifyPostmark,
  verifySendgrid,
  verifySesSns,
  type WebhookRequest,
  type WebhookVerdict,
} from '../bounces/index.ts';
import type { Logger } from '../lib/index.ts';

/** Options of {@link bounceWebhooksPlugin}: a provider's route answers only when its key is set. */
export interface BounceWebhooksOptions {
  bounces: Pick<BounceService, 'processEvent'>;
  logger: Logger;
  /** MAILGUN_WEBHOOK_SIGNING_KEY. */
  mailgunSigningKey?: string | undefined;
  /** SENDGRID_WEBHOOK_PUBLIC_KEY (base64 DER). */
  sendgridPublicKey?: string | undefined;
  /** POSTMARK_WEBHOOK_PASSWORD (basic auth password of the webhook URL). */
  postmarkPassword?: string | undefined;
  /** SES_SNS_TOPIC_ARNS and the SNS fetcher: `POST /webhooks/ses` answers only when set. */
  ses?: SnsDeps | undefined;
}

/** Largest webhook body read (SendGrid posts events in batches). */
const WEBHOOK_BODY_LIMIT = 1024 * 1024;

/**
 * The providers' bounce and complaint webhooks: `POST /webhooks/mailgun`, `/webhooks/sendgrid`,
 * `/webhooks/postmark`, `/webhooks/ses` (Amazon SES through SNS). Each checks the provider's
 * signature over the exact body bytes; an unsigned or wrongly signed request answers 401 and
 * changes nothing, a malformed one 400, a replayed one is processed as a duplicate (nothing
 * changes twice). A provider without its key configured answers 404. Registered beside the pages, in its own context (its JSON parser keeps
 * the raw body).
 */
export const bounceWebhooksPlugin: FastifyPluginAsync<BounceWebhooksOptions> = async (
  app,
  options,
) => {
  const log = options.logger.child({ component: 'bounce-webhooks' });
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
    ['mailgun', keyed(options.mailgunSigningKey, verifyMailgun)],
    ['sendgrid', keyed(options.sendgridPublicKey, verifySendgrid)],
    ['postmark', keyed(options.postmarkPassword, verifyPostmark)],
    ['ses', ses === undefined ? undefined : (request) => verifySesSns(request, ses)],
  ];
  for (const [name, verifyRequest] of providers) {
    if (verifyRequest === undefined) continue;
    app.post(`/webhooks/${name}`, { bodyLimit: WEBHOOK_BODY_LIMIT }, async (request, reply) => {
      const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const verdict = await verifyRequest({ headers: request.headers, rawBody });
      if (!verdict.isGenuine) {
        log.warn(
          { provider: name, reason: verdict.reason, event: 'bounces.webhook.refused' },
          'webhook request refused',
        );
        return reply
          .code(verdict.reason === 'signature' ? 401 : 400)
          .send({ error: verdict.reason === 'signature' ? 'invalid signature' : verdict.detail });
      }
      const outcomes = [];
      for (const event of verdict.events) {
        outcomes.push((await options.bounces.processEvent(event)).outcome);
      }
      return reply.send({ processed: outcomes.length, outcomes });
    });
  }
};
