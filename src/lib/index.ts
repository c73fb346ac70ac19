export { type Clock, fixedClock, systemClock } from './clock.ts';
export { createTaskPool, mapSettled, type TaskPool } from './concurrency.ts';
export {
  type DatabaseErrorSummary,
  describeDatabaseError,
  truncateQuery,
} from './database-errors.ts';
export { AppError, hasErrorCode, NotFoundError, ValidationError } from './errors.ts';
export {
  createTranslator,
  type DateInput,
  formatDate,
  formatDateRange,
  formatWhen,
  hasTranslation,
  type Locale,
  locales,
  LocaleSchema,
  toCalendarDate,
  type Translate,
  type TranslationVars,
} from './i18n.ts';
export {
  createLogger,
  createSilentLogger,
  type Logger,
  type LoggerOptions,
  redactedPaths,
  serializeError,
} from './logger.ts';
