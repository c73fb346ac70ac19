import pino, { type Logger } from 'pino';

import { describeDatabaseError } from './database-errors.ts';

export type { Logger } from 'pino';

/** Paths whose values never reach a log line: credentials and personal data. */
export const redactedPaths = [
  'smtp.pass',
  'password',
  'pass',
  'token',
  '*.token',
  'email',
  '*.email',
  'to',
  '*.to',
  'secret',
  '*.secret',
  'headers.authorization',
  '*.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  // nodemailer-style transport options and DKIM keys
  'auth.pass',
  '*.auth.pass',
  'privateKey',
  '*.privateKey',
  // configuration objects, should one ever be logged whole
  'SECRET_KEY',
  '*.SECRET_KEY',
  'SECRET_KEYS_PREVIOUS',
  '*.SECRET_KEYS_PREVIOUS',
  'ADMIN_TOKEN',
  '*.ADMIN_TOKEN',
  'DKIM_PRIVATE_KEY',
  '*.DKIM_PRIVATE_KEY',
  // connection strings may carry passwords
  'DATABASE_URL',
  '*.DATABASE_URL',
  'SMTP_URL',
  '*.SMTP_URL',
  'REDIS_URL',
  '*.REDIS_URL',
  // the configuration's `redis`: the URL of one server, the password of a cluster
  'redis.url',
  '*.redis.url',
  'redis.password',
  '*.redis.password',
];

/**
 * The `err` serializer of every logger: pino's, except that a database error leads with its
 * cause (`database: connection terminated unexpectedly (query: select …)`) instead of the query
 * layer's `Failed query: <sql> params: <values>`, and never carries the statement's values.
 */
export function serializeError(error: unknown): unknown {
  const database = describeDatabaseError(error);
  if (database === undefined) {
    return error instanceof Error ? pino.stdSerializers.err(error) : error;
  }
  const stack = database.causeError instanceof Error ? database.causeError.stack : undefined;
  return {
    type: 'DatabaseError',
    message: database.message,
    ...(database.code === undefined ? {} : { code: database.code }),
    ...(database.query === undefined ? {} : { query: database.query }),
    ...(stack === undefined ? {} : { stack }),
  };
}

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** pino level. @defaultValue 'info' */
  level?: string;
  /** Human-readable output; entry points pass `process.stdout.isTTY`. @defaultValue false */
  isPretty?: boolean;
  /** Where lines go. @defaultValue standard error, so that command output on stdout stays clean */
  destination?: pino.DestinationStream;
}

/** Builds the root logger. Only entry points call this; modules receive a child logger. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const base: pino.LoggerOptions = {
    level: options.level ?? 'info',
    redact: { paths: redactedPaths, censor: '[redacted]' },
    base: { service: 'depeche' },
    serializers: { err: serializeError },
  };
  if (options.isPretty) {
    return pino({
      ...base,
      transport: {
        target: 'pino-pretty',
        options: { destination: 2, ignore: 'pid,hostname,service' },
      },
    });
  }
  return pino(base, options.destination ?? pino.destination(2));
}

/** A logger that writes nothing, for unit tests. */
export function createSilentLogger(): Logger {
  return pino({ level: 'silent' });
}
