import pino, { type Logger } from 'pino';

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
