export { type AccountService, createAccountService } from './account-service.ts';
export {
  type AuditActor,
  AuditActorSchema,
  type AuditEntry,
  AuditEntrySchema,
  type AuditFilter,
  commandLineActor,
  describeActor,
  type NewAuditEntry,
  NewAuditEntrySchema,
} from './audit.ts';
export {
  type Editor,
  EditorEmailSchema,
  EditorSchema,
  type NewEditor,
  NewEditorSchema,
} from './editor.ts';
export { EditorExistsError, EditorNotFoundError, ForbiddenError } from './errors.ts';
export type { AuditStore, EditorStore, SessionStore, StoredSession } from './ports.ts';
export { type Action, actionMinimumRole, can, type Role, RoleSchema } from './role.ts';
export { generateSecretToken, hashSecretToken, isSecretTokenShape } from './secret-token.ts';
export {
  idleCutoff,
  isSessionAlive,
  sessionExpiry,
  type SessionPolicy,
  SIGN_IN_TOKEN_MINUTES,
  signInTokenExpiry,
} from './session-rules.ts';
export {
  createSessionService,
  type EditorSession,
  type SessionService,
} from './session-service.ts';
export {
  MAX_TESTERS_PER_NEWSLETTER,
  type NewsletterTester,
  NewsletterTesterSchema,
  TesterEmailSchema,
  type TesterStore,
} from './testers.ts';
