import {
  checkIssueContent,
  formatFinding,
  type GuardFinding,
  isBlocking,
  renderedSizeFindings,
} from '../compose/index.ts';
import { AppError } from '../lib/index.ts';
import { compilePersonalization, personalize, placeholderNames } from '../render/index.ts';
import type { PreparedIssue } from './issue-snapshot.ts';

/**
 * Whether an issue is approved, for the content whose file hash is `contentHash`
 * (`createIssueReviewService(...).approvalOf` in the workspace's review).
 */
export type IssueApproval = { approved: true } | { approved: false; reason: string };

/** Looks up the approval of an issue's current content. */
export type ApprovalLookup = (issueKey: string, contentHash: string) => Promise<IssueApproval>;

/** What a campaign about to be created or scheduled must clear, and what was decided. */
export interface GateRequest {
  /** When it is planned to go out (schedule time, else now): deadlines and marks as of then. */
  sendAt: Date;
  /** The editor confirmed sending although some people would receive the issue twice. */
  confirmOverlap?: boolean;
  /** Created without an approved review (`--skip-review`, for emergencies; audited). */
  skipReview?: boolean;
}

/** What the gate found and decided for one campaign. */
export interface GateReport {
  findings: GuardFinding[];
  /** People of the audience the same issue already reached or is about to reach. */
  overlapCount: number;
  /** The review's verdict; `undefined` when no review is wired. */
  approval: IssueApproval | undefined;
  /** True when the findings (given the confirmations) let the campaign go ahead. */
  isAllowed: boolean;
}

/**
 * The campaign was refused by the send guards: its message has one line per finding that
 * blocks it (`where: what`); `findings` carries every finding for a form to place.
 */
export class CampaignRefusedError extends AppError {
  /** The findings that refused it. */
  readonly blocking: GuardFinding[];
  /** People of the audience who would receive the issue twice (0 when not checked). */
  readonly overlapCount: number;

  constructor(
    readonly issueKey: string,
    readonly findings: GuardFinding[],
    options: { confirmOverlap?: boolean | undefined; what?: string; overlapCount?: number } = {},
  ) {
    const blocking = findings.filter((finding) =>
      isBlocking(finding, { overlap: options.confirmOverlap === true }),
    );
    const count = blocking.length === 1 ? '1 problem' : `${blocking.length} problems`;
    super(
      'ECAMPAIGNREFUSED',
      [
        `Campaign for ${issueKey} not ${options.what ?? 'created'}, ${count}:`,
        ...blocking.map((finding) => `  ${formatFinding(finding)}`),
      ].join('\n'),
    );
    this.blocking = blocking;
    this.overlapCount = options.overlapCount ?? 0;
  }
}

/** Long stand-ins for the per-recipient values: the HTML is measured as a recipient gets it. */
const measuredValues = Object.fromEntries(
  placeholderNames.map((name) => [name, `https://example.org/${'x'.repeat(200)}`]),
) as Record<(typeof placeholderNames)[number], string>;

/** The HTML of each language with placeholders filled by long values (signed links). */
export function bodiesAsSent(prepared: Pick<PreparedIssue, 'snapshot'>) {
  return prepared.snapshot.bodies.map((body) => ({
    locale: body.locale,
    html: personalize(compilePersonalization(body), measuredValues).html,
  }));
}

/**
 * Every finding of the send guards for a prepared issue: the content guards at `sendAt`, the
 * HTML size, the overlap (`confirm`) and the review approval (`block` unless skipped). Pure.
 */
export function gateFindings(
  prepared: PreparedIssue,
  request: GateRequest,
  facts: {
    overlapCount: number;
    overlapCampaignIds: number[];
    approval: IssueApproval | undefined;
  },
): GateReport {
  const issueKey = prepared.snapshot.issueKey;
  const findings: GuardFinding[] = [
    ...checkIssueContent({
      issue: prepared.issue,
      sendAt: request.sendAt,
      source: prepared.source,
    }),
    ...renderedSizeFindings(bodiesAsSent(prepared)),
  ];
  if (facts.overlapCount > 0) {
    const people = facts.overlapCount === 1 ? '1 person' : `${facts.overlapCount} people`;
    findings.push({
      code: 'audience-overlap',
      level: 'confirm',
      path: [],
      where: 'audience',
      message: `${people} of this audience already received ${issueKey} or are about to (campaign ${facts.overlapCampaignIds.join(', ')}) and would receive it twice; confirm to send anyway (--confirm-overlap)`,
    });
  }
  const { approval } = facts;
  if (approval && !approval.approved) {
    findings.push({
      code: 'not-approved',
      level: request.skipReview ? 'warn' : 'block',
      path: [],
      where: 'review',
      message: request.skipReview
        ? `${approval.reason} (review skipped with --skip-review)`
        : `${approval.reason}; a campaign is made only of an approved issue (--skip-review for emergencies, audited)`,
    });
  }
  const confirmed = { overlap: request.confirmOverlap === true };
  return {
    findings,
    overlapCount: facts.overlapCount,
    approval,
    isAllowed: !findings.some((finding) => isBlocking(finding, confirmed)),
  };
}
