import { z } from 'zod';

/**
 * The per-recipient placeholders, defined once: one recipient's values, bounded. Everything
 * else is derived from this schema: the names (`greeting`, `unsubscribeUrl`, …), the tokens a
 * rendered body carries ({@link PLACEHOLDERS}), the names templates use
 * (`{{placeholder "unsubscribe_url"}}`), the fields of a message recipient and of its links.
 */
export const PersonalizationValuesSchema = z.object({
  /** The greeting line: « Bonjour Marie, » (plain text; HTML-escaped in the HTML part). */
  greeting: z.string().max(300),
  /** The signed one-click unsubscribe link; also in the List-Unsubscribe header. */
  unsubscribeUrl: z.string().max(2000),
  /** The signed link to the preferences page. */
  preferencesUrl: z.string().max(2000),
  /** The page in the archive. */
  viewOnlineUrl: z.string().max(2000),
});
/** One recipient's values of the placeholders. */
export type PersonalizationValues = z.infer<typeof PersonalizationValuesSchema>;

/** Name of one placeholder value (`greeting`, `unsubscribeUrl`, …). */
export type PlaceholderName = keyof PersonalizationValues;

/** The placeholder names, in the schema's order. */
export const placeholderNames: readonly PlaceholderName[] =
  PersonalizationValuesSchema.keyof().options;

/** The name a template gives a placeholder: `unsubscribeUrl` is `unsubscribe_url`. */
export function placeholderTemplateName(name: PlaceholderName): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/**
 * The token of each placeholder in a rendered issue or message (`%%unsubscribe_url%%`), filled
 * per recipient. Tokens survive Handlebars, MJML and MIME encoding untouched.
 */
export const PLACEHOLDERS: Readonly<Record<PlaceholderName, string>> = Object.freeze(
  Object.fromEntries(
    placeholderNames.map((name) => [name, `%%${placeholderTemplateName(name)}%%`]),
  ) as Record<PlaceholderName, string>,
);
