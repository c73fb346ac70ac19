import { Registry } from 'prom-client';
import { describe, expect, it, vi } from 'vitest';

import { instrumentTransport } from './instrumented-transport.ts';
import { createOpsMetrics } from './metrics.ts';

function metrics() {
  return createOpsMetrics({
    repository: {
      countDeliveries: async () => [],
      countSubscriptions: async () => [],
      listFeedFailures: async () => [],
      countBounceEvents: async () => [],
    },
    queues: [],
  });
}

describe('instrumentTransport', () => {
  it('times accepted and failed submissions by newsletter and outcome', async () => {
    const ops = metrics();
    const send = vi
      .fn()
      .mockResolvedValueOnce({ messageId: 'm-1', response: '250 ok', accepted: true })
      .mockRejectedValueOnce(new Error('421 try later'));
    const transport = instrumentTransport(
      { name: 'fake', send },
      {
        histogram: ops.sendDuration,
        newsletterOf: (from) => (from === 'adn@example.org' ? 'adn' : 'unknown'),
      },
    );
    const message = { from: 'adn@example.org', to: 'a@example.org', raw: Buffer.from('x') };
    await expect(transport.send(message)).resolves.toMatchObject({ accepted: true });
    await expect(transport.send(message)).rejects.toThrow('421');
    const text = await ops.registry.metrics();
    expect(text).toContain(
      'depeche_send_duration_seconds_count{newsletter="adn",outcome="accepted"} 1',
    );
    expect(text).toContain(
      'depeche_send_duration_seconds_count{newsletter="adn",outcome="error"} 1',
    );
    expect(ops.registry).toBeInstanceOf(Registry);
  });
});
