import { createPublicKey } from 'node:crypto';
import net from 'node:net';

import { z } from 'zod';

import { AppError } from '../lib/index.ts';

const optionalString = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/**
 * True for an IP address, or an IP address and a prefix length (`10.20.0.0/16`, `fd00::/8`). An
 * IPv4-mapped IPv6 form (`::ffff:10.0.0.0/104`) is refused: connections to such addresses are
 * judged as the IPv4 address they carry, so it would never match; write `10.0.0.0/8`.
 */
function isAddressOrRange(entry: string): boolean {
  const [address = '', prefix, extra] = entry.split('/');
  const family = net.isIP(address);
  if (family === 0 || extra !== undefined || /^::ffff:/i.test(address)) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * `false`, `true`, or comma-separated IP addresses and CIDR ranges: which special-purpose
 * addresses (loopback, private, link-local…) feeds may still be fetched from.
 */
const privateAddressAllowance = z
  .string()
  .trim()
  .default('false')
  .transform((value, ctx): boolean | string[] => {
    const lower = value.toLowerCase();
    if (lower === 'false' || lower === '') return false;
    if (lower === 'true') return true;
    const entries = value
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean);
    const bad = entries.find((entry) => !isAddressOrRange(entry));
    if (bad !== undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `expected true, false, or comma-separated IP addresses and CIDR ranges, IPv4 ones written as IPv4: '${bad}' is not one`,
      });
      return z.NEVER;
    }
    return entries;
  });

/** An Amazon SNS topic ARN (partitions aws, aws-cn, aws-us-gov). */
const snsTopicArn =
  /^arn:aws(-cn|-us-gov)?:sns:[a-z]{2}(-[a-z]+)+-\d{1,2}:\d{12}:[A-Za-z0-9_-]{1,256}$/;

/** True for an elliptic-curve public key in base64 DER, the form SendGrid shows. */
function isEcPublicKey(value: string): boolean {
  try {
    const key = createPublicKey({ key: Buffer.from(value, 'base64'), format: 'der', type: 'spki' });
    return key.asymmetricKeyType === 'ec';
  } catch {
    return false;
  }
}

/**
 * The environment Dépêche reads, validated once at start-up by the entry points.
 * Every variable is documented in `.env.example`.
 */
export const envSchema = z
  .object({
    /** `production` refuses to start without SECRET_KEY. @defaultValue 'development' */
    DEPECHE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    /** PostgreSQL connection string; unset means embedded PGlite in DATA_DIR. */
    DATABASE_URL: optionalString.pipe(
      z.url({ protocol: /^postgres(ql)?$/, error: 'expected a postgres:// URL' }).optional(),
    ),
    /** Directory of the embedded database and generated secrets. @defaultValue './data' */
    DATA_DIR: z.string().trim().min(1).default('./data'),
    /** Directory of the issue files. @defaultValue './issues' */
    ISSUES_DIR: z.string().trim().min(1).default('./issues'),
    /**
     * Commit each issue file the workspace writes, authored by the editor, when ISSUES_DIR is
     * inside a git work tree (otherwise the file is only written and one warning is logged).
     * @defaultValue false
     */
    ISSUES_GIT_COMMIT: z.stringbool().default(false),
    /** Directory of the templates. @defaultValue './templates' */
    TEMPLATES_DIR: z.string().trim().min(1).default('./templates'),
    /** @defaultValue 'redis://127.0.0.1:6379' */
    REDIS_URL: z
      .url({ protocol: /^rediss?$/, error: 'expected a redis:// or rediss:// URL' })
      .default('redis://127.0.0.1:6379'),
    /** Queue key prefix; the braces make a Redis Cluster hash tag. @defaultValue '{depeche}' */
    QUEUE_PREFIX: z.string().trim().min(1).max(100).default('{depeche}'),
    /** One or more SMTP relays, comma-separated, tried in order. @defaultValue 'smtp://127.0.0.1:1025' */
    SMTP_URL: z
      .string()
      .trim()
      .default('smtp://127.0.0.1:1025')
      .transform((value) =>
        value
          .split(',')
          .map((part) => part.trim())
          .filter(Boolean),
      )
      .pipe(
        z.array(z.url({ protocol: /^smtps?$/, error: 'expected smtp:// or smtps:// URLs' })).min(1),
      ),
    /** Public base URL of the web pages, used in every link of every email. */
    PUBLIC_URL: z.url({ protocol: /^https?$/ }).default('http://localhost:3000'),
    /** @defaultValue 3000 */
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    /** @defaultValue '127.0.0.1' */
    HOST: z.string().trim().min(1).default('127.0.0.1'),
    /** Signing key of tokens (≥ 32 characters); generated into DATA_DIR in development. */
    SECRET_KEY: optionalString.pipe(
      z.string().min(32, 'expected at least 32 characters').optional(),
    ),
    /** Id of SECRET_KEY, carried in every token so keys can rotate. @defaultValue 'k1' */
    SECRET_KEY_ID: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9_-]{1,16}$/)
      .default('k1'),
    /** Former keys still accepted for verification: `id:key,id:key`. */
    SECRET_KEYS_PREVIOUS: optionalString,
    /** Mailbox of the `mailto:` in List-Unsubscribe, when set. */
    UNSUBSCRIBE_MAILTO: optionalString.pipe(z.email().optional()),
    /**
     * Envelope sender of campaign messages, made per message (VERP): `bounces@news.example.org`
     * gives `bounces+<signed delivery id>@news.example.org`. Unset: the newsletter's sender.
     */
    BOUNCE_ADDRESS: optionalString.pipe(
      z
        .email({ error: 'expected an address like bounces@news.example.org' })
        .refine((value) => !value.split('@')[0]?.includes('+'), {
          error: "expected an address without '+' (the signed id goes after a '+')",
        })
        .optional(),
    ),
    /** Soft bounces of an address, within BOUNCE_SOFT_WINDOW_DAYS, that suppress it. @defaultValue 3 */
    BOUNCE_SOFT_LIMIT: positiveInt(3),
    /** Days over which soft bounces are counted. @defaultValue 30 */
    BOUNCE_SOFT_WINDOW_DAYS: positiveInt(30),
    /** Port of `depeche inbound`, the SMTP server of bounces. @defaultValue 2525 */
    INBOUND_PORT: z.coerce.number().int().min(0).max(65535).default(2525),
    /** Messages per minute `depeche inbound` takes from one client address. @defaultValue 600 */
    INBOUND_RATE_PER_MINUTE: positiveInt(600),
    /** Address `depeche inbound` listens on. @defaultValue '127.0.0.1' */
    INBOUND_HOST: z.string().trim().min(1).default('127.0.0.1'),
    /** Mailgun's webhook signing key: `POST /webhooks/mailgun` answers only when set. */
    MAILGUN_WEBHOOK_SIGNING_KEY: optionalString.pipe(
      z.string().min(16, 'expected at least 16 characters').max(200).optional(),
    ),
    /** SendGrid's signed event webhook public key (base64): `POST /webhooks/sendgrid`. */
    SENDGRID_WEBHOOK_PUBLIC_KEY: optionalString.pipe(
      z
        .string()
        .refine(isEcPublicKey, {
          error:
            'expected the verification key SendGrid shows for the signed event webhook (an EC public key, base64)',
        })
        .optional(),
    ),
    /** Basic-auth password in Postmark's webhook URL (≥ 16 characters): `POST /webhooks/postmark`. */
    POSTMARK_WEBHOOK_PASSWORD: optionalString.pipe(
      z
        .string()
        .min(16, 'expected at least 16 characters')
        .max(200, 'expected at most 200 characters')
        .optional(),
    ),
    /**
     * SNS topics (comma-separated ARNs) of the SES bounce and complaint notifications:
     * `POST /webhooks/ses` answers only when set, and only for these topics.
     */
    SES_SNS_TOPIC_ARNS: optionalString.transform((value, ctx): string[] | undefined => {
      if (value === undefined) return undefined;
      const arns = value
        .split(',')
        .map((arn) => arn.trim())
        .filter(Boolean);
      const bad = arns.find((arn) => !snsTopicArn.test(arn));
      if (bad !== undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `expected SNS topic ARNs like arn:aws:sns:eu-west-1:123456789012:depeche-ses, comma-separated: '${bad}' is not one`,
        });
        return z.NEVER;
      }
      return arns;
    }),
    /**
     * Oldest signed timestamp (Mailgun, SendGrid) a webhook request may carry, in seconds; the
     * same span into the future is allowed for clock skew. @defaultValue 3600
     */
    WEBHOOK_MAX_AGE_SEC: positiveInt(3600),
    /**
     * A mailbox where bounces land, read by `depeche inbound` over IMAP:
     * `imaps://user:password@imap.example.org/INBOX` (the path names the folder, INBOX when
     * empty; `imap://` only on a trusted network). Unset: no mailbox is read.
     */
    INBOUND_IMAP_URL: optionalString.pipe(
      z
        .url({ protocol: /^imaps?$/, error: 'expected imaps://user:password@host/FOLDER' })
        .refine((value) => !URL.canParse(value) || new URL(value).username !== '', {
          error: 'expected a user name: imaps://user:password@host/FOLDER',
        })
        .optional(),
    ),
    /** Folder a processed message is moved to (created when missing). @defaultValue 'Processed' */
    INBOUND_IMAP_DONE_FOLDER: z.string().trim().min(1).max(200).default('Processed'),
    /** Seconds between two reads of the mailbox. @defaultValue 60 */
    INBOUND_IMAP_INTERVAL_SEC: positiveInt(60),
    DKIM_DOMAIN: optionalString,
    DKIM_SELECTOR: optionalString,
    /** PEM private key; `\n` escapes are accepted. */
    DKIM_PRIVATE_KEY: optionalString.transform((value) => value?.replace(/\\n/g, '\n')),
    /** Messages per second shared by all workers. @defaultValue 50 */
    SEND_RATE_PER_SECOND: positiveInt(50),
    /** Messages per hour shared by all workers. @defaultValue 100000 */
    SEND_RATE_PER_HOUR: positiveInt(100_000),
    /** Send jobs processed at once per worker process. @defaultValue 4 */
    SEND_CONCURRENCY: positiveInt(4),
    /** Recipients per send job. @defaultValue 100 */
    SEND_BATCH_SIZE: positiveInt(100),
    /** Attempts of a send job before it is given up. @defaultValue 8 */
    SEND_ATTEMPTS: positiveInt(8),
    /** First retry delay, doubled at each attempt. @defaultValue 5000 */
    SEND_RETRY_DELAY_MS: positiveInt(5000),
    /** Share of failed messages past which a campaign pauses itself. @defaultValue 0.2 */
    SEND_MAX_ERROR_RATE: z.coerce.number().min(0).max(1).default(0.2),
    /**
     * How long a worker holds a job without renewing its lock; the jobs of a killed worker are
     * taken over after about twice this. @defaultValue 30000
     */
    WORKER_LOCK_DURATION_MS: z.coerce.number().int().min(1000).default(30_000),
    /**
     * Seconds a sending campaign may record no outcome before the workers' watchdog enqueues
     * its fan-out and pending batches again (after a lost job, or Redis that lost its data).
     * @defaultValue 600
     */
    CAMPAIGN_REKICK_AFTER_SEC: positiveInt(600),
    /**
     * Seconds between two sweeps of the workers (due scheduled campaigns, the watchdog); each
     * worker also re-creates the sweep's schedule this often, so it survives a Redis reset.
     * @defaultValue 60
     */
    CAMPAIGN_SWEEP_EVERY_SEC: positiveInt(60),
    /** Connections of the SMTP pool per worker. @defaultValue 5 */
    SMTP_POOL_SIZE: positiveInt(5),
    /** Feed polling interval of the worker. @defaultValue 3600 */
    FEED_POLL_INTERVAL_SEC: positiveInt(3600),
    /** Feeds fetched at once. @defaultValue 16 */
    FEED_CONCURRENCY: positiveInt(16),
    /** @defaultValue 15000 */
    FEED_TIMEOUT_MS: positiveInt(15_000),
    /** @defaultValue 5242880 (5 MiB) */
    FEED_MAX_BYTES: positiveInt(5 * 1024 * 1024),
    /**
     * Special-purpose addresses feeds may still be fetched from: `false` (none: loopback,
     * private, link-local, multicast… are refused), `true` (all), or comma-separated addresses
     * and CIDR ranges, for a feed server on the local network. @defaultValue false
     */
    FEED_ALLOW_PRIVATE_ADDRESSES: privateAddressAllowance,
    /**
     * Trust `X-Forwarded-For`/`-Proto` from a reverse proxy in front of `depeche serve`: the
     * client IP of the rate limits and logs. Leave false when clients reach it directly.
     * @defaultValue false
     */
    TRUST_PROXY: z.stringbool().default(false),
    /**
     * Minutes of inactivity after which an editor's workspace session ends.
     * @defaultValue 60
     */
    EDITOR_SESSION_IDLE_MINUTES: positiveInt(60),
    /**
     * Hours after sign-in at which an editor's session ends, used or not.
     * @defaultValue 12
     */
    EDITOR_SESSION_MAX_HOURS: positiveInt(12),
    /**
     * Days after which a `new` candidate no editor has touched drops out of the inbox's "new"
     * (it reads "aged"). @defaultValue 45
     */
    INBOX_NEW_MAX_DAYS: z.coerce
      .number({ error: 'expected a number of days' })
      .int('expected a whole number of days')
      .min(1, 'expected at least 1 day')
      .max(3650, 'expected at most 3650 days')
      .default(45),
    /**
     * The approver of an issue must not be the last person who changed its content. A
     * single-person office turns it off; each approval by its own author then says so in the
     * audit log. @defaultValue true
     */
    REVIEW_REQUIRE_OTHER_APPROVER: z.stringbool().default(true),
    /**
     * Bearer token for `/metrics` on the web port: without it (and without METRICS_PORT) the
     * metrics are not served, since they tell subscriber and delivery counts.
     */
    METRICS_TOKEN: optionalString.pipe(
      z.string().min(16, 'expected at least 16 characters').optional(),
    ),
    /**
     * Serve `/metrics` without a token on this separate port (bound to METRICS_HOST), for a
     * Prometheus that reaches the host over a private network; the web port then has none.
     */
    METRICS_PORT: optionalString.pipe(z.coerce.number<string>().int().min(1).max(65535).optional()),
    /** @defaultValue '127.0.0.1' */
    METRICS_HOST: z.string().min(1).default('127.0.0.1'),
    /**
     * Days after which a subscription never confirmed is deleted by the daily retention job.
     * @defaultValue 30
     */
    RETENTION_PENDING_DAYS: positiveInt(30),
    /**
     * Days after their last unsubscribe after which people subscribed to nothing are erased
     * (only the address hash kept). @defaultValue 365
     */
    RETENTION_UNSUBSCRIBED_DAYS: positiveInt(365),
    /** Token protecting /admin/queues; the dashboard is off without it. */
    ADMIN_TOKEN: optionalString.pipe(
      z.string().min(16, 'expected at least 16 characters').optional(),
    ),
    /** @defaultValue 'info' */
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),
  })
  .refine((env) => env.DEPECHE_ENV !== 'production' || env.SECRET_KEY !== undefined, {
    path: ['SECRET_KEY'],
    message: 'is required when DEPECHE_ENV=production (at least 32 characters)',
  })
  // RFC 8058: one-click unsubscribe links must be https, and so must the sign-in links.
  .refine((env) => env.DEPECHE_ENV !== 'production' || env.PUBLIC_URL.startsWith('https://'), {
    path: ['PUBLIC_URL'],
    message:
      'must start with https:// when DEPECHE_ENV=production (RFC 8058 one-click unsubscribe)',
  })
  .refine(
    (env) =>
      [env.DKIM_DOMAIN, env.DKIM_SELECTOR, env.DKIM_PRIVATE_KEY].every((v) => v === undefined) ||
      [env.DKIM_DOMAIN, env.DKIM_SELECTOR, env.DKIM_PRIVATE_KEY].every((v) => v !== undefined),
    {
      path: ['DKIM_DOMAIN'],
      message: 'DKIM_DOMAIN, DKIM_SELECTOR and DKIM_PRIVATE_KEY go together',
    },
  )
  .transform((env) => ({
    ...env,
    isEmbeddedDatabase: env.DATABASE_URL === undefined,
    isDkimConfigured: env.DKIM_DOMAIN !== undefined,
  }));

/** The validated, frozen configuration passed to every module that needs it. */
export type Config = Readonly<z.output<typeof envSchema>>;

/** Raised by {@link loadConfig}; its message has one line per bad variable. */
export class ConfigError extends AppError {
  constructor(message: string) {
    super('ECONFIG', message);
  }
}

/** Parses the environment once; throws {@link ConfigError} naming each bad variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const result = envSchema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const name = issue.path.join('.') || 'environment';
      const got = typeof issue.path[0] === 'string' ? env[issue.path[0]] : undefined;
      const shown = got === undefined || /KEY|TOKEN|PASS|URL/.test(name) ? '' : ` (got '${got}')`;
      return `Configuration: ${name} ${issue.message}${shown}`;
    });
    throw new ConfigError(lines.join('\n'));
  }
  return Object.freeze(result.data);
}
