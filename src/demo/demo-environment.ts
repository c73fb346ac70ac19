import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { type Config, loadConfig } from '../config/index.ts';
import { loadFeedsManifest, prepareIssuesDir } from './demo-files.ts';
import { type DemoFeedServer, startFeedServer } from './feed-server.ts';
import { type DemoMailSink, startMailSink } from './mail-sink.ts';
import {
  deleteKeysWithPrefix,
  type DemoRedis,
  findFreePort,
  provideRedis,
} from './redis-provider.ts';

/** Everything the demo runs against, all local and all released by `close()`. */
export interface DemoEnvironment {
  config: Config;
  /** Temporary directory holding the embedded database and the demo's issues folder. */
  workDir: string;
  /** Where the demo writes what the user opens: `out/demo`. */
  outDir: string;
  mailDir: string;
  newsletterIds: string[];
  redis: DemoRedis;
  mailSink: DemoMailSink;
  feedServer: DemoFeedServer;
  close(): Promise<void>;
}

/** Options of {@link openDemoEnvironment}. */
export interface DemoEnvironmentOptions {
  /** The checkout: `demo/`, `issues/` and `templates/` are read from it. */
  rootDir: string;
  /** @defaultValue `<rootDir>/out/demo` */
  outDir?: string;
  /** REDIS_URL of the environment, if any. @defaultValue 'redis://127.0.0.1:6379' */
  redisUrl?: string | undefined;
  now: () => Date;
}

/**
 * Sets up the demo's world: a fresh temporary directory (embedded PGlite, issues folder whose
 * feeds point at the local feed server), a clean `out/demo`, a Redis (the configured one or a
 * private `redis-server`), the `.eml`-writing SMTP sink, and the configuration that ties them
 * together with a queue prefix of its own. Starting clean each time is what lets it run twice.
 */
export async function openDemoEnvironment(
  options: DemoEnvironmentOptions,
): Promise<DemoEnvironment> {
  const rootDir = path.resolve(options.rootDir);
  const outDir = path.resolve(options.outDir ?? path.join(rootDir, 'out', 'demo'));
  const mailDir = path.join(outDir, 'mail');
  const closers: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const closer of closers.reverse()) await closer().catch(() => undefined);
    closers.length = 0;
  };
  try {
    await rm(outDir, { recursive: true, force: true });
    await mkdir(outDir, { recursive: true });
    const workDir = await mkdtemp(path.join(tmpdir(), 'depeche-demo-'));
    // An interrupted run (Ctrl-C ends in process.exit) still removes its temporary directory.
    const removeOnExit = () => rmSync(workDir, { recursive: true, force: true });
    process.once('exit', removeOnExit);
    closers.push(async () => {
      process.removeListener('exit', removeOnExit);
      await rm(workDir, { recursive: true, force: true });
    });

    const redis = await provideRedis(options.redisUrl ?? 'redis://127.0.0.1:6379');
    closers.push(() => redis.stop());
    // A prefix of its own, whose keys are deleted at the end (before a private Redis stops).
    const queuePrefix = `{depeche-demo-${randomUUID().slice(0, 8)}}`;
    closers.push(async () => {
      await deleteKeysWithPrefix(redis.url, queuePrefix);
    });
    const mailSink = await startMailSink(mailDir);
    closers.push(() => mailSink.close());
    const feedServer = await startFeedServer(path.join(rootDir, 'demo', 'feeds'), options.now);
    closers.push(() => feedServer.close());

    const issuesDir = path.join(workDir, 'issues');
    const newsletterIds = await prepareIssuesDir({
      sourceDir: path.join(rootDir, 'issues'),
      targetDir: issuesDir,
      manifest: await loadFeedsManifest(path.join(rootDir, 'demo', 'feeds.yaml')),
      feedBaseUrl: feedServer.baseUrl,
    });
    const port = await findFreePort();
    const config = loadConfig({
      DEPECHE_ENV: 'development',
      DATA_DIR: path.join(workDir, 'data'),
      ISSUES_DIR: issuesDir,
      TEMPLATES_DIR: path.join(rootDir, 'templates'),
      REDIS_URL: redis.url,
      QUEUE_PREFIX: queuePrefix,
      SMTP_URL: mailSink.url,
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      HOST: '127.0.0.1',
      PORT: String(port),
      // A local sink takes everything at once; retries come back quickly.
      SEND_RATE_PER_SECOND: '1000',
      SEND_RETRY_DELAY_MS: '500',
      SEND_BATCH_SIZE: '5',
      FEED_TIMEOUT_MS: '5000',
      // The sample feeds are served on this machine: let the poller fetch from there only.
      FEED_ALLOW_PRIVATE_ADDRESSES: '127.0.0.1',
      LOG_LEVEL: 'warn',
    });
    return {
      config,
      workDir,
      outDir,
      mailDir,
      newsletterIds,
      redis,
      mailSink,
      feedServer,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
