export { checkFiles, type CheckFilesOptions, type CheckReport, runCheck } from './check-files.ts';
export {
  type CheckProblem,
  CheckProblemSchema,
  formatLocation,
  formatProblem,
} from './check-problem.ts';
export {
  IssueConflictError,
  IssueFileExistsError,
  IssueFileInvalidError,
  IssueFileNotFoundError,
  NewsletterFileInvalidError,
} from './errors.ts';
export {
  compareDateOrDateTime,
  HttpUrlSchema,
  isCalendarDate,
  isHttpUrl,
  IsoDateOrDateTimeSchema,
  IsoDateSchema,
  SlugSchema,
} from './fields.ts';
export { createGitIssueCommitter, type GitIssueCommitterOptions } from './git-issue-committer.ts';
export {
  type Issue,
  IssueEnglishSchema,
  issueKey,
  IssueSchema,
  type IssueSection,
  IssueSectionSchema,
} from './issue.ts';
export type { IssueAuthor, IssueCommitRequest, IssueCommitter } from './issue-committer.ts';
export { diffIssueSummary } from './issue-diff.ts';
export {
  hashIssueText,
  type IssueDocument,
  type IssueFileOptions,
  issueFilePath,
  loadIssue,
  newslettersFor,
  readIssueDocument,
  readIssueNumbers,
  resolveIssuePath,
} from './issue-file.ts';
export { listIssueKeys } from './issue-keys.ts';
export { collectIssueLinks, type IssueLink, markdownLinks } from './issue-links.ts';
export { type IssueMatch, type ItemPlace, matchIssueParts } from './issue-match.ts';
export {
  isOpportunity,
  type Item,
  ITEM_KINDS,
  itemDeadline,
  ItemEnglishSchema,
  type ItemKind,
  ItemSchema,
  type OpportunityItem,
} from './item.ts';
export {
  createLinkChecker,
  type LinkChecker,
  type LinkCheckerOptions,
  type LinkResult,
} from './link-checker.ts';
export {
  type FeedSource,
  FeedSourceSchema,
  findSection,
  type Newsletter,
  NewsletterSchema,
  type NewsletterSection,
  NewsletterSectionSchema,
  type SectionRule,
  SectionRuleSchema,
} from './newsletter.ts';
export { createNewsletterLoader } from './newsletter-cache.ts';
export {
  loadNewsletter,
  loadNewsletters,
  NEWSLETTER_FILE_NAME,
  readNewsletterFile,
  scanNewsletters,
} from './newsletter-file.ts';
export { updateIssueText } from './update-issue-text.ts';
export {
  markdownFieldPaths,
  markdownImages,
  type ReadinessProblem,
  sendReadinessProblems,
} from './send-readiness.ts';
export {
  normalizeUrlForComparison,
  type ValidateIssueOptions,
  validateIssueText,
} from './validate-issue.ts';
export { validateNewsletterText } from './validate-newsletter.ts';
export { parseYamlSource, type YamlSource } from './yaml-document.ts';
export {
  checkIssueEdit,
  createIssueDocument,
  createIssueFile,
  formatIssueFile,
  type IssueCommitOptions,
  type IssueEdit,
  removeIssueFile,
  type SavedIssue,
  saveIssueFile,
  type SaveIssueRequest,
  writeFileAtomically,
} from './write-issue-file.ts';
