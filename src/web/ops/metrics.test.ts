import { describe, expect, it, vi } from 'vitest';

import { createOpsMetrics } from './metrics.ts';

describe('createOpsMetrics', () => {
  it('keeps one failing source from failing the scrape', async () => {
    const onError = vi.fn();
    const ops = createOpsMetrics({
      repository: {
        countDeliveries: async () => {
          throw new Error('database down');
        },
        countSubscriptions: async () => [{ newsletterId: 'adn', status: 'active', count: 3 }],
        listFeedFailures: async () => [],
        countBounceEvents: async () => [],
      },
      queues: [],
      onError,
    });
    const text = await ops.registry.metrics();
    expect(text).toContain('depeche_subscriptions{newsletter="adn",state="active"} 3');
    expect(onError).toHaveBeenCalledWith(expect.any(Error), 'depeche_messages');
  });

  it('reuses the database counts between close scrapes', async () => {
    const countDeliveries = vi.fn(async () => [{ newsletterId: 'adn', status: 'sent', count: 7 }]);
    const ops = createOpsMetrics({
      repository: {
        countDeliveries,
        countSubscriptions: async () => [],
        listFeedFailures: async () => [],
        countBounceEvents: async () => [],
      },
      queues: [],
      cacheMs: 60_000,
    });
    expect(await ops.registry.metrics()).toContain(
      'depeche_messages{newsletter="adn",status="sent"} 7',
    );
    await ops.registry.metrics();
    expect(countDeliveries).toHaveBeenCalledTimes(1);
  });
});
