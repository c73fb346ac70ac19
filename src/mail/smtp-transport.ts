import type { Readable } from 'node:stream';

import nodemailer, { type Transporter } from 'nodemailer';

import type { Config } from '../config/index.ts';
import type { Logger } from '../lib/index.ts';
import type { MailTransport, OutgoingMessage, SendResult } from './mail-transport.ts';
import { hasSmtpReply, MessageUncertainError } from './smtp-errors.ts';

/**
 * Headers covered by the DKIM signature. nodemailer's default list omits
 * `List-Unsubscribe-Post`, which RFC 8058 §4 requires to be signed with `List-Unsubscribe`.
 */
export const dkimSignedHeaders = [
  'From',
  'Sender',
  'Reply-To',
  'Subject',
  'Date',
  'Message-ID',
  'To',
  'Cc',
  'MIME-Version',
  'Content-Type',
  'Content-Transfer-Encoding',
  'List-Id',
  'List-Unsubscribe',
  'List-Unsubscribe-Post',
] as const;

/** DKIM key of the sending domain. */
export interface DkimOptions {
  domain: string;
  selector: string;
  /** PEM private key (RSA). */
  privateKey: string;
}

/** Options of {@link createSmtpTransport}. */
export interface SmtpTransportOptions {
  /** One or more `smtp://` / `smtps://` relays, tried in order when one refuses connections. */
  urls: readonly string[];
  /** Pooled connections per relay. */
  poolSize: number;
  logger: Logger;
  /** Signs every message when given. */
  dkim?: DkimOptions | undefined;
  /** How long a relay that refused a connection is skipped. @defaultValue 30000 */
  relayCooldownMs?: number;
  /** Connection and greeting timeout. @defaultValue 10000 */
  connectionTimeoutMs?: number;
  /** Inactivity timeout of a connection, so a stalling relay cannot hold a batch. @defaultValue 60000 */
  socketTimeoutMs?: number;
}

/** Reads the SMTP options of {@link createSmtpTransport} from the configuration. */
export function smtpTransportOptionsFromConfig(
  config: Pick<
    Config,
    'SMTP_URL' | 'SMTP_POOL_SIZE' | 'DKIM_DOMAIN' | 'DKIM_SELECTOR' | 'DKIM_PRIVATE_KEY'
  >,
  logger: Logger,
): SmtpTransportOptions {
  const { DKIM_DOMAIN: domain, DKIM_SELECTOR: selector, DKIM_PRIVATE_KEY: privateKey } = config;
  return {
    urls: config.SMTP_URL,
    poolSize: config.SMTP_POOL_SIZE,
    logger,
    dkim:
      domain !== undefined && selector !== undefined && privateKey !== undefined
        ? { domain, selector, privateKey }
        : undefined,
  };
}

interface Relay {
  label: string;
  transporter: Transporter;
  downUntil: number;
  /** Refused its last connection; logged once when it goes down and once when it is back. */
  isDown: boolean;
}

/**
 * How far one message got, filled in by the `stream` plugin of {@link trackHandover}: the
 * message stream the pool created for it (the last one, if the pool moved the message to
 * another connection). The pool reads that stream only after the relay's `354` reply to DATA,
 * so a stream that was read means the message data went to the relay.
 */
interface Handover {
  stream?: Readable;
}

/** The `sendMail` field that carries a {@link Handover} to the plugin. */
const handoverField = 'depecheHandover';

/**
 * Registers the nodemailer `stream` plugin that records, for each message sent with a
 * {@link Handover} in its data, the stream the pool reads the message data from.
 */
function trackHandover(transporter: Transporter): void {
  transporter.use('stream', (mail, done) => {
    const handover = (mail.data as Record<string, unknown>)[handoverField] as Handover | undefined;
    const message = mail.message as unknown as { createReadStream: () => Readable } | undefined;
    if (handover !== undefined && message !== undefined) {
      const create = message.createReadStream.bind(message);
      message.createReadStream = () => {
        const stream = create();
        handover.stream = stream;
        return stream;
      };
    }
    done();
  });
}

/**
 * The SMTP {@link MailTransport}: one nodemailer pooled transport per relay. A relay that refuses
 * or cannot open a connection (ECONNREFUSED, DNS failure, connect/greeting timeout) is skipped
 * for `relayCooldownMs` and the next one is tried; an SMTP reply (4xx/5xx) is returned as is,
 * because another relay would answer the same. Errors are nodemailer's, for `classifySmtpError`,
 * or a {@link MessageUncertainError} when the message data went out and no final reply came.
 */
export function createSmtpTransport(options: SmtpTransportOptions): MailTransport {
  const log = options.logger.child({ component: 'smtp-transport' });
  const cooldownMs = options.relayCooldownMs ?? 30_000;
  const timeoutMs = options.connectionTimeoutMs ?? 10_000;
  const dkim =
    options.dkim === undefined
      ? undefined
      : {
          domainName: options.dkim.domain,
          keySelector: options.dkim.selector,
          privateKey: options.dkim.privateKey,
          headerFieldNames: dkimSignedHeaders.join(':'),
        };
  const relays: Relay[] = options.urls.map((url, index) => {
    const transporter = nodemailer.createTransport({
      url,
      pool: true,
      maxConnections: options.poolSize,
      maxMessages: Infinity,
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: options.socketTimeoutMs ?? 60_000,
      logger: false,
      ...(dkim === undefined ? {} : { dkim }),
    });
    trackHandover(transporter);
    return { label: relayLabel(url, index), transporter, downUntil: 0, isDown: false };
  });
  if (relays.length === 0) throw new Error('createSmtpTransport needs at least one SMTP URL');

  /**
   * Sends through one relay. A failure with no SMTP reply after the message data was read (the
   * connection dropped, or the socket timed out waiting for the final reply) becomes a
   * {@link MessageUncertainError}: the relay may have stored the message. Before that (refused
   * connection, greeting, MAIL FROM, RCPT TO, DATA without its `354`) nothing was handed over
   * and nodemailer's error is thrown as is, safe to retry.
   */
  async function sendThrough(relay: Relay, message: OutgoingMessage): Promise<SendResult> {
    const handover: Handover = {};
    let info: { messageId?: string; response?: string; accepted?: unknown[] };
    try {
      info = (await relay.transporter.sendMail({
        envelope: { from: message.from, to: [message.to] },
        raw: message.raw,
        [handoverField]: handover,
      } as Parameters<Transporter['sendMail']>[0])) as typeof info;
    } catch (error) {
      if (handover.stream?.readableDidRead === true && !hasSmtpReply(error)) {
        throw new MessageUncertainError(error);
      }
      throw error;
    }
    return {
      messageId: message.messageId ?? String(info.messageId ?? '').replace(/[<>]/g, ''),
      response: String(info.response ?? ''),
      accepted: Array.isArray(info.accepted) && info.accepted.length > 0,
    };
  }

  // Logged once per change of state, not once per message: a relay down during a campaign
  // would otherwise log every message of every lane.
  function markDown(relay: Relay, error: unknown) {
    if (relay.isDown) return;
    relay.isDown = true;
    log.warn(
      {
        event: 'smtp.relay.unreachable',
        relay: relay.label,
        code: errorCode(error),
        relays: relays.length,
      },
      relays.length > 1
        ? 'SMTP relay unreachable: messages go to the other relays until it answers again'
        : 'SMTP relay unreachable: messages wait and are retried until it answers again',
    );
  }
  function markUp(relay: Relay) {
    if (!relay.isDown) return;
    relay.isDown = false;
    log.warn({ event: 'smtp.relay.reachable', relay: relay.label }, 'SMTP relay answers again');
  }

  return {
    name: 'smtp',
    async send(message) {
      const now = Date.now();
      const up = relays.filter((relay) => relay.downUntil <= now);
      // All relays cooling down: try them all again rather than fail without trying.
      const order = up.length > 0 ? up : relays;
      let lastError: unknown;
      for (const relay of order) {
        try {
          const result = await sendThrough(relay, message);
          markUp(relay);
          return result;
        } catch (error) {
          if (!isRefusedConnection(error)) {
            // the relay answered or took the connection: it is reachable
            markUp(relay);
            throw error;
          }
          lastError = error;
          relay.downUntil = Date.now() + cooldownMs;
          markDown(relay, error);
        }
      }
      throw lastError;
    },
    async verify() {
      let lastError: unknown;
      for (const relay of relays) {
        try {
          await relay.transporter.verify();
          return;
        } catch (error) {
          lastError = error;
          if (!isRefusedConnection(error)) throw error;
        }
      }
      throw lastError;
    },
    async close() {
      for (const relay of relays) relay.transporter.close();
    },
  };
}

/**
 * True when the connection to the relay could not be established at all, so nothing was sent
 * and trying the next relay cannot duplicate a message.
 */
export function isRefusedConnection(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const shape = error as { code?: unknown; originalCode?: unknown; timeoutType?: unknown };
  if (shape.code === 'EDNS') return true;
  if (shape.code === 'ETIMEDOUT') {
    return shape.timeoutType === 'CONNECT_TIMEOUT' || shape.timeoutType === 'GREETING_TIMEOUT';
  }
  const refused = ['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN'];
  return [shape.code, shape.originalCode].some(
    (code) => typeof code === 'string' && refused.includes(code),
  );
}

function errorCode(error: unknown): string | undefined {
  const shape = error as { originalCode?: unknown; code?: unknown };
  const code = shape.originalCode ?? shape.code;
  return typeof code === 'string' ? code : undefined;
}

/** `host:port` of a relay URL, without credentials, for logs. */
function relayLabel(url: string, index: number): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || (parsed.protocol === 'smtps:' ? '465' : '25')}`;
  } catch {
    return `relay #${index + 1}`;
  }
}
