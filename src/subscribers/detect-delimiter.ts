/**
 * Chooses the field delimiter of a CSV file from its header line: `;` when it has more
 * semicolons than commas outside quotes (French spreadsheets export so), `,` otherwise; a tab
 * when it has tabs and neither. Pure.
 */
export function detectDelimiter(start: string): ',' | ';' | '\t' {
  const counts = { ',': 0, ';': 0, '\t': 0 };
  let isQuoted = false;
  for (const char of start.replace(/^\uFEFF/, '')) {
    if (char === '"') isQuoted = !isQuoted;
    else if (!isQuoted && (char === '\n' || char === '\r')) break;
    else if (!isQuoted && char in counts) counts[char as keyof typeof counts] += 1;
  }
  if (counts[';'] > counts[',']) return ';';
  if (counts[','] === 0 && counts['\t'] > 0) return '\t';
  return ',';
}
