import { userInfo } from 'node:os';

import cliProgress from 'cli-progress';
import type { Command } from 'commander';

import { bounceSummaryLines } from '../../bounces/index.ts';
import {
  type Campaign,
  CampaignStatusSchema,
  describeSegment,
  type FailureReply,
  finishedCount,
  formatDuration,
  isSettled,
  parseSegment,
  type SendingStatus,
} from '../../campaigns/index.ts';
import { formatFinding } from '../../compose/index.ts';
import { loadNewsletter } from '../../content/index.ts';
import { commandLineActor } from '../../editors/index.ts';
import { systemClock, ValidationError } from '../../lib/index.ts';
import { assertRedisAnswers } from '../../queue/index.ts';
import { type CliContext, printResult } from '../context.ts';
import type { RegisterCommand } from '../program.ts';

/** Commands that enqueue a job: they check Redis before they change any state. */
const enqueuingCommands = new Set(['send', 'schedule', 'resume', 'retry']);

async function openDelivery(ctx: CliContext, command: string) {
  const config = ctx.config();
  // Redis is opened by the first enqueue: `create`, `list` and `status` read PostgreSQL alone.
  // A command that cannot enqueue must say so in one line before it changes state.
  if (enqueuingCommands.has(command)) await assertRedisAnswers(await ctx.redis(), config.redis);
  const app = await ctx.app(`depeche campaign ${command}`, { isMigrating: false });
  const { delivery, audit } = app;
  const actor = commandLineActor(userInfo().username);
  /** Appends the command's action on a campaign to the audit log. */
  const record = async (campaign: Campaign, details: Record<string, unknown> = {}) => {
    await audit.append(
      {
        actor,
        action: `campaign.${command}`,
        objectType: 'campaign',
        objectId: String(campaign.id),
        details: { issueKey: campaign.issueKey, status: campaign.status, ...details },
      },
      systemClock.now(),
    );
  };
  return {
    ...delivery.service,
    reader: delivery.reader,
    record,
    bounceSummary: app.bounceReport,
  };
}

function parseId(raw: string): number {
  const id = Number(raw);
  if (!Number.isInteger(id) || id <= 0) {
    throw new ValidationError(`Campaign id '${raw}' is not a positive integer`);
  }
  return id;
}

/** An ISO 8601 date-time given to `option`. */
function parseTime(option: string, text: string): Date {
  const at = new Date(text);
  if (Number.isNaN(at.getTime()) || !/^\d{4}-\d{2}-\d{2}T/.test(text)) {
    throw new ValidationError(`${option} '${text}' is not an ISO 8601 date-time`);
  }
  return at;
}

function summary(campaign: Campaign): string {
  const reason = campaign.statusReason ? ` — ${campaign.statusReason}` : '';
  const at = campaign.scheduledAt ? ` at ${campaign.scheduledAt.toISOString()}` : '';
  return `Campaign ${campaign.id} (${campaign.issueKey}) is ${campaign.status}${campaign.status === 'scheduled' ? at : ''}${reason}`;
}

function statusLines(status: SendingStatus): string[] {
  return [
    `Campaign ${status.id} (${status.issueKey}): ${status.status}${status.statusReason ? ` — ${status.statusReason}` : ''}`,
    `  recipients ${status.total}${status.isFanoutDone || !['sending', 'paused'].includes(status.status) ? '' : ' so far (fan-out running)'}`,
    `  sent ${status.sent} · failed ${status.failed} · uncertain ${status.uncertain} · skipped ${status.skipped} · remaining ${status.remaining}`,
    `  ${status.messagesPerSecond ?? '—'} messages/s · ETA ${formatDuration(status.etaSeconds)}`,
    ...(status.stall === null ? [] : [`  stalled: ${status.stall}`]),
  ];
}

/** A lifecycle action: `depeche campaign <name> ID`. */
function action(
  parent: Command,
  ctx: CliContext,
  name: string,
  description: string,
  run: (service: Awaited<ReturnType<typeof openDelivery>>, id: number) => Promise<Campaign>,
) {
  parent
    .command(`${name} <id>`)
    .description(description)
    .option('--json', 'print the campaign as JSON')
    .action(async (rawId: string, options: { json?: boolean }) => {
      const service = await openDelivery(ctx, name);
      const campaign = await run(service, parseId(rawId));
      await service.record(campaign);
      printResult(ctx, options.json, campaign, () => [summary(campaign)]);
    });
}

async function watchStatus(ctx: CliContext, id: number, isJson: boolean | undefined) {
  const { reader } = await openDelivery(ctx, 'status');
  const isTty = process.stdout.isTTY === true && !isJson;
  const bar = isTty
    ? new cliProgress.SingleBar(
        {
          format:
            '{bar} {percentage}% | sent {sent} · failed {failed} · uncertain {uncertain} · remaining {remaining} | {rate} msg/s · ETA {eta_text}',
          hideCursor: true,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  let isStarted = false;
  let isInterrupted = false;
  const onSignal = () => {
    isInterrupted = true;
  };
  process.once('SIGINT', onSignal);
  try {
    for (;;) {
      const status = await reader.status(id);
      const isOver = isSettled(status);
      if (bar) {
        const payload = {
          sent: status.sent,
          failed: status.failed,
          uncertain: status.uncertain,
          remaining: status.remaining,
          rate: status.messagesPerSecond ?? '—',
          eta_text: formatDuration(status.etaSeconds),
        };
        if (!isStarted) bar.start(Math.max(status.total, 1), finishedCount(status), payload);
        isStarted = true;
        bar.setTotal(Math.max(status.total, 1));
        bar.update(finishedCount(status), payload);
        if (isOver) bar.stop();
      } else {
        printResult(ctx, isJson, status, () => [statusLines(status).join(' ')]);
      }
      if (isOver || isInterrupted) {
        if (bar) for (const line of statusLines(status)) ctx.print(line);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, bar ? 500 : 2000));
    }
  } finally {
    process.off('SIGINT', onSignal);
    if (bar && isStarted) bar.stop();
  }
}

/** `depeche campaign create|send|schedule|pause|resume|cancel|retry|list|status`. */
export const registerCampaignCommands: RegisterCommand = (program, ctx) => {
  const campaign = program
    .command('campaign')
    .description('campaigns: send an issue to its subscribers');

  campaign
    .command('create <issue>')
    .description(
      'render ISSUE (file path or adn/2026-11) per language and store a draft campaign, once the send guards and the review allow it',
    )
    .option('--segment <filters>', "audience filter, e.g. 'country=US|MX,locale=fr,attr.lab=CNRS'")
    .option(
      '--send-at <time>',
      'planned send time (ISO 8601): deadlines and « closing soon » marks as of then (default now)',
    )
    .option(
      '--confirm-overlap',
      'create it although part of the audience already got this issue (they receive it twice)',
    )
    .option('--skip-review', 'emergencies only: create it without an approved review (audited)')
    .option('--json', 'print the result as JSON')
    .action(
      async (
        issueRef: string,
        options: {
          segment?: string;
          sendAt?: string;
          confirmOverlap?: boolean;
          skipReview?: boolean;
          json?: boolean;
        },
      ) => {
        const segment = parseSegment(options.segment);
        const sendAt =
          options.sendAt === undefined ? undefined : parseTime('--send-at', options.sendAt);
        const service = await openDelivery(ctx, 'create');
        const {
          campaign: created,
          audienceCount,
          gate,
        } = await service.create({
          issueRef,
          segment,
          ...(sendAt ? { sendAt } : {}),
          confirmOverlap: options.confirmOverlap === true,
          skipReview: options.skipReview === true,
        });
        const isReviewSkipped = gate.approval?.approved === false;
        await service.record(created, {
          audienceCount,
          ...(sendAt ? { sendAt: sendAt.toISOString() } : {}),
          ...(gate.overlapCount > 0
            ? { overlapCount: gate.overlapCount, isOverlapConfirmed: true }
            : {}),
          ...(gate.approval?.approved === false
            ? { isReviewSkipped: true, notApprovedReason: gate.approval.reason }
            : {}),
        });
        printResult(ctx, options.json, { campaign: created, audienceCount, gate }, () => [
          ...gate.findings.map(
            (finding) =>
              `${finding.level === 'warn' ? 'warning' : 'confirmed'}: ${formatFinding(finding)}`,
          ),
          `Campaign ${created.id} created (draft) for ${created.issueKey}, segment ${describeSegment(created.segment)}: ${audienceCount} recipients today.`,
          ...(isReviewSkipped
            ? ['Review skipped (--skip-review): recorded in the audit log.']
            : []),
          `Send it with 'depeche campaign send ${created.id}' or schedule it with 'depeche campaign schedule ${created.id} --at ISO-TIME'.`,
        ]);
      },
    );

  campaign
    .command('audience <newsletter>')
    .description('how many subscribers a segment of NEWSLETTER reaches today, before creating')
    .option('--segment <filters>', "audience filter, e.g. 'country=US|MX,locale=fr,attr.lab=CNRS'")
    .option('--json', 'print the result as JSON')
    .action(async (newsletterId: string, options: { segment?: string; json?: boolean }) => {
      const segment = parseSegment(options.segment);
      await loadNewsletter(ctx.config().ISSUES_DIR, newsletterId);
      const { reader } = await openDelivery(ctx, 'audience');
      const audienceCount = await reader.audienceSize({ newsletterId, segment });
      printResult(ctx, options.json, { newsletterId, segment, audienceCount }, () => [
        `${newsletterId}, segment ${describeSegment(segment)}: ${audienceCount} recipients today.`,
      ]);
    });

  action(campaign, ctx, 'send', 'start sending now (also an overdue scheduled campaign)', (s, id) =>
    s.send(id),
  );
  campaign
    .command('schedule <id>')
    .description(
      'send at a given time (ISO 8601, e.g. 2026-11-05T08:00:00+01:00); refused while a deadline of the issue is past on that date',
    )
    .requiredOption('--at <time>', 'when to start')
    .option('--json', 'print the campaign as JSON')
    .action(async (rawId: string, options: { at: string; json?: boolean }) => {
      const at = parseTime('--at', options.at);
      const service = await openDelivery(ctx, 'schedule');
      const scheduled = await service.schedule(parseId(rawId), at);
      await service.record(scheduled, { at: at.toISOString() });
      printResult(ctx, options.json, scheduled, () => [summary(scheduled)]);
    });
  action(campaign, ctx, 'pause', 'stop sending; queued messages wait', (s, id) => s.pause(id));
  action(campaign, ctx, 'resume', 'send what is queued again', (s, id) => s.resume(id));
  action(campaign, ctx, 'cancel', 'stop for good; queued messages are never sent', (s, id) =>
    s.cancel(id),
  );

  campaign
    .command('retry <id>')
    .description('send again the failed (--failed) or uncertain (--uncertain) messages')
    .option('--failed', 'messages refused or given up after retries')
    .option('--uncertain', 'messages whose worker stopped mid-conversation (may arrive twice)')
    .option('--json', 'print the result as JSON')
    .action(
      async (rawId: string, options: { failed?: boolean; uncertain?: boolean; json?: boolean }) => {
        if (options.failed === options.uncertain) {
          throw new ValidationError('Give exactly one of --failed or --uncertain');
        }
        const service = await openDelivery(ctx, 'retry');
        const result = await service.retry(parseId(rawId), options.failed ? 'failed' : 'uncertain');
        await service.record(result.campaign, {
          which: options.failed ? 'failed' : 'uncertain',
          requeued: result.requeued,
        });
        printResult(ctx, options.json, result, () => [
          `${result.requeued} messages queued again. ${summary(result.campaign)}`,
        ]);
      },
    );

  campaign
    .command('list')
    .description('the most recent campaigns')
    .option('--status <status>', 'only campaigns in this state')
    .option('--newsletter <id>', 'only campaigns of this newsletter')
    .option('--limit <n>', 'how many', '20')
    .option('--json', 'print the campaigns as JSON')
    .action(
      async (options: { status?: string; newsletter?: string; limit: string; json?: boolean }) => {
        const status =
          options.status === undefined ? undefined : CampaignStatusSchema.parse(options.status);
        const { reader } = await openDelivery(ctx, 'list');
        const list = await reader.list({
          limit: Math.min(Math.max(Number(options.limit) || 20, 1), 1000),
          ...(status ? { statuses: [status] } : {}),
          ...(options.newsletter ? { newsletterId: options.newsletter } : {}),
        });
        printResult(ctx, options.json, list, () =>
          list.length === 0
            ? ['No campaigns.']
            : list.map(
                (c) =>
                  `${String(c.id).padStart(5)}  ${c.status.padEnd(9)}  ${c.issueKey.padEnd(22)}  ${c.recipientCount} recipients  sent ${c.sentCount} failed ${c.failedCount}  ${describeSegment(c.segment)}`,
              ),
        );
      },
    );

  campaign
    .command('status <id>')
    .description('counts, speed and ETA of a campaign')
    .option('--watch', 'follow the progress live until the campaign stops')
    .option('--json', 'print the status as JSON')
    .action(async (rawId: string, options: { watch?: boolean; json?: boolean }) => {
      const id = parseId(rawId);
      if (options.watch) return watchStatus(ctx, id, options.json);
      const { reader, bounceSummary } = await openDelivery(ctx, 'status');
      const status = await reader.status(id);
      const topFailures: FailureReply[] = await reader.topFailures(id);
      const bounces = await bounceSummary(id, status.sent);
      printResult(ctx, options.json, { ...status, topFailures, bounces }, () => [
        ...statusLines(status),
        ...bounceSummaryLines(bounces),
        ...topFailures.map((f) => `  ${f.count} × ${f.reply}`),
      ]);
    });
};
