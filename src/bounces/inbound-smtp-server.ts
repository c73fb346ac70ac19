import type { AddressInfo } from 'node:net';

import { SMTPServer } from 'smtp-server';

import type { Clock, Logger } from '../lib/index.ts';
import { maxInboundBytes } from './parse-inbound.ts';

/** Options of {@link startInboundSmtpServer}. */
export interface InboundSmtpOptions {
  /** INBOUND_PORT; 0 picks a free port. */
  port: number;
  /** INBOUND_HOST. */
  host: string;
  /** True for a recipient this server takes mail for (the bounce and mailto addresses). */
  isAccepted: (address: string) => boolean;
  /** Handles one accepted message; a rejection answers 451 so the sender tries again later. */
  onMessage: (message: {
    raw: Buffer;
    envelopeRecipients: string[];
    remoteAddress: string;
  }) => Promise<void>;
  logger: Logger;
  /** Clock of the per-minute counts. */
  clock: Clock;
  /** Largest message accepted. @defaultValue 10 MiB ({@link maxInboundBytes}) */
  maxBytes?: number;
  /**
   * Messages one client address may hand over per minute (INBOUND_RATE_PER_MINUTE); past it, its
   * MAIL FROM is answered 421 and the sender retries later. @defaultValue 600
   */
  maxMessagesPerMinute?: number;
  /** Name in the greeting. @defaultValue the bounce domain's host name is not known: 'depeche' */
  name?: string;
}

/** A running inbound server. */
export interface InboundSmtpServer {
  port: number;
  close(): Promise<void>;
}

const smtpError = (code: number, message: string) =>
  Object.assign(new Error(message), { responseCode: code });

/**
 * The SMTP server of what comes back (`depeche inbound`, the `smtp-server` package): takes mail
 * only for the recipients `isAccepted` names — every other RCPT TO is refused with 550, so it is
 * never a relay — up to `maxBytes` (SIZE advertised, larger DATA refused with 552), no AUTH, and
 * hands each message to `onMessage` before answering 250: a message is acknowledged only once
 * processed, and a failure (the database away) answers 451 so that the sending server retries.
 * TLS belongs to the MX in front of it (Postfix, a provider), or to a loopback-only setup.
 */
export async function startInboundSmtpServer(
  options: InboundSmtpOptions,
): Promise<InboundSmtpServer> {
  const log = options.logger.child({ component: 'inbound-smtp' });
  const maxBytes = options.maxBytes ?? maxInboundBytes;
  const maxPerMinute = options.maxMessagesPerMinute ?? 600;
  // messages per client address in the current minute; the whole map is dropped each minute
  let minute = 0;
  const perClient = new Map<string, number>();
  const isOverRate = (address: string) => {
    const now = Math.floor(options.clock.now().getTime() / 60_000);
    if (now !== minute) {
      minute = now;
      perClient.clear();
    }
    const count = (perClient.get(address) ?? 0) + 1;
    perClient.set(address, count);
    return count > maxPerMinute;
  };
  const server = new SMTPServer({
    name: options.name ?? 'depeche',
    banner: 'Dépêche inbound (bounces and unsubscribes only)',
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    hideSTARTTLS: true,
    logger: false,
    size: maxBytes,
    onMailFrom(_address, session, callback) {
      if (!isOverRate(session.remoteAddress)) return callback();
      log.warn({ event: 'bounces.inbound.rate_limited' }, 'inbound client over its rate');
      callback(smtpError(421, '4.7.0 Too many messages from your address, try again later'));
    },
    onRcptTo(address, _session, callback) {
      if (options.isAccepted(address.address)) return callback();
      callback(smtpError(550, `5.7.1 <${address.address.slice(0, 254)}>: relay access denied`));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= maxBytes) chunks.push(chunk);
      });
      stream.on('error', (error) => callback(error));
      stream.on('end', () => {
        if (stream.sizeExceeded || size > maxBytes) {
          callback(smtpError(552, `5.3.4 Message too big (over ${maxBytes} bytes)`));
          return;
        }
        options
          .onMessage({
            raw: Buffer.concat(chunks),
            envelopeRecipients: session.envelope.rcptTo.map((rcpt) => rcpt.address),
            remoteAddress: session.remoteAddress,
          })
          .then(
            () => callback(),
            (error: unknown) => {
              log.error(
                { err: error, event: 'bounces.inbound.failed' },
                'inbound message not processed',
              );
              callback(smtpError(451, '4.3.0 Could not process the message now, try again later'));
            },
          );
      });
    },
  });
  server.on('error', (error) => log.warn({ err: error }, 'inbound SMTP connection error'));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.server.address() as AddressInfo).port;
  log.info({ port, host: options.host }, 'inbound SMTP server listening');
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
