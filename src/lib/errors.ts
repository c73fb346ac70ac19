/**
 * Base class of every error Dépêche raises on purpose.
 *
 * `code` is a stable string callers and edges (HTTP handler, worker, CLI) branch on; the message
 * is written for the reader, in product words, quoting the value that was wrong.
 */
export class AppError extends Error {
  /** Stable machine-readable code, for example `ECONFIG` or `EISSUE`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = this.constructor.name;
    this.code = code;
  }
}

/** An input from outside (file, CSV, form, environment) failed validation. */
export class ValidationError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('EINVALID', message, options);
  }
}

/** Something the caller asked for does not exist. */
export class NotFoundError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ENOTFOUND', message, options);
  }
}

/** True when `error` is an AppError carrying `code`. */
export function hasErrorCode(error: unknown, code: string): error is AppError {
  return error instanceof AppError && error.code === code;
}
