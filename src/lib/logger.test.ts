import { Writable } from 'node:stream';

import { describe, expect, it } from 'vitest';

import { createLogger } from './logger.ts';

describe('createLogger', () => {
  it("redacts the passwords of the configuration's Redis, one server or a cluster", () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger({ destination });
    logger.info({ redis: { kind: 'single', url: 'redis://:hunter2@redis.example.org' } }, 'one');
    logger.info(
      { config: { redis: { kind: 'cluster', password: 'hunter2', nodes: [] } } },
      'cluster',
    );
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line).not.toContain('hunter2');
      expect(line).toContain('[redacted]');
    }
  });
});
