import { foldText } from './plain-text.ts';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * True when `keyword` occurs in `text`, ignoring case and accents, starting at the beginning
 * of a word: `postdoc` matches "Postdocs", `eval` matches "Évaluation", but `nsf` does not
 * match "transfer".
 */
export function containsKeyword(text: string, keyword: string): boolean {
  const folded = foldText(keyword).trim();
  if (folded === '') return false;
  const pattern = new RegExp(`(?:^|[^\\p{L}\\p{N}])${escapeRegExp(folded)}`, 'u');
  return pattern.test(foldText(text));
}

/** Result of {@link matchKeywords}. */
export type KeywordVerdict = 'kept' | 'excluded' | 'not-included';

/**
 * Applies a feed's keyword rules to an entry's text: any `exclude` keyword drops it; when
 * `include` is not empty, at least one of its keywords must occur.
 */
export function matchKeywords(
  text: string,
  rules: { include?: readonly string[] | undefined; exclude?: readonly string[] | undefined },
): KeywordVerdict {
  if (rules.exclude?.some((keyword) => containsKeyword(text, keyword))) return 'excluded';
  if (rules.include && rules.include.length > 0) {
    return rules.include.some((keyword) => containsKeyword(text, keyword))
      ? 'kept'
      : 'not-included';
  }
  return 'kept';
}
