import type { FastifyInstance } from 'fastify';

import {
  CampaignRefusedError,
  type GateReport,
  parseSegment,
  type Segment,
  SegmentInvalidError,
} from '../../campaigns/index.ts';
import type { GuardFinding } from '../../compose/index.ts';
import { formatLocation, listIssueKeys } from '../../content/index.ts';
import type { Translate } from '../../lib/index.ts';
import { recordCampaignAction } from './campaign-audit.ts';
import type { CampaignDeps } from './campaign-deps.ts';
import {
  CreateCampaignBodySchema,
  firstProblem,
  NewCampaignQuerySchema,
  segmentCareerStages,
  segmentFromForm,
} from './campaign-forms.ts';
import type { EditorContext } from './editor-context.ts';
import { sendEditorError } from './editor-errors.ts';
import { editorT, renderEditorPage } from './editor-views.ts';
import { requireAction } from './require-action.ts';

/** What the review step shows: the audience and every send-guard finding, placed. */
interface ReviewView {
  segment: string;
  audienceCount: number;
  findings: Array<GuardFinding & { levelText: string; pathText: string }>;
  overlapCount: number;
  isBlocked: boolean;
}

function reviewView(
  t: Translate,
  segment: string,
  audienceCount: number,
  gate: Pick<GateReport, 'findings' | 'overlapCount'>,
): ReviewView {
  return {
    segment,
    audienceCount,
    findings: gate.findings.map((finding) => ({
      ...finding,
      levelText: t(`editor.campaigns.finding.${finding.level}`),
      pathText: formatLocation(finding.path),
    })),
    overlapCount: gate.overlapCount,
    isBlocked: gate.findings.some((finding) => finding.level === 'block'),
  };
}

/**
 * Creating a campaign, in two steps that work without JavaScript: `GET /campaigns/new` (choose the
 * newsletter, the issue file and the segment), the same GET with `step=review` (the audience size
 * and the segment as `--segment` text, and the send guards' findings at the current time, nothing
 * created yet), then `POST /campaigns` from the review, which creates the draft through the
 * delivery service — as `depeche campaign create` does, guards and review approval included —
 * and audits it. An overlapping audience needs the review step's confirmation checkbox; there
 * is no skipping of the review here (that is the command line's `--skip-review`). Both need
 * the publisher role.
 */
export function registerCampaignCreateRoutes(
  app: FastifyInstance,
  ctx: EditorContext,
  deps: CampaignDeps,
  newsletterIds: readonly string[],
): void {
  app.get(
    '/campaigns/new',
    { preHandler: requireAction('campaign.create') },
    async (request, reply) => {
      const t = editorT(request);
      const parsed = NewCampaignQuerySchema.safeParse(request.query);
      const query = parsed.success ? parsed.data : NewCampaignQuerySchema.parse({});
      const newsletterId =
        query.newsletter && newsletterIds.includes(query.newsletter)
          ? query.newsletter
          : (query.issue?.split('/')[0] ?? newsletterIds[0] ?? '');
      const issues = await listIssueKeys(ctx.deps.issuesDir, newsletterId);
      let problem = parsed.success ? undefined : firstProblem(parsed.error);
      let review: ReviewView | undefined;
      if (problem === undefined && query.step === 'review') {
        if (!query.issue || !issues.includes(query.issue)) {
          problem = `issue: '${query.issue ?? ''}' has no issue file under ${newsletterId}/`;
        } else {
          try {
            const { segment, text } = segmentFromForm(query);
            const audienceCount = await deps.reader.audienceSize({ newsletterId, segment });
            const gate = await deps.delivery.preflight({ issueRef: query.issue, segment });
            review = reviewView(t, text, audienceCount, gate);
          } catch (error) {
            if (!(error instanceof SegmentInvalidError)) throw error;
            problem = error.message;
          }
        }
      }
      if (problem !== undefined) reply.code(400);
      const back = new URLSearchParams();
      for (const [key, value] of Object.entries(request.query as Record<string, unknown>)) {
        for (const item of Array.isArray(value) ? value : [value]) {
          if (key !== 'step' && typeof item === 'string') back.append(key, item);
        }
      }
      return renderEditorPage(reply, request, review ? 'campaign-review' : 'campaign-new', {
        title: review ? t('editor.campaigns.new.review_title') : t('editor.campaigns.new.title'),
        error: problem ? t('editor.campaigns.new.invalid', { reason: problem }) : undefined,
        newsletters: ctx.newsletters.map((n) => ({ ...n, isCurrent: n.id === newsletterId })),
        newsletterId,
        issues: issues.map((key) => ({ key, isCurrent: key === query.issue })),
        form: query,
        locales: ['fr', 'en'].map((code) => ({ code, isChecked: query.locale.includes(code) })),
        stages: segmentCareerStages.map((code) => ({
          code,
          isChecked: query.career_stage.includes(code),
        })),
        review,
        issue: query.issue,
        changeUrl: `/editor/campaigns/new?${back.toString()}`,
      });
    },
  );

  app.post(
    '/campaigns',
    { preHandler: requireAction('campaign.create') },
    async (request, reply) => {
      const body = CreateCampaignBodySchema.safeParse(request.body);
      if (!body.success) return sendEditorError(request, reply, 400, 'bad_request');
      const newsletterId = body.data.issue.split('/')[0] ?? '';
      const issues = await listIssueKeys(ctx.deps.issuesDir, newsletterId);
      let segment: Segment;
      try {
        segment = parseSegment(body.data.segment === 'everyone' ? '' : body.data.segment);
      } catch (error) {
        if (error instanceof SegmentInvalidError) {
          return sendEditorError(request, reply, 400, 'bad_request');
        }
        throw error;
      }
      if (!newsletterIds.includes(newsletterId) || !issues.includes(body.data.issue)) {
        return sendEditorError(request, reply, 400, 'bad_request');
      }
      let created;
      try {
        created = await deps.delivery.create({
          issueRef: body.data.issue,
          segment,
          confirmOverlap: body.data.confirm_overlap === 'yes',
        });
      } catch (error) {
        if (!(error instanceof CampaignRefusedError)) throw error;
        const t = editorT(request);
        const audienceCount = await deps.reader.audienceSize({ newsletterId, segment });
        reply.code(409);
        return renderEditorPage(reply, request, 'campaign-review', {
          title: t('editor.campaigns.new.review_title'),
          refused: true,
          issue: body.data.issue,
          review: reviewView(t, body.data.segment, audienceCount, {
            findings: error.findings,
            overlapCount: error.overlapCount,
          }),
          changeUrl: `/editor/campaigns/new?issue=${encodeURIComponent(body.data.issue)}`,
        });
      }
      await recordCampaignAction(deps, request, 'create', created.campaign, {
        audienceCount: created.audienceCount,
        overlapCount: created.gate.overlapCount,
        ...(created.gate.overlapCount > 0 ? { isOverlapConfirmed: true } : {}),
      });
      return reply.redirect(`/editor/campaigns/${created.campaign.id}?done=create`, 303);
    },
  );
}
