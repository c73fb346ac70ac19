import type { FastifyPluginAsync } from 'fastify';

import {
  type BounceService,
  verifyMailgun,
  verifyPostmark,
  verifySendgrid,
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
}

/** Largest webhook body read (SendGrid posts events in batches). */
const WEBHOOK_BODY_LIMIT = 1024 * 1024;

/**
 * The providers' bounce and complaint webhooks: `POST /webhooks/mailgun`, `/webhooks/sendgrid`,
 * `/webhooks/postmark`. Each checks the provider's signature over the exact body bytes; an
 * unsigned or wrongly signed request answers 401 and changes nothing, a malformed one 400, a
 * replayed one is processed as a duplicate (nothing changes twice). A provider without its key
 * configured answers 404. Registered beside the pages, in its own context (its JSON parser keeps
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
  const providers: Array<
    [string, string | undefined, (r: WebhookRequest, key: string) => WebhookVerdict]
  > = [
    ['mailgun', options.mailgunSigningKey, verifyMailgun],
    ['sendgrid', options.sendgridPublicKey, verifySendgrid],
    ['postmark', options.postmarkPassword, verifyPostmark],
  ];
  for (const [name, key, verifyRequest] of providers) {
    if (key === undefined) continue;
    app.post(`/webhooks/${name}`, { bodyLimit: WEBHOOK_BODY_LIMIT }, async (request, reply) => {
      const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const verdict = verifyRequest({ headers: request.headers, rawBody }, key);
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
