export { type Clock, fixedClock, systemClock } from './clock.ts';
export { AppError, hasErrorCode, NotFoundError, ValidationError } from './errors.ts';
export {
  createLogger,
  createSilentLogger,
  type Logger,
  type LoggerOptions,
  redactedPaths,
} from './logger.ts';
