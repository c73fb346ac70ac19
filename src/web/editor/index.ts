export { createEditorWorkspaceDeps, type EditorWorkspaceServices } from './create-editor-deps.ts';
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
export { requireAction } from './require-action.ts';
export { EDITOR_COOKIE, EDITOR_PREFIX, editorOf, type SignedInEditor } from './session.ts';
