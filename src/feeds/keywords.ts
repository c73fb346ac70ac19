import { foldText } from './plain-text.ts';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// Matches nothing: an `include` list whose keywords are all blank lets no entry through.
const matchesNothing = /(?!)/;

/**
 * One pattern for a list of keywords, over folded text (see `foldText`): any of them at the
 * start of a word. `undefined` for an empty list.
 */
function keywordPattern(keywords: readonly string[] | undefined): RegExp | undefined {
  if (!keywords || keywords.length === 0) return undefined;
  const alternatives = keywords
    .map((keyword) => foldText(keyword).trim())
    .filter((keyword) => keyword !== '')
    .map(escapeRegExp);
  if (alternatives.length === 0) return matchesNothing;
  return new RegExp(`(?:^|[^\\p{L}\\p{N}])(?:${alternatives.join('|')})`, 'u');
}

/**
 * True when `keyword` occurs in `text`, ignoring case and accents, starting at the beginning
 * of a word: `postdoc` matches "Postdocs", `eval` matches "Évaluation", but `nsf` does not
 * match "transfer".
 */
export function containsKeyword(text: string, keyword: string): boolean {
  return keywordPattern([keyword])?.test(foldText(text)) ?? false;
}

/** A routing rule of a feed: entries holding one of `keywords` go to `section`. */
export interface SectionRule {
  keywords: readonly string[];
  section: string;
}

/** The keyword rules of a feed (a `FeedSource` fits). */
export interface KeywordRules {
  include?: readonly string[] | undefined;
  exclude?: readonly string[] | undefined;
  sections?: readonly SectionRule[] | undefined;
}

/** Result of {@link matchKeywords}. */
export type KeywordVerdict = 'kept' | 'excluded' | 'not-included';

/** A feed's keyword rules compiled for matching folded text (see `foldText`). */
export interface CompiledKeywordRules {
  /** Applies `exclude`, then `include`, to an entry's folded text. */
  verdict(foldedText: string): KeywordVerdict;
  /**
   * The section of the first routing rule whose keywords occur in the folded title, else of
   * the first whose keywords occur in the folded text; `undefined` when no rule matches.
   */
  routedSection(foldedTitle: string, foldedText: string): string | undefined;
}

// Compiled once per rules object: a poll reads a feed's rules for each of its entries. Rules
// objects (parsed newsletter files) are never changed after parsing.
const compiledRules = new WeakMap<KeywordRules, CompiledKeywordRules>();

/** Compiles (once per rules object) the keyword and routing rules of a feed. */
export function compileKeywordRules(rules: KeywordRules): CompiledKeywordRules {
  const known = compiledRules.get(rules);
  if (known) return known;
  const exclude = keywordPattern(rules.exclude);
  const include = keywordPattern(rules.include);
  const routes = (rules.sections ?? []).flatMap((rule) => {
    const pattern = keywordPattern(rule.keywords);
    return pattern ? [{ pattern, section: rule.section }] : [];
  });
  const compiled: CompiledKeywordRules = {
    verdict(foldedText) {
      if (exclude?.test(foldedText)) return 'excluded';
      if (include && !include.test(foldedText)) return 'not-included';
      return 'kept';
    },
    routedSection(foldedTitle, foldedText) {
      return (
        routes.find((route) => route.pattern.test(foldedTitle))?.section ??
        routes.find((route) => route.pattern.test(foldedText))?.section
      );
    },
  };
  compiledRules.set(rules, compiled);
  return compiled;
}

/**
 * Applies a feed's keyword rules to an entry's text: any `exclude` keyword drops it; when
 * `include` is not empty, at least one of its keywords must occur.
 */
export function matchKeywords(text: string, rules: KeywordRules): KeywordVerdict {
  return compileKeywordRules(rules).verdict(foldText(text));
}

/**
 * The section an entry goes to: the first routing rule (`sections` of the feed) with a keyword
 * in the title wins; failing that, the first with a keyword anywhere in the text (title,
 * summary, start of the content); failing that, the feed's default `section`. Keywords match as
 * in {@link containsKeyword}.
 */
export function chooseSection(
  entry: { title: string; text: string },
  feed: KeywordRules & { section: string },
): string {
  return (
    compileKeywordRules(feed).routedSection(foldText(entry.title), foldText(entry.text)) ??
    feed.section
  );
}
