import type { RegisterCommand } from '../program.ts';

/**
 * Every command module by the top-level command it registers, in the order `depeche --help`
 * lists them. Modules are imported on demand: a command loads only what it needs, so
 * `depeche check` never loads MJML, BullMQ or the database drivers.
 */
const commandLoaders: Record<string, () => Promise<RegisterCommand>> = {
  check: async () => (await import('./check.ts')).registerCheckCommand,
  db: async () => (await import('./db.ts')).registerDbCommands,
  subscribers: async () => (await import('./subscribers.ts')).registerSubscriberCommands,
  feeds: async () => (await import('./feeds.ts')).registerFeedsCommands,
  candidates: async () => (await import('./candidates.ts')).registerCandidatesCommands,
  issue: async () => (await import('./issue.ts')).registerIssueCommands,
  render: async () => (await import('./render.ts')).registerRenderCommand,
  preview: async () => (await import('./preview.ts')).registerPreviewCommand,
  serve: async () => (await import('./serve.ts')).registerServeCommand,
  campaign: async () => (await import('./campaign.ts')).registerCampaignCommands,
  worker: async () => (await import('./worker.ts')).registerWorkerCommand,
  'test-send': async () => (await import('./test-send.ts')).registerTestSendCommand,
  demo: async () => (await import('./demo.ts')).registerDemoCommand,
  editors: async () => (await import('./editors.ts')).registerEditorsCommands,
  audit: async () => (await import('./editors.ts')).registerAuditCommands,
  inbound: async () => (await import('./bounces.ts')).registerInboundCommand,
  bounces: async () => (await import('./bounces.ts')).registerBouncesCommands,
  suppressions: async () => (await import('./suppressions.ts')).registerSuppressionsCommands,
};

/**
 * The command modules needed for `args` (the arguments after `depeche`): the named command's
 * alone, or all of them for help, a typo or no command.
 */
export async function loadCommands(args: readonly string[]): Promise<RegisterCommand[]> {
  const name = args.find((arg) => !arg.startsWith('-'));
  const loader = name === undefined ? undefined : commandLoaders[name];
  if (loader) return [await loader()];
  return Promise.all(Object.values(commandLoaders).map((load) => load()));
}
