// Kept while src/web/editor/create-editor-deps.ts (moving to src/app/) imports this path.
export * from './app/build-issue-files.ts';
