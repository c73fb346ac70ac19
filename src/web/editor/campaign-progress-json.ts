import {
  finishedCount,
  formatDuration,
  isSettled,
  type SendingStatus,
} from '../../campaigns/index.ts';
import { type Locale, type Translate } from '../../lib/index.ts';

const numberFormats: Record<Locale, Intl.NumberFormat> = {
  fr: new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 1 }),
  en: new Intl.NumberFormat('en-GB', { maximumFractionDigits: 1 }),
};

/**
 * What `/editor/campaigns/:id/progress` answers and the campaign page shows: the status (the
 * same object as `depeche campaign status --json`), the messages with an outcome, whether the
 * campaign still moves by itself, and each figure as the page writes it (`text`, keyed by the
 * page's `data-field` names), so the page's script only copies text.
 */
export function progressJson(status: SendingStatus, t: Translate, locale: Locale) {
  const n = (value: number) => numberFormats[locale].format(value);
  const finished = finishedCount(status);
  return {
    status,
    finished,
    isSettled: isSettled(status),
    text: {
      state: t(`editor.campaigns.status.${status.status}`),
      total: n(status.total),
      sent: n(status.sent),
      failed: n(status.failed),
      uncertain: n(status.uncertain),
      skipped: n(status.skipped),
      remaining: n(status.remaining),
      rate: status.messagesPerSecond === null ? '—' : n(status.messagesPerSecond),
      eta: formatDuration(status.etaSeconds),
      percent: `${status.total === 0 ? 0 : Math.floor((finished * 100) / status.total)} %`,
    },
  };
}

/** See {@link progressJson}. */
export type ProgressJson = ReturnType<typeof progressJson>;
