/**
 * PostgreSQL array literals passed as one text parameter and cast in SQL (`$1::text[]`): the
 * same on both drivers, and cheaper for the server to read than JSON. Used with `= ANY(…)` and
 * `unnest(…)` by the repositories.
 */

/** Whether a text needs escaping inside a quoted array element: `\` or `"`. */
function needsEscape(value: string): boolean {
  return value.includes('"') || value.includes('\\');
}

/** One element of an array literal: quoted, `\` and `"` escaped; NULL for null. */
function quoteElement(value: string | null): string {
  if (value === null) return 'NULL';
  return needsEscape(value) ? `"${value.replace(/[\\"]/g, '\\$&')}"` : `"${value}"`;
}

/**
 * A PostgreSQL array literal of texts, passed as one text parameter and cast in SQL: the same
 * on both drivers, and much cheaper for the server to read than JSON.
 */
export function toTextArrayLiteral(values: ReadonlyArray<string | null>): string {
  let isPlain = true;
  for (const value of values) {
    if (value === null || needsEscape(value)) {
      isPlain = false;
      break;
    }
  }
  if (!isPlain) return `{${values.map(quoteElement).join(',')}}`;
  if (values.length === 0) return '{}';
  // the common case, texts to quote and nothing to escape, in one join; braces inside the
  // join, so that the literal is one flat string the driver copies as is
  const parts = values.slice() as string[];
  parts[0] = `{"${parts[0]}`;
  parts[parts.length - 1] = `${parts[parts.length - 1]}"}`;
  return parts.join('","');
}

/** A PostgreSQL array literal of whole numbers, passed as one parameter (both drivers). */
export function toBigintArrayLiteral(values: number[]): string {
  return `{${values.map((value) => Math.trunc(value)).join(',')}}`;
}
