import type { Campaign, ClaimedRecipient, DeliveryOutcome } from '../campaigns/index.ts';
import type { Clock, Locale } from '../lib/index.ts';
import {
  campaignMessageId,
  classifySmtpError,
  type MailTransport,
  type MessageTemplate,
  type RecipientLinkBuilder,
  renderMessage,
  type SmtpFailureKind,
} from '../mail/index.ts';

/** What sending one recipient's copy needs. */
export interface RecipientSendDeps {
  links: RecipientLinkBuilder;
  greetingFor: (name: string | null, locale: Locale) => string;
  transport: MailTransport;
  clock: Clock;
  /**
   * Envelope sender (MAIL FROM) of one delivery, the VERP address of BOUNCE_ADDRESS; without it
   * the newsletter's sender address.
   */
  returnPathFor?: ((deliveryId: number) => string) | undefined;
}

/** The outcome of one recipient, to record, and how it went. */
export interface RecipientResult {
  outcome: DeliveryOutcome;
  kind: 'sent' | SmtpFailureKind;
}

/**
 * Fills the recipient's copy of `template` (links with signed tokens, greeting, a Message-ID
 * stable per campaign and subscriber, from the campaign's random key) and its envelope sender
 * (the delivery's VERP address when BOUNCE_ADDRESS is set), hands it to the transport and classifies the result. Never
 * throws: an invalid address or a refused message is that recipient's failure; a transient one
 * (nothing handed to the relay yet) gives the row back to the queue, or fails it on the last
 * attempt; one whose data went to the relay without a final reply is `uncertain`, never resent.
 */
export async function sendToRecipient(
  deps: RecipientSendDeps,
  input: {
    campaign: Pick<Campaign, 'id' | 'newsletterId' | 'issueKey' | 'messageKey'>;
    template: MessageTemplate;
    recipient: ClaimedRecipient;
    attempt: { attempt: number; isLastAttempt: boolean };
  },
): Promise<RecipientResult> {
  const { campaign, template, recipient, attempt } = input;
  const deliveryId = recipient.deliveryId;
  let messageId: string | null = null;
  try {
    const message = renderMessage(
      template,
      {
        email: recipient.email,
        name: recipient.name,
        greeting: deps.greetingFor(recipient.name, recipient.locale),
        ...deps.links({
          subscriberId: recipient.subscriberId,
          newsletterId: campaign.newsletterId,
          issueKey: campaign.issueKey,
          locale: recipient.locale,
        }),
        messageId: campaignMessageId(template, campaign.messageKey, recipient.subscriberId),
      },
      deps.clock.now(),
    );
    messageId = message.messageId;
    const sent = await deps.transport.send({
      from: deps.returnPathFor?.(deliveryId) ?? template.envelopeFrom,
      to: recipient.email,
      raw: message.raw,
      messageId,
    });
    return {
      kind: 'sent',
      outcome: {
        deliveryId,
        status: 'sent',
        smtpResponse: sent.response.slice(0, 500),
        messageId: sent.messageId || messageId,
      },
    };
  } catch (error) {
    const failure = classifySmtpError(error);
    if (failure.kind === 'uncertain') {
      return {
        kind: 'uncertain',
        outcome: { deliveryId, status: 'uncertain', smtpResponse: failure.reply, messageId },
      };
    }
    if (failure.kind !== 'transient') {
      return {
        kind: failure.kind,
        outcome: { deliveryId, status: 'failed', smtpResponse: failure.reply, messageId: null },
      };
    }
    return {
      kind: 'transient',
      outcome: attempt.isLastAttempt
        ? {
            deliveryId,
            status: 'failed',
            smtpResponse: `gave up after ${attempt.attempt} attempts: ${failure.reply}`.slice(
              0,
              500,
            ),
            messageId: null,
          }
        : { deliveryId, status: 'queued', smtpResponse: failure.reply, messageId: null },
    };
  }
}
