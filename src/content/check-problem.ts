import { z } from 'zod';

/**
 * One problem found in a newsletter or issue file: where it is and what is wrong, in words an
 * editor understands.
 */
export const CheckProblemSchema = z.object({
  /** The file, as given or found (relative paths stay relative). */
  file: z.string(),
  /** 1-based line in the file, when the YAML gives one. */
  line: z.number().int().positive().optional(),
  /** Location in the document, like `sections[1].items[3].deadline`; empty for the whole file. */
  location: z.string(),
  /** Plain message, for example `missing required field 'deadline'`. */
  message: z.string(),
});
/** One problem found in a file. */
export type CheckProblem = z.infer<typeof CheckProblemSchema>;

/** Path segments as a location string: `['sections', 1, 'id']` → `sections[1].id`. */
export function formatLocation(path: ReadonlyArray<PropertyKey>): string {
  let location = '';
  for (const segment of path) {
    if (typeof segment === 'number') location += `[${segment}]`;
    else location += location === '' ? String(segment) : `.${String(segment)}`;
  }
  return location;
}

/** One line per problem: `file:line: location: message`. */
export function formatProblem(problem: CheckProblem): string {
  const where = problem.line === undefined ? problem.file : `${problem.file}:${problem.line}`;
  return problem.location === ''
    ? `${where}: ${problem.message}`
    : `${where}: ${problem.location}: ${problem.message}`;
}
