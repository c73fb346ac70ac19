import type { Locale } from '../lib/index.ts';
import type { PersonalizationValues } from '../render/index.ts';
import type { TokenPayload } from '../subscribers/index.ts';

/** The per-recipient links of a campaign message: every placeholder but the greeting. */
export type RecipientLinks = Omit<PersonalizationValues, 'greeting'>;

/** Options of {@link createRecipientLinks}. */
export interface RecipientLinksOptions {
  /** PUBLIC_URL, without a trailing slash needed. */
  publicUrl: string;
  /** Signs subscriber tokens (the subscribers' token signer). */
  signer: { sign(payload: TokenPayload): string };
}

/**
 * Builds the links of each message: `/u/{token}` one-click unsubscribe (also in
 * List-Unsubscribe), `/p/{token}` preferences, `/archive/{newsletter}/{YYYY-MM}?lang=…` view
 * online, in the language of the copy (whatever the reader's browser prefers).
 * Tokens are signed, purpose-bound and subscriber-specific; they do not expire.
 */
export function createRecipientLinks(options: RecipientLinksOptions) {
  const base = options.publicUrl.replace(/\/+$/, '');
  return (input: {
    subscriberId: number;
    newsletterId: string;
    issueKey: string;
    /** Language of the copy: the web version opens in it. */
    locale: Locale;
  }): RecipientLinks => ({
    unsubscribeUrl: `${base}/u/${options.signer.sign({
      purpose: 'unsubscribe',
      subscriberId: input.subscriberId,
      newsletterId: input.newsletterId,
    })}`,
    preferencesUrl: `${base}/p/${options.signer.sign({
      purpose: 'preferences',
      subscriberId: input.subscriberId,
      newsletterId: input.newsletterId,
    })}`,
    viewOnlineUrl: `${base}/archive/${input.issueKey}?lang=${input.locale}`,
  });
}

/** See {@link createRecipientLinks}. */
export type RecipientLinkBuilder = ReturnType<typeof createRecipientLinks>;
