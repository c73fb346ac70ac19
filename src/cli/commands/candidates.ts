import { userInfo } from 'node:os';

import type { App } from '../../app/index.ts';
import { commandLineActor } from '../../editors/index.ts';
import { type Candidate, CandidateStatusSchema } from '../../feeds/index.ts';
import { systemClock, ValidationError } from '../../lib/index.ts';
import { printResult } from '../context.ts';
import type { RegisterCommand } from '../program.ts';
import { openFeedServices } from './feeds.ts';

function parseIds(values: string[]): number[] {
  return values.map((value) => {
    const id = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(id) || id <= 0) {
      throw new ValidationError(`Candidate id '${value}' is not a positive whole number`);
    }
    return id;
  });
}

function parseSince(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(`${value}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(date.getTime())) {
    throw new ValidationError(`Date '${value}' is not written YYYY-MM-DD`);
  }
  return date;
}

function candidateLines(candidate: Candidate): string[] {
  const date = (candidate.publishedAt ?? candidate.firstSeenAt).toISOString().slice(0, 10);
  const extra = [
    candidate.deadline ? `deadline ${candidate.deadline}` : '',
    candidate.usedInIssue ? `used in ${candidate.usedInIssue}` : '',
  ].filter(Boolean);
  return [
    `#${candidate.id}  [${candidate.status}]  ${date}  ${candidate.sectionId ?? '—'}  ` +
      `${candidate.title} (${candidate.sourceName})${extra.length ? ` · ${extra.join(' · ')}` : ''}`,
    `      ${candidate.url}`,
  ];
}

/**
 * Records a triage done from the command line in the audit log, as the workspace does for its
 * editors (actions `candidate.pick` and `candidate.dismiss`, actor "command line" and the OS
 * user), one entry per candidate.
 */
async function recordTriage(
  app: App,
  action: 'candidate.pick' | 'candidate.dismiss',
  candidates: readonly Candidate[],
  details: Record<string, unknown> = {},
): Promise<void> {
  const { audit } = app;
  const actor = commandLineActor(userInfo().username);
  for (const candidate of candidates) {
    await audit.append(
      {
        actor,
        action,
        objectType: 'candidate',
        objectId: String(candidate.id),
        details: { newsletterId: candidate.newsletterId, title: candidate.title, ...details },
      },
      systemClock.now(),
    );
  }
}

/** `depeche candidates list|pick|dismiss`: the editorial inbox. */
export const registerCandidatesCommands: RegisterCommand = (program, ctx) => {
  const candidates = program
    .command('candidates')
    .description('candidate items from the feeds: list, pick for the next issue, dismiss');

  candidates
    .command('list')
    .description('list the candidates of a newsletter, newest first')
    .requiredOption('--newsletter <id>', 'newsletter id')
    .option('--status <status>', 'new, picked or dismissed')
    .option('--since <date>', 'published (or first seen) on or after YYYY-MM-DD')
    .option('--json', 'print the result as JSON')
    .action(
      async (options: { newsletter: string; status?: string; since?: string; json?: boolean }) => {
        const status =
          options.status === undefined
            ? undefined
            : CandidateStatusSchema.safeParse(options.status).data;
        if (options.status !== undefined && status === undefined) {
          throw new ValidationError(
            `Unknown status '${options.status}': use new, picked or dismissed`,
          );
        }
        const since = parseSince(options.since);
        const services = await openFeedServices(ctx, 'candidates list');
        const list = await services.triage.list({
          newsletterId: options.newsletter,
          status,
          since,
        });
        printResult(ctx, options.json, list, () =>
          list.length === 0
            ? [`No candidates for ${options.newsletter}.`]
            : [
                `${list.length} candidate(s) for ${options.newsletter}:`,
                ...list.flatMap(candidateLines),
              ],
        );
      },
    );

  candidates
    .command('pick')
    .description('pick candidates for the next issue (optionally into another section)')
    .argument('<ids...>', 'candidate ids')
    .option('--section <id>', 'section of the newsletter to put them in')
    .option('--json', 'print the result as JSON')
    .action(async (ids: string[], options: { section?: string; json?: boolean }) => {
      const parsed = parseIds(ids);
      const services = await openFeedServices(ctx, 'candidates pick');
      const picked = await services.triage.pick(parsed, { sectionId: options.section });
      await recordTriage(
        services.app,
        'candidate.pick',
        picked,
        options.section ? { sectionId: options.section } : {},
      );
      printResult(ctx, options.json, picked, () => [
        `Picked ${picked.length} candidate(s).`,
        ...picked.flatMap(candidateLines),
      ]);
    });

  candidates
    .command('dismiss')
    .description('dismiss candidates; they are never proposed again')
    .argument('<ids...>', 'candidate ids')
    .option('--json', 'print the result as JSON')
    .action(async (ids: string[], options: { json?: boolean }) => {
      const parsed = parseIds(ids);
      const services = await openFeedServices(ctx, 'candidates dismiss');
      const dismissed = await services.triage.dismiss(parsed);
      await recordTriage(services.app, 'candidate.dismiss', dismissed);
      printResult(ctx, options.json, dismissed, () => [
        `Dismissed ${dismissed.length} candidate(s).`,
      ]);
    });
};
