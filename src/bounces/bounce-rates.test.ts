import { describe, expect, it } from 'vitest';

import { bounceSummaryLines, summarizeBounces } from './bounce-rates.ts';

const counts = {
  hard: 8,
  soft: 3,
  policy: 1,
  unknown: 0,
  complaints: 2,
  bouncedDeliveries: 12,
  policyByDomain: [{ domain: 'gmail.example.org', count: 1 }],
};

describe('summarizeBounces', () => {
  it('gives rates over the submitted messages and warns above 0.1 % complaints', () => {
    const summary = summarizeBounces(counts, 1000);
    expect(summary).toMatchObject({
      bounceRate: 0.012,
      complaintRate: 0.002,
      isComplaintRateHigh: true,
    });
    expect(bounceSummaryLines(summary)).toEqual([
      '  bounced 12 (1.2 %: hard 8 · soft 3 · policy 1 · other 0) · complaints 2 (0.20 %)',
      '  policy blocks by domain: gmail.example.org 1',
      '  warning: complaint rate 0.20 % is above 0.1 %; mailbox providers may send the next issues to spam',
    ]);
  });

  it('does not warn at exactly 0.1 % and has no rate before anything was sent', () => {
    expect(summarizeBounces({ ...counts, complaints: 1 }, 1000).isComplaintRateHigh).toBe(false);
    const none = summarizeBounces({ ...counts, complaints: 0, bouncedDeliveries: 0 }, 0);
    expect(none).toMatchObject({
      bounceRate: null,
      complaintRate: null,
      isComplaintRateHigh: false,
    });
    expect(bounceSummaryLines(none)[0]).toContain('(—: hard');
  });
});
