import type { Queue } from 'bullmq';

import type { InboxService } from '../../compose/index.ts';
import type { Newsletter } from '../../content/index.ts';
import type { WorkspaceHomeRepository } from '../../db/index.ts';
import type {
  AccountService,
  AuditStore,
  EditorStore,
  SessionPolicy,
  SessionService,
} from '../../editors/index.ts';
import type { FeedHealth } from '../../feeds/index.ts';
import type { Clock, Locale } from '../../lib/index.ts';
import type { IssueLinksService, IssueReviewService } from '../../review/index.ts';
import type { CampaignDeps } from './campaign-deps.ts';
import type { ComposerFiles } from './composer-deps.ts';
import type { PreviewPagesDeps } from './preview-deps.ts';
import type { SubscriberPagesDeps } from './subscriber-deps.ts';

/** A sign-in link to send: ids and the token only, the worker reads the address. */
export interface SignInMailJob {
  editorId: number;
  /** the one-time token (the link is `/editor/sign-in/<token>`) */
  token: string;
  locale: Locale;
}

/** Sends the one-time sign-in link of an account (through the `transactional` queue). */
export interface SignInMailer {
  enqueueSignIn(job: SignInMailJob): Promise<void>;
}

/** Limits of the sign-in form. */
export interface SignInRateLimits {
  /** Sign-in requests per address per 15 minutes. @defaultValue 5 */
  perAddress?: number;
  /** Sign-in requests per IP address per 15 minutes. @defaultValue 20 */
  perIp?: number;
}

/**
 * What the workspace (`/editor`) needs, passed in `WebDeps.editor`; without it the workspace is
 * not mounted. Route modules added later put their own dependencies in a field of their own
 * (see the marked place below) and build them in `src/app/web-deps.ts`.
 */
export interface EditorWorkspaceDeps {
  sessions: SessionService;
  accounts: AccountService;
  audit: Pick<AuditStore, 'list' | 'append'>;
  editors: Pick<EditorStore, 'setLocale' | 'findById'>;
  signInMailer: SignInMailer;
  /** idle and absolute session lifetimes (EDITOR_SESSION_IDLE_MINUTES, EDITOR_SESSION_MAX_HOURS) */
  sessionPolicy: SessionPolicy;
  /** Also print sign-in links on the console (development, `depeche demo`). */
  isPrintingSignInLinks: boolean;
  /** Where printed links go. @defaultValue a line on stderr */
  printLine?: ((line: string) => void) | undefined;
  rateLimits?: SignInRateLimits | undefined;
  /** Time zone the workspace shows times in. @defaultValue 'Europe/Paris' */
  timeZone?: string | undefined;
  /** What the home page reads: campaigns and new candidates per newsletter. */
  home: Pick<WorkspaceHomeRepository, 'recentCampaigns' | 'lastSentAt' | 'countNewCandidates'>;
  /** The health rows of a newsletter's feeds (the feed health repository fits). */
  feedHealth: { listForNewsletter(newsletterId: string): Promise<FeedHealth[]> };
  clock: Clock;
  /** The queues shown on the board at `/editor/queues` (admins); no board without them. */
  queues?: readonly Queue[] | undefined;
  /** Folder of the issue files (ISSUES_DIR), for the home page and the composer. */
  issuesDir: string;
  /**
   * The review and approval of issues and their own state (draft → in review → approved →
   * sent): pass each call the hash of the issue file as it is now.
   */
  review: IssueReviewService;

  // The route modules' own dependencies, one optional field each: without one, its pages answer 404.
  /** The editors' inbox: candidates filtered and paged, triage operations (`/editor/inbox`). */
  inbox?: InboxService | undefined;

  /** The campaign pages (`campaign-routes.ts`); without it they answer 404. */
  campaigns?: CampaignDeps | undefined;
  /** The subscriber pages (`subscriber-routes.ts`). */
  subscribers?: SubscriberPagesDeps | undefined;

  /** The preview, test-send and testers pages (`preview-deps.ts`); without it they answer 404. */
  preview?: PreviewPagesDeps | undefined;
  /** The issue files the composer opens, creates and saves (`composer-routes.ts`). */
  issueFiles?: ComposerFiles | undefined;
  /** A newsletter's `newsletter.yaml`, read fresh when it changes. */
  loadNewsletter?: ((id: string) => Promise<Newsletter>) | undefined;

  /** The link check of issues and the known marks (`issue-links-routes.ts`); 404 without it. */
  links?: IssueLinksService | undefined;

  // ── end of route modules' dependencies ──
}
