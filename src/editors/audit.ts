import { z } from 'zod';

/** Who did something: a signed-in editor, or an operator at the command line. */
export const AuditActorSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('editor'), editorId: z.number().int().positive(), name: z.string() }),
  /** `name` is the operating-system user who ran the command. */
  z.object({ kind: z.literal('command-line'), name: z.string() }),
]);
export type AuditActor = z.infer<typeof AuditActorSchema>;

/** The actor of a command run by the operating-system user `osUser`. */
export function commandLineActor(osUser: string): AuditActor {
  return { kind: 'command-line', name: osUser };
}

/** How an actor reads in lists: an editor's address, or "command line (user)". */
export function describeActor(actor: AuditActor): string {
  return actor.kind === 'editor' ? actor.name : `command line (${actor.name})`;
}

/** What is appended to the audit log. */
export const NewAuditEntrySchema = z.object({
  actor: AuditActorSchema,
  action: z.string().min(1).max(100),
  objectType: z.string().max(100).nullable().default(null),
  objectId: z.string().max(200).nullable().default(null),
  details: z.record(z.string(), z.unknown()).default({}),
});
export type NewAuditEntry = z.input<typeof NewAuditEntrySchema>;

/** One row of the audit log. */
export const AuditEntrySchema = z.object({
  id: z.number().int().positive(),
  at: z.date(),
  actor: AuditActorSchema,
  action: z.string(),
  objectType: z.string().nullable(),
  objectId: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

/** Which audit rows to read. */
export interface AuditFilter {
  since?: Date;
  /** an editor's address, an OS user, or "command line" for every command-line entry */
  actor?: string;
  action?: string;
  /** only entries about this object, e.g. `issue` and `adn/2026-11` */
  objectType?: string;
  objectId?: string;
  limit?: number;
  /** rows to skip, newest first (paging) @defaultValue 0 */
  offset?: number;
}
