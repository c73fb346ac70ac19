import { z } from 'zod';

/** An editor's role, from least to most allowed. */
export const RoleSchema = z.enum(['editor', 'publisher', 'admin'], {
  error: 'expected one of editor, publisher, admin',
});
export type Role = z.infer<typeof RoleSchema>;

/** Everything the workspace lets someone do, each allowed from one role upwards. */
export const actionMinimumRole = {
  'candidates.triage': 'editor',
  'issue.write': 'editor',
  'issue.submit': 'editor',
  'issue.test-send': 'editor',
  'issue.approve': 'publisher',
  'campaign.create': 'publisher',
  'campaign.schedule': 'publisher',
  'campaign.send': 'publisher',
  'campaign.pause': 'publisher',
  'campaign.resume': 'publisher',
  'campaign.cancel': 'publisher',
  'campaign.retry': 'publisher',
  'testers.manage': 'publisher',
  'editors.manage': 'admin',
  'subscribers.manage': 'admin',
  'suppressions.manage': 'admin',
  'settings.manage': 'admin',
} as const satisfies Record<string, Role>;

/** An action the role table knows. */
export type Action = keyof typeof actionMinimumRole;

const rank: Record<Role, number> = { editor: 0, publisher: 1, admin: 2 };

/** Whether `role` may do `action`: the one permission table, pure. */
export function can(role: Role, action: Action): boolean {
  return rank[role] >= rank[actionMinimumRole[action]];
}
