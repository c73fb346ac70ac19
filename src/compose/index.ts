export {
  type ComposeService,
  type ComposeServiceDeps,
  createComposeService,
  type DraftCandidateStore,
  type DraftResult,
} from './compose-service.ts';
export { draftIssue, frenchMonthName, issueDateFor } from './draft-issue.ts';
export {
  createIssueFile,
  formatIssueFile,
  IssueFileExistsError,
  issueFilePath,
  readIssueNumbers,
} from './issue-file.ts';
export {
  candidateToItem,
  escapeMarkdown,
  selectCandidates,
  type Selection,
  UNKNOWN_LOCATION,
} from './select-candidates.ts';
export {
  createTriageService,
  type TriageCandidateStore,
  type TriageService,
  type TriageServiceDeps,
} from './triage-service.ts';
