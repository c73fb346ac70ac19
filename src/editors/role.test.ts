import { describe, expect, it } from 'vitest';

import { type Action, actionMinimumRole, can, type Role } from './role.ts';

const editorActions: Action[] = [
  'candidates.triage',
  'issue.write',
  'issue.submit',
  'issue.test-send',
];
const publisherActions: Action[] = [
  'issue.approve',
  'campaign.create',
  'campaign.schedule',
  'campaign.send',
  'campaign.pause',
  'campaign.resume',
  'campaign.cancel',
  'campaign.retry',
  'testers.manage',
];
const adminActions: Action[] = [
  'editors.manage',
  'subscribers.manage',
  'suppressions.manage',
  'settings.manage',
];

describe('can(role, action)', () => {
  it('lists every action in exactly one group', () => {
    expect([...editorActions, ...publisherActions, ...adminActions].sort()).toEqual(
      Object.keys(actionMinimumRole).sort(),
    );
  });

  const table: Array<[Role, Action[], Action[]]> = [
    ['editor', editorActions, [...publisherActions, ...adminActions]],
    ['publisher', [...editorActions, ...publisherActions], adminActions],
    ['admin', [...editorActions, ...publisherActions, ...adminActions], []],
  ];
  it.each(table)('%s may do its actions and no others', (role, allowed, denied) => {
    for (const action of allowed) expect(can(role, action), action).toBe(true);
    for (const action of denied) expect(can(role, action), action).toBe(false);
  });
});
