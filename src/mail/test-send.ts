import { randomUUID } from 'node:crypto';

import { z } from 'zod';

import type { Issue, Newsletter } from '../content/index.ts';
import { type Locale, LocaleSchema, type Logger } from '../lib/index.ts';
import type { PersonalizationValues, RenderedIssue } from '../render/index.ts';
import type { MailTransport } from './mail-transport.ts';
import { buildMessageTemplate, renderMessage } from './message-template.ts';
import type { RecipientLinkBuilder } from './recipient-links.ts';
import { classifySmtpError, type SmtpFailure } from './smtp-errors.ts';

/** Subject prefix of every test copy. */
export const testSubjectPrefix = '[TEST] ';

/**
 * Subscriber id of the pseudo subscriber test copies are addressed to: its links are really
 * signed (so they have the length and shape of real ones) but name no real subscriber.
 */
export const testSendSubscriberId = Number.MAX_SAFE_INTEGER;

/** What `depeche test-send` asks for. */
export const TestSendRequestSchema = z.object({
  /** Issue file path or `adn/2026-11`. */
  issueRef: z.string().trim().min(1).max(500),
  /** Editors' addresses, one copy each. */
  to: z.array(z.email().max(254)).min(1).max(50),
  /** Language of the copy; the newsletter's own language when absent. */
  locale: LocaleSchema.optional(),
});
/** See {@link TestSendRequestSchema}. */
export type TestSendRequest = z.infer<typeof TestSendRequestSchema>;

/** A test send of an issue given as a value (the workspace's unsaved form, or a loaded file). */
export interface TestSendIssueRequest {
  issue: Issue;
  newsletter: Newsletter;
  /** Addresses, one copy each (validated as {@link TestSendRequestSchema}'s `to`). */
  to: readonly string[];
  /** Language of the copy; the newsletter's own language when absent. */
  locale?: Locale | undefined;
  /** Day the « closing soon » marks count from, `YYYY-MM-DD`. @defaultValue the issue date */
  asOf?: string | undefined;
}

/** The outcome of one test copy. */
export type TestSendOutcome =
  | { to: string; isSubmitted: true; messageId: string; response: string }
  | { to: string; isSubmitted: false; messageId: string; failure: SmtpFailure };

/** What a test send did. */
export interface TestSendResult {
  issueKey: string;
  locale: Locale;
  subject: string;
  outcomes: TestSendOutcome[];
}

/** Dependencies of {@link createTestSender}, narrowed to what a test send uses. */
export interface TestSenderDeps {
  loadIssue: (ref: string) => Promise<{ issue: Issue; newsletter: Newsletter }>;
  renderer: {
    renderIssue(
      issue: Issue,
      newsletter: Newsletter,
      locale: Locale,
      options?: { asOf?: string | undefined },
    ): Promise<RenderedIssue>;
  };
  /** The per-recipient links of a campaign message (delivery's `createRecipientLinks`). */
  links: RecipientLinkBuilder;
  greetingFor: (name: string | null, locale: Locale) => string;
  transport: MailTransport;
  logger: Logger;
  /** UNSUBSCRIBE_MAILTO. */
  unsubscribeMailto?: string | undefined;
  /** Current time, for the Date header. */
  now: () => Date;
}

/**
 * The placeholder values of a copy nobody subscribed to (test copies, the workspace's preview):
 * the greeting of an unnamed reader and the links of the pseudo subscriber
 * {@link testSendSubscriberId}, really signed. Test copies and previews both take them from
 * here, so a preview shows exactly the links a test copy carries.
 */
export function testCopyValues(
  deps: Pick<TestSenderDeps, 'links' | 'greetingFor'>,
  input: { newsletterId: string; issueKey: string; locale: Locale },
): PersonalizationValues {
  return {
    greeting: deps.greetingFor(null, input.locale),
    ...deps.links({ subscriberId: testSendSubscriberId, ...input }),
  };
}

const ToSchema = TestSendRequestSchema.shape.to;

/**
 * Sends marked test copies of an issue to editors through the same path as a campaign (the
 * issue rendered once, the MIME template, the SMTP transport), subject prefixed `[TEST] `,
 * without touching any campaign or subscriber: nothing is read from or written to the database.
 * `send` loads an issue file by reference (`depeche test-send`); `sendIssue` takes the issue as
 * a value (the workspace sends what the form holds, saved or not).
 */
export function createTestSender(deps: TestSenderDeps) {
  const log = deps.logger.child({ component: 'test-send' });

  async function sendIssue(request: TestSendIssueRequest): Promise<TestSendResult> {
    const { issue, newsletter } = request;
    const to = ToSchema.parse(request.to);
    const locale = request.locale ?? newsletter.language;
    const rendered = await deps.renderer.renderIssue(issue, newsletter, locale, {
      asOf: request.asOf,
    });
    const template = buildMessageTemplate(rendered, newsletter, {
      subjectPrefix: testSubjectPrefix,
      unsubscribeMailto: deps.unsubscribeMailto,
    });
    const values = testCopyValues(deps, {
      newsletterId: newsletter.id,
      issueKey: rendered.issueKey,
      locale,
    });
    const outcomes: TestSendOutcome[] = [];
    for (const email of to) {
      const messageId = `test.${randomUUID()}@${template.domain}`;
      const message = renderMessage(
        template,
        { email, name: null, messageId, ...values },
        deps.now(),
      );
      try {
        const result = await deps.transport.send({
          from: template.envelopeFrom,
          to: email,
          raw: message.raw,
          messageId,
        });
        outcomes.push({ to: email, isSubmitted: true, messageId, response: result.response });
      } catch (error) {
        const failure = classifySmtpError(error);
        log.warn(
          { event: 'test-send.failed', kind: failure.kind, code: failure.code },
          'test copy refused',
        );
        outcomes.push({ to: email, isSubmitted: false, messageId, failure });
      }
    }
    log.info(
      {
        issueKey: rendered.issueKey,
        locale,
        submitted: outcomes.filter((o) => o.isSubmitted).length,
      },
      'test copies sent',
    );
    return { issueKey: rendered.issueKey, locale, subject: template.subject, outcomes };
  }

  return {
    async send(request: TestSendRequest): Promise<TestSendResult> {
      const { issueRef, to, locale } = TestSendRequestSchema.parse(request);
      const { issue, newsletter } = await deps.loadIssue(issueRef);
      return sendIssue({ issue, newsletter, to, locale });
    },
    sendIssue,
  };
}

/** See {@link createTestSender}. */
export type TestSender = ReturnType<typeof createTestSender>;
