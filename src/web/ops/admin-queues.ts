import { createHmac } from 'node:crypto';

import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { Queue } from 'bullmq';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';

import { bearerTokenOf, isSameSecret as isEqual } from './bearer-token.ts';

type BoardAdapter = Parameters<typeof createBullBoard>[0]['serverAdapter'];

/** Where the queue dashboard is mounted. */
export const adminQueuesPath = '/admin/queues';

const cookieName = 'depeche_admin';

/** Options of {@link adminQueuesPlugin}. */
export interface AdminQueuesOptions {
  /** ADMIN_TOKEN; the plugin must not be registered without one. */
  token: string;
  queues: Queue[];
  /** Marks the session cookie `Secure` (PUBLIC_URL is https). @defaultValue false */
  isSecureCookie?: boolean;
}

/** The cookie value proving the token was given once: a MAC of the token, never the token. */
function sessionValue(token: string): string {
  return createHmac('sha256', token).update('depeche-admin-session').digest('base64url');
}

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

/**
 * Bull Board at `/admin/queues`, behind ADMIN_TOKEN (for scripts; admins of the workspace reach
 * the same board at `/editor/queues` with their session). The token is
 * accepted as `Authorization: Bearer <token>`, or once as `?token=<token>`: the answer then sets
 * an HttpOnly session cookie and redirects to the same page without the token in the address,
 * so the browser's history and the access logs never keep it.
 */
export const adminQueuesPlugin: FastifyPluginAsync<AdminQueuesOptions> = async (app, options) => {
  const session = sessionValue(options.token);

  const authorize = async (request: FastifyRequest, reply: FastifyReply) => {
    const bearer = bearerTokenOf(request.headers.authorization);
    if (bearer !== undefined && isEqual(bearer, options.token)) return;
    const url = new URL(request.url, 'http://localhost');
    const queryToken = url.searchParams.get('token');
    if (queryToken !== null && isEqual(queryToken, options.token)) {
      url.searchParams.delete('token');
      const attributes = [
        `${cookieName}=${session}`,
        `Path=${adminQueuesPath}`,
        'HttpOnly',
        'SameSite=Strict',
        'Max-Age=43200',
        ...(options.isSecureCookie ? ['Secure'] : []),
      ];
      return reply
        .header('set-cookie', attributes.join('; '))
        .redirect(`${url.pathname}${url.search}`, 303);
    }
    const cookie = readCookie(request.headers.cookie, cookieName);
    if (cookie !== undefined && isEqual(cookie, session)) return;
    return reply
      .code(401)
      .header('www-authenticate', 'Bearer realm="depeche-admin"')
      .type('text/plain; charset=utf-8')
      .send(
        'Unauthorized: give ADMIN_TOKEN as a Bearer token or ?token=, or sign in as an admin at /editor/queues',
      );
  };

  app.addHook('onRequest', authorize);
  await app.register(queueBoardPlugin, {
    prefix: adminQueuesPath,
    queues: options.queues,
    basePath: adminQueuesPath,
  });
};

/** Options of {@link queueBoardPlugin}. */
export interface QueueBoardOptions {
  queues: readonly Queue[];
  /** The full path the board is served at (`/admin/queues`, `/editor/queues`). */
  basePath: string;
}

/**
 * Bull Board itself, without any access check: the caller registers it behind its own
 * (the ADMIN_TOKEN above, an admin's session in the workspace). Register it with a `prefix`
 * that ends at `basePath`, so the board's links and its routes agree.
 */
export const queueBoardPlugin: FastifyPluginAsync<QueueBoardOptions> = async (app, options) => {
  // The board's page runs its own scripts and styles: the site-wide CSP does not fit it.
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.removeHeader('content-security-policy');
    return payload;
  });

  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(options.basePath);
  createBullBoard({
    queues: options.queues.map((queue) => new BullMQAdapter(queue)),
    // @bull-board/fastify pins its own copy of @bull-board/api: same shape, distinct declarations.
    serverAdapter: serverAdapter as unknown as BoardAdapter,
    options: { uiConfig: { boardTitle: 'Dépêche queues' } },
  });
  await app.register(serverAdapter.registerPlugin());
};
