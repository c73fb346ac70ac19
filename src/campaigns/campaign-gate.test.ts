import { describe, expect, it } from 'vitest';

import type { Issue } from '../content/index.ts';
import { CampaignRefusedError, gateFindings } from './campaign-gate.ts';
import type { PreparedIssue } from './issue-snapshot.ts';

const issue: Issue = {
  newsletter: 'adn',
  number: 4,
  date: '2026-12-03',
  subject: 'AdN — décembre 2026',
  preheader: 'Le mois',
  introduction: 'Bonne lecture.',
  sections: [
    {
      id: 'agences',
      items: [{ kind: 'news', title: 'A', summary: 'S', url: 'https://example.org/a' }],
    },
  ],
};

function prepared(html = '<p>%%greeting%%</p><a href="%%unsubscribe_url%%">x</a>'): PreparedIssue {
  return {
    issue,
    newsletter: {} as PreparedIssue['newsletter'],
    snapshot: {
      newsletterId: 'adn',
      issueKey: 'adn/2026-12',
      newsletter: { id: 'adn', title: 'AdN', sender: { name: 'AdN', email: 'adn@example.org' } },
      bodies: [{ locale: 'fr', subject: 'S', preheader: 'P', html, text: 'T' }],
      contentHash: 'h',
    },
  };
}

const sendAt = new Date('2026-12-05T08:00:00Z');
const approved = { approved: true } as const;
const draft = {
  approved: false,
  reason: 'issue adn/2026-12 is a draft, not submitted for review nor approved',
} as const;

describe('gateFindings', () => {
  it('allows an approved, finished issue to a new audience', () => {
    const report = gateFindings(
      prepared(),
      { sendAt },
      { overlapCount: 0, overlapCampaignIds: [], approval: approved },
    );
    expect(report).toMatchObject({ findings: [], isAllowed: true, overlapCount: 0 });
  });

  it('needs a confirmation when people would receive the issue twice', () => {
    const facts = { overlapCount: 12, overlapCampaignIds: [3, 5], approval: approved };
    const unconfirmed = gateFindings(prepared(), { sendAt }, facts);
    expect(unconfirmed.isAllowed).toBe(false);
    expect(unconfirmed.findings).toEqual([
      {
        code: 'audience-overlap',
        level: 'confirm',
        path: [],
        where: 'audience',
        message:
          '12 people of this audience already received adn/2026-12 or are about to (campaign 3, 5) and would receive it twice; confirm to send anyway (--confirm-overlap)',
      },
    ]);
    expect(gateFindings(prepared(), { sendAt, confirmOverlap: true }, facts).isAllowed).toBe(true);
  });

  it('blocks an unapproved issue unless the review is skipped, which stays as a warning', () => {
    const facts = { overlapCount: 0, overlapCampaignIds: [], approval: draft };
    const refused = gateFindings(prepared(), { sendAt }, facts);
    expect(refused.isAllowed).toBe(false);
    expect(refused.findings[0]).toMatchObject({
      code: 'not-approved',
      level: 'block',
      where: 'review',
    });
    const skipped = gateFindings(prepared(), { sendAt, skipReview: true }, facts);
    expect(skipped.isAllowed).toBe(true);
    expect(skipped.findings[0]).toMatchObject({ code: 'not-approved', level: 'warn' });
    expect(skipped.findings[0]?.message).toContain('(review skipped with --skip-review)');
  });

  it('measures the HTML with the recipient links filled in', () => {
    // Just under the limit with tokens, over it once each link is a long signed URL.
    const tokens = '<a href="%%unsubscribe_url%%">x</a>'.repeat(50);
    const html = `${tokens}${'a'.repeat(102 * 1024 - tokens.length)}`;
    const report = gateFindings(
      prepared(html),
      { sendAt },
      { overlapCount: 0, overlapCampaignIds: [], approval: approved },
    );
    expect(report.findings.map((finding) => finding.code)).toEqual(['html-too-large']);
  });
});

describe('CampaignRefusedError', () => {
  it('lists one line per blocking finding, not the confirmed ones', () => {
    const report = gateFindings(
      prepared(),
      { sendAt, confirmOverlap: true },
      {
        overlapCount: 2,
        overlapCampaignIds: [1],
        approval: draft,
      },
    );
    const error = new CampaignRefusedError('adn/2026-12', report.findings, {
      confirmOverlap: true,
    });
    expect(error.message.split('\n')).toEqual([
      'Campaign for adn/2026-12 not created, 1 problem:',
      '  review: issue adn/2026-12 is a draft, not submitted for review nor approved; a campaign is made only of an approved issue (--skip-review for emergencies, audited)',
    ]);
    expect(error.findings).toHaveLength(2);
  });
});
