import { describe, expect, it } from 'vitest';

import { NotFoundError } from '../lib/index.ts';
import { IssueFileInvalidError } from './errors.ts';
import { loadIssue, resolveIssuePath } from './issue-file.ts';
import { loadNewsletter, loadNewsletters } from './newsletter-file.ts';

const fixtures = 'test/fixtures/issues';

describe('resolveIssuePath', () => {
  it('turns a key into a path under the issues directory and leaves paths alone', () => {
    expect(resolveIssuePath('issues', 'adn/2026-11')).toBe('issues/adn/2026-11.yaml');
    expect(resolveIssuePath('issues', 'drafts/x.yaml')).toBe('drafts/x.yaml');
  });
});

describe('loading the shipped files', () => {
  it('loads both newsletters and both sample issues', async () => {
    const newsletters = await loadNewsletters('issues');
    expect(newsletters.map((n) => n.id)).toEqual(['adn', 'fil-de-marianne']);
    const adn = await loadIssue('issues', 'adn/2026-11');
    expect(adn.newsletter.id).toBe('adn');
    const items = adn.issue.sections.flatMap((s) => s.items);
    expect(items.length).toBeGreaterThanOrEqual(15);
    expect(items.length).toBeLessThanOrEqual(20);
    expect(adn.issue.sections.length).toBeGreaterThanOrEqual(4);
    const fil = await loadIssue('issues', 'issues/fil-de-marianne/2026-11.yaml');
    const deadlines = fil.issue.sections
      .flatMap((s) => s.items)
      .map((i) => ('deadline' in i ? i.deadline : undefined));
    expect(deadlines.every((d) => d !== undefined && d > fil.issue.date)).toBe(true);
    expect(
      deadlines.filter((d) => d !== undefined && d <= '2026-11-19').length,
    ).toBeGreaterThanOrEqual(3);
  });
});

describe('loadIssue', () => {
  it('throws IssueFileInvalidError listing every problem', async () => {
    const error = await loadIssue(fixtures, 'adn/2026-01').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IssueFileInvalidError);
    expect((error as IssueFileInvalidError).problems).toHaveLength(8);
    expect((error as Error).message).toContain(
      "test/fixtures/issues/adn/2026-01.yaml:11: sections[0].items[0].deadline: missing required field 'deadline'",
    );
  });

  it('does not enforce the placement of the file', async () => {
    const { issue } = await loadIssue(fixtures, 'adn/2026-03');
    expect(issue.date).toBe('2026-04-02');
  });

  it('throws NotFoundError for a missing issue or newsletter', async () => {
    await expect(loadIssue(fixtures, 'adn/1999-01')).rejects.toBeInstanceOf(NotFoundError);
    await expect(loadNewsletter(fixtures, 'nope')).rejects.toBeInstanceOf(NotFoundError);
  });
});
