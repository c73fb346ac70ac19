export { itemFacts, sortByDeadline } from './helpers.ts';
export {
  CLOSING_SOON_DAYS,
  isClosingSoon,
  type IssueView,
  type ItemView,
  localizeIssue,
  type SectionView,
} from './localize.ts';
export { decodeEntities, htmlFragmentToText, markdownToHtml, markdownToText } from './markdown.ts';
export { compileMjml, type MjmlProblem, TemplateInvalidError } from './mjml-compiler.ts';
export {
  compilePersonalization,
  escapeHtml,
  greetingFor,
  type PersonalizationTemplate,
  personalize,
  type SplitBody,
} from './personalize.ts';
export {
  type PersonalizationValues,
  PersonalizationValuesSchema,
  type PlaceholderName,
  placeholderNames,
  PLACEHOLDERS,
  placeholderTemplateName,
} from './placeholders.ts';
export {
  type PreviewServer,
  type PreviewServerOptions,
  startPreviewServer,
} from './preview-server.ts';
export { previewValues } from './preview-values.ts';
export {
  type RenderedIssue,
  RenderedIssueSchema,
  type RenderedMessage,
  RenderedMessageSchema,
} from './rendered-issue.ts';
export {
  createRenderer,
  normalizeText,
  type Renderer,
  type RendererOptions,
  type RenderIssueOptions,
} from './renderer.ts';
export {
  createTemplateLoader,
  type TemplateLoader,
  type TemplateLoaderOptions,
} from './template-loader.ts';
