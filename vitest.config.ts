import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // Most integration tests wait on child processes, Redis, SMTP or PostgreSQL rather than
    // compute; vitest's default of (cores - 1) would run them one at a time on 2 cores.
    maxWorkers: 3,
  },
});
