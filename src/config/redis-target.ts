import { AppError } from '../lib/index.ts';

/** One node of a Redis Cluster, as REDIS_URL names it. */
export interface RedisNode {
  host: string;
  port: number;
}

/**
 * Where Redis is: one server (its URL as written, read by ioredis: credentials, database,
 * `rediss://`), or a Redis Cluster: the nodes to start from (the client finds the others) and
 * the credentials and TLS every node shares.
 */
export type RedisTarget =
  | { kind: 'single'; url: string }
  | {
      kind: 'cluster';
      nodes: RedisNode[];
      username: string | undefined;
      password: string | undefined;
      isTls: boolean;
    };

/** Raised by {@link parseRedisTarget}; the message says what is wrong with REDIS_URL. */
export class RedisUrlError extends AppError {
  constructor(message: string) {
    super('ECONFIG', message);
  }
}

const DEFAULT_PORT = 6379;

/**
 * Reads REDIS_URL. One URL is one Redis server, unless `isCluster` (REDIS_CLUSTER=true): then it
 * is the one node a Redis Cluster is reached through. Several comma-separated nodes are always a
 * cluster: `redis://user:pass@a.example.org:7001,b.example.org:7002,c.example.org:7003`, the
 * scheme and credentials written once on the first node (the others may repeat the scheme).
 * A cluster has database 0 only and reads no `?options`.
 */
export function parseRedisTarget(value: string, isCluster = false): RedisTarget {
  const parts = value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  const [first, ...others] = parts;
  const seed = first === undefined ? undefined : urlOf(first);
  if (seed === undefined || (seed.protocol !== 'redis:' && seed.protocol !== 'rediss:')) {
    throw new RedisUrlError(
      'expected a redis:// or rediss:// URL, or several nodes of a Redis Cluster: redis://host:7001,host:7002',
    );
  }
  if (others.length === 0 && !isCluster) return { kind: 'single', url: first! };
  if (!['', '/', '/0'].includes(seed.pathname)) {
    throw new RedisUrlError(
      `names database '${seed.pathname.slice(1)}', but a Redis Cluster has database 0 only`,
    );
  }
  if (seed.search !== '') {
    throw new RedisUrlError('has ?options, which a Redis Cluster does not read: remove them');
  }
  const nodes = [nodeOf(seed)];
  for (const [index, part] of others.entries()) {
    const url = urlOf(part.includes('://') ? part : `${seed.protocol}//${part}`);
    if (url === undefined || url.hostname === '') {
      // by position: a mistyped node may hold a password
      throw new RedisUrlError(`has a node (number ${index + 2}) that is not host:port`);
    }
    if (url.protocol !== seed.protocol) {
      throw new RedisUrlError(
        `mixes ${seed.protocol}// and ${url.protocol}//: every node of a Redis Cluster uses the same`,
      );
    }
    if (url.username !== '' || url.password !== '' || !['', '/'].includes(url.pathname)) {
      throw new RedisUrlError(
        `has a node '${url.host}' with its own credentials or path: write them once, on the first node`,
      );
    }
    nodes.push(nodeOf(url));
  }
  return {
    kind: 'cluster',
    nodes,
    username: seed.username === '' ? undefined : decodeURIComponent(seed.username),
    password: seed.password === '' ? undefined : decodeURIComponent(seed.password),
    isTls: seed.protocol === 'rediss:',
  };
}

function urlOf(value: string): URL | undefined {
  return URL.canParse(value) ? new URL(value) : undefined;
}

function nodeOf(url: URL): RedisNode {
  // an IPv6 address comes in brackets, which the socket does not take
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return { host, port: url.port === '' ? DEFAULT_PORT : Number(url.port) };
}

/** `host:port` of each node, without credentials: how messages and logs name the target. */
export function redisTargetLabel(target: RedisTarget | string): string {
  if (typeof target === 'string') {
    try {
      return redisTargetLabel(parseRedisTarget(target));
    } catch {
      return 'REDIS_URL';
    }
  }
  if (target.kind === 'cluster') {
    const nodes = target.nodes.map(({ host, port }) =>
      host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`,
    );
    return `the Redis Cluster ${nodes.join(', ')}`;
  }
  const url = new URL(target.url);
  return `${url.hostname}:${url.port || String(DEFAULT_PORT)}`;
}

/**
 * The hash tag of a key prefix as Redis Cluster reads it: what is between the first `{` and the
 * first `}` after it, when not empty. Every key starting with a prefix that has one lands in the
 * same slot; `undefined` when the prefix has none.
 */
export function hashTagOf(prefix: string): string | undefined {
  const open = prefix.indexOf('{');
  if (open === -1) return undefined;
  const close = prefix.indexOf('}', open + 1);
  if (close === -1 || close === open + 1) return undefined;
  return prefix.slice(open + 1, close);
}
