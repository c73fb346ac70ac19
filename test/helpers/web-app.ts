import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

import { buildSubscriberService } from '../../src/app/subscriber-stores.ts';
import {
  createEditorWorkspaceDeps,
  createWebDeps,
  type EditorWorkspaceServices,
} from '../../src/app/web-deps.ts';
import type { DatabaseHandle } from '../../src/db/index.ts';
import { type Clock, createSilentLogger, systemClock } from '../../src/lib/index.ts';
import type { RedisClient } from '../../src/queue/index.ts';
import {
  createTokenSigner,
  type SubscriberService,
  type TokenSigner,
} from '../../src/subscribers/index.ts';
import { type CampaignDeps, type EditorWorkspaceDeps } from '../../src/web/editor/index.ts';
import { buildApp, type SubscribeRateLimits, type WebNewsletter } from '../../src/web/index.ts';

/** The two newsletters of the route tests. */
export const testNewsletters: WebNewsletter[] = [
  {
    id: 'adn',
    title: 'AdN',
    description: 'Politique scientifique',
    description_en: 'Science policy',
  },
  { id: 'fil-de-marianne', title: 'Le fil de Marianne', description: 'Opportunités' },
];

/** Secret of the tests' token signer. */
export const testSecret = 'test-secret-key-of-at-least-32-characters';

/** A web app on a test database, with the queue replaced by a recorder. */
export interface TestWebApp {
  app: FastifyInstance;
  tokens: TokenSigner;
  subscribers: SubscriberService;
  /** Confirmation and sign-in jobs the app enqueued. */
  enqueued: Array<{ name: string; data: unknown }>;
  /** The workspace's dependencies, when built with `editor`. */
  editor: EditorWorkspaceDeps | undefined;
  /** Lines the workspace printed (sign-in links). */
  printed: string[];
}

/** Builds the pages on `database` with the real subscriber service and token signer. */
export async function buildTestWebApp(options: {
  database: DatabaseHandle;
  rateLimits?: SubscribeRateLimits;
  clock?: Clock;
  newsletters?: WebNewsletter[];
  /** Redis of the rate limits (in memory without it). */
  redis?: RedisClient;
  /** QUEUE_PREFIX the rate limits' keys go under. @defaultValue '{depeche}' */
  redisKeyPrefix?: string;
  /** Mount the workspace at `/editor`, with these session lifetimes and sign-in limits. */
  editor?: {
    idleMinutes?: number;
    maxHours?: number;
    rateLimits?: EditorWorkspaceDeps['rateLimits'];
    publicUrl?: string;
    issuesDir?: string;
    /** links helper: FEED_ALLOW_PRIVATE_ADDRESSES of the link check (a local link server). */
    allowPrivateAddresses?: boolean | string[];
    /** Queues of the admins' board at `/editor/queues`. */
    queues?: EditorWorkspaceDeps['queues'];
    /** The campaign pages' services (a real delivery service and reader). */
    campaigns?: CampaignDeps;
    /** subscribers helper: where uploaded import files wait (default: the OS temp dir) */
    importUploadDir?: string;
    /** composer helper: the link checker of the approval step (none: approval checks no link). */
    /** preview helper: the preview and test-send pages' templates, links and transport. */
    preview?: EditorWorkspaceServices['preview'];
  };
}): Promise<TestWebApp> {
  const logger = createSilentLogger();
  const clock = options.clock ?? systemClock;
  const tokens = createTokenSigner({ keyId: 't1', secret: testSecret });
  const subscribers = buildSubscriberService({ db: options.database.db, clock, logger });
  const enqueued: TestWebApp['enqueued'] = [];
  const printed: string[] = [];
  const transactionalQueue = {
    add: async (name: string, data: unknown) => {
      enqueued.push({ name, data });
      return undefined as never;
    },
  };
  const editor = options.editor
    ? {
        ...createEditorWorkspaceDeps({
          db: options.database.db,
          clock,
          config: {
            EDITOR_SESSION_IDLE_MINUTES: options.editor.idleMinutes ?? 60,
            EDITOR_SESSION_MAX_HOURS: options.editor.maxHours ?? 12,
            DEPECHE_ENV: 'test',
            ISSUES_DIR: options.editor.issuesDir ?? 'issues',
            FEED_ALLOW_PRIVATE_ADDRESSES: options.editor.allowPrivateAddresses ?? false,
          },
          transactionalQueue,
          ...(options.editor.queues ? { queues: options.editor.queues } : {}),
          printLine: (line) => printed.push(line),
          ...(options.editor.campaigns ? { campaigns: options.editor.campaigns } : {}),
          importUploadDir: options.editor.importUploadDir,
          ...(options.editor.preview ? { preview: options.editor.preview } : {}),
        }),
        rateLimits: options.editor.rateLimits ?? { perAddress: 1000, perIp: 1000 },
      }
    : undefined;
  const app = await buildApp(
    createWebDeps({
      db: options.database.db,
      subscribers,
      tokens,
      transactionalQueue,
      newsletters: options.newsletters ?? testNewsletters,
      publicUrl: options.editor?.publicUrl ?? 'http://localhost:3000',
      clock,
      logger,
      rateLimits: options.rateLimits ?? { perIpPerMinute: 1000, perAddressPerHour: 1000 },
      redis: options.redis,
      redisKeyPrefix: options.redisKeyPrefix,
      editor,
    }),
  );
  return { app, tokens, subscribers, enqueued, editor, printed };
}

/** A form session: the CSRF cookie and token of a page, to post its form as a browser would. */
export interface FormSession {
  cookie: Record<string, string>;
  csrf: string;
}

/** GETs `url` and returns the CSRF cookie and the token in its form. */
export async function openForm(app: FastifyInstance, url: string): Promise<FormSession> {
  const page = await app.inject({ method: 'GET', url });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
  if (csrf === undefined) throw new Error(`No CSRF token on ${url} (status ${page.statusCode})`);
  const cookie = page.cookies.find((c) => c.name === 'depeche_csrf');
  return { cookie: cookie ? { [cookie.name]: cookie.value } : {}, csrf };
}

/** POSTs a urlencoded form (repeated keys for arrays), with the session's cookie and token. */
export function postForm(
  app: FastifyInstance,
  url: string,
  fields: Record<string, string | string[]>,
  session?: FormSession,
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  const body = new URLSearchParams();
  if (session) body.append('_csrf', session.csrf);
  for (const [key, value] of Object.entries(fields)) {
    for (const item of Array.isArray(value) ? value : [value]) body.append(key, item);
  }
  return app.inject({
    method: 'POST',
    url,
    cookies: session?.cookie ?? {},
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload: body.toString(),
  });
}
