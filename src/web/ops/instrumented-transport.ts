import type { Histogram } from 'prom-client';

import type { MailTransport } from '../../mail/index.ts';

/** Options of {@link instrumentTransport}. */
export interface InstrumentOptions {
  /** `depeche_send_duration_seconds` of {@link createOpsMetrics}. */
  histogram: Histogram<'newsletter' | 'outcome'>;
  /** Newsletter id of an envelope sender (each newsletter sends from its own address). */
  newsletterOf: (from: string) => string;
}

/**
 * Wraps a mail transport to time each submission into the send-latency histogram, labelled by
 * newsletter and outcome (`accepted`, `rejected`, `error`). Used where the workers run in the
 * process that serves `/metrics` (`depeche serve` on the embedded database).
 */
export function instrumentTransport(
  transport: MailTransport,
  options: InstrumentOptions,
): MailTransport {
  return {
    name: transport.name,
    async send(message) {
      const stop = options.histogram.startTimer({ newsletter: options.newsletterOf(message.from) });
      try {
        const result = await transport.send(message);
        stop({ outcome: result.accepted ? 'accepted' : 'rejected' });
        return result;
      } catch (error) {
        stop({ outcome: 'error' });
        throw error;
      }
    },
    ...(transport.verify ? { verify: () => transport.verify?.() ?? Promise.resolve() } : {}),
    ...(transport.close ? { close: () => transport.close?.() ?? Promise.resolve() } : {}),
  };
}
