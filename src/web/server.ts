import Fastify, { type FastifyInstance, LogController } from 'fastify';

import type { Logger } from '../lib/index.ts';

/** Signed tokens in paths (`/u/<token>`) and `token=` query values, as they appear in URLs. */
const tokenInPath = /[A-Za-z0-9_-]{32,}(\.[A-Za-z0-9_-]+)*/g;
const tokenInQuery = /([?&](?:token|t)=)[^&#]*/gi;

/**
 * The URL of a request as it may be logged: signed tokens (unsubscribe, preferences, confirm
 * links) and `token=` values are replaced, so access logs never hold a working link or the
 * admin token.
 */
export function redactUrl(url: string): string {
  return url.replace(tokenInQuery, '$1[redacted]').replace(tokenInPath, '[redacted]');
}

/**
 * Longest path parameter the router accepts. A signed token carrying an expiry and a newsletter
 * id (`/u/:token`) is longer than the router's default of 100, which is answered 414; the
 * request line stays bounded by Node's header size limit.
 */
export const MAX_PARAM_LENGTH = 1000;

/** Options of {@link createServer}. */
export interface ServerOptions {
  logger: Logger;
  /** Longest time to receive a whole request. @defaultValue 30000 */
  requestTimeoutMs?: number;
  /**
   * Idle time of a kept-alive connection; longer than the usual load balancer's 60 s, so the
   * balancer closes first and never sends on a socket we are closing. @defaultValue 72000
   */
  keepAliveTimeoutMs?: number;
  /** Largest request body. @defaultValue 1048576 (1 MiB) */
  bodyLimitBytes?: number;
  /** Trust `X-Forwarded-*` from a reverse proxy (the rate limits key on the client IP). @defaultValue false */
  isBehindProxy?: boolean;
  /**
   * Log each request and its answer (URLs redacted, see {@link redactUrl}); the web benchmark
   * turns it off to measure the pages alone. @defaultValue true
   */
  isLoggingRequests?: boolean;
}

/**
 * The Fastify instance of `depeche serve`, with the process-level settings (timeouts, body
 * limit, proxy trust, logger) kept apart from the app plugins registered on it (fastify/demo's
 * `server.ts` and `app.ts` split).
 */
export function createServer(options: ServerOptions): FastifyInstance {
  return Fastify({
    loggerInstance: options.logger.child(
      { component: 'web' },
      {
        serializers: {
          req: (request: { method: string; url: string; ip?: string }) => ({
            method: request.method,
            url: redactUrl(request.url),
          }),
        },
      },
    ),
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 72_000,
    connectionTimeout: options.requestTimeoutMs ?? 30_000,
    bodyLimit: options.bodyLimitBytes ?? 1024 * 1024,
    trustProxy: options.isBehindProxy ?? false,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // Closing answers new requests with 503 and ends idle keep-alive sockets at once.
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    ...(options.isLoggingRequests === false
      ? { logController: new LogController({ disableRequestLogging: true }) }
      : {}),
  }) as unknown as FastifyInstance;
}

/** Starts listening; returns the base URL actually bound (useful with port 0). */
export async function listen(
  app: FastifyInstance,
  address: { host: string; port: number },
): Promise<string> {
  await app.listen({ host: address.host, port: address.port });
  const bound = app.server.address();
  const port = typeof bound === 'object' && bound !== null ? bound.port : address.port;
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  return `http://${host}:${port}`;
}
