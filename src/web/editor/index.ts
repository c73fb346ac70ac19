export type { CampaignDeps } from './campaign-deps.ts';
export type { EditorContext, EditorRouteModule } from './editor-context.ts';
export type {
  EditorWorkspaceDeps,
  SignInMailer,
  SignInMailJob,
  SignInRateLimits,
} from './editor-deps.ts';
export { sendEditorError } from './editor-errors.ts';
export { editorPlugin, type EditorPluginOptions } from './editor-plugin.ts';
export { editorLocale, editorT, renderEditorPage } from './editor-views.ts';
export { createImportUploads, type ImportUploads } from './import-uploads.ts';
export type { PreviewPagesDeps } from './preview-deps.ts';
export {
  PREVIEW_WIDTHS,
  previewContentSecurityPolicy,
  previewDocument,
  type PreviewPart,
  type PreviewWidth,
} from './preview-document.ts';
export {
  type FieldProblem,
  ISSUE_BODY_LIMIT,
  IssueParamsSchema,
  loadSavedIssue,
  parseIssueField,
  placementProblems,
  PreviewOptionsSchema,
  previewPagesOf,
  previewProblemTexts,
  previewResponse,
  type PreviewResponseOptions,
  sendFieldProblems,
} from './preview-routes.ts';
export { requireAction } from './require-action.ts';
export { EDITOR_COOKIE, EDITOR_PREFIX, editorOf, type SignedInEditor } from './session.ts';
export { type TestSendFormData, testSendFormData, TestSendFormSchema } from './test-send-routes.ts';
