/** Characters of a failed statement's SQL kept in a message. */
const maxQueryChars = 120;

/** How deep {@link describeDatabaseError} looks through `cause` for the query layer's error. */
const maxCauseDepth = 4;

/** A database error told cause first: what went wrong, then which statement, never its values. */
export interface DatabaseErrorSummary {
  /** `database: <cause> [<SQLSTATE>] (query: <SQL, truncated>)`. */
  message: string;
  /** The driver's message, e.g. `Connection terminated unexpectedly`. */
  cause: string;
  /** SQLSTATE (`57P01`) or the driver's code, when there is one. */
  code?: string;
  /** The statement's SQL with its whitespace collapsed, truncated; no parameter values. */
  query?: string;
  /** The driver error itself (its stack names no parameter). */
  causeError: unknown;
}

interface QueryLayerError {
  query: string;
  params: unknown;
  cause?: unknown;
}

/**
 * drizzle's `DrizzleQueryError`, by its shape so that `lib/` needs no database import: its
 * message is `Failed query: <sql>\nparams: <every value>` with the driver's error as `cause`,
 * which loggers print last — after thousands of characters of SQL and personal data.
 */
function isQueryLayerError(error: unknown): error is QueryLayerError {
  if (!(error instanceof Error)) return false;
  const shape = error as Partial<QueryLayerError>;
  return typeof shape.query === 'string' && 'params' in error;
}

/** An error of the PostgreSQL driver: a server error (SQLSTATE) or a lost connection. */
function isDriverError(error: unknown): error is Error & { code?: unknown } {
  if (!(error instanceof Error)) return false;
  const shape = error as { code?: unknown; severity?: unknown };
  if (typeof shape.severity === 'string' && typeof shape.code === 'string') return true;
  return /^Connection terminated|^Client has encountered a connection error|^timeout exceeded when trying to connect/.test(
    error.message,
  );
}

/** `SELECT  "id",\n "name" FROM …` → one line of at most {@link maxQueryChars} characters. */
export function truncateQuery(sql: string): string {
  const line = sql.replace(/\s+/g, ' ').trim();
  return line.length <= maxQueryChars ? line : `${line.slice(0, maxQueryChars - 1)}…`;
}

function lowerFirst(text: string): string {
  // "Connection terminated" → "connection terminated", but "SQL…" and "ECONNREFUSED" stay
  return /^[A-Z][a-z]/.test(text) ? text[0]!.toLowerCase() + text.slice(1) : text;
}

/**
 * Describes a database error cause first, or returns undefined when `error` is not one. Looks
 * for the query layer's error (drizzle wraps every failed statement) on `error` and its causes;
 * a bare driver error (a lost connection outside a statement) is described too. The parameters
 * of the statement are never part of the description.
 */
export function describeDatabaseError(error: unknown): DatabaseErrorSummary | undefined {
  let current: unknown = error;
  for (
    let depth = 0;
    current !== undefined && current !== null && depth < maxCauseDepth;
    depth += 1
  ) {
    if (isQueryLayerError(current)) {
      const driver = current.cause;
      const causeText =
        driver instanceof Error
          ? driver.message
          : driver === undefined
            ? 'query failed'
            : String(driver);
      const code = (driver as { code?: unknown } | undefined)?.code;
      return summarize(
        causeText,
        typeof code === 'string' ? code : undefined,
        truncateQuery(current.query),
        driver,
      );
    }
    if (isDriverError(current)) {
      const code = current.code;
      return summarize(
        current.message,
        typeof code === 'string' ? code : undefined,
        undefined,
        current,
      );
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function summarize(
  causeText: string,
  code: string | undefined,
  query: string | undefined,
  causeError: unknown,
): DatabaseErrorSummary {
  const cause = causeText.replace(/\s+/g, ' ').trim();
  const message =
    `database: ${lowerFirst(cause)}` +
    (code === undefined ? '' : ` [${code}]`) +
    (query === undefined ? '' : ` (query: ${query})`);
  return {
    message,
    cause,
    ...(code === undefined ? {} : { code }),
    ...(query === undefined ? {} : { query }),
    causeError,
  };
}
