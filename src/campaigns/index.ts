export {
  type ApprovalLookup,
  bodiesAsSent,
  CampaignRefusedError,
  gateFindings,
  type GateReport,
  type GateRequest,
  type IssueApproval,
} from './campaign-gate.ts';
export {
  type CampaignReader,
  type CampaignReaderDeps,
  createCampaignReader,
  type FailureReply,
  topFailureCount,
} from './campaign-reader.ts';
export {
  type CampaignProgress,
  type CampaignService,
  type CampaignServiceDeps,
  createCampaignService,
  type CreateInput,
} from './campaign-service.ts';
export { CampaignNotFoundError, CampaignNotSendableError, SegmentInvalidError } from './errors.ts';
export { fanOutPageSize, planBatches } from './fan-out.ts';
export {
  campaignLocales,
  contentHashOf,
  createIssuePreparer,
  createIssueSnapshotter,
  type IssueSnapshot,
  type IssueSnapshotterDeps,
  type PreparedIssue,
} from './issue-snapshot.ts';
export {
  type Campaign,
  type CampaignAction,
  type CampaignBody,
  CampaignBodySchema,
  CampaignSchema,
  type CampaignStatus,
  CampaignStatusSchema,
  type CampaignTotals,
  type CampaignTransition,
  type ClaimedRecipient,
  ClaimedRecipientSchema,
  decideScheduledStart,
  type DeliveryCounts,
  type DeliveryOutcome,
  type DeliveryStatus,
  DeliveryStatusSchema,
  isErrorRateExceeded,
  isSendable,
  maxScheduleLatenessMs,
  type NewsletterSnapshot,
  NewsletterSnapshotSchema,
  planTransition,
} from './model.ts';
export type {
  AudienceStore,
  BatchStore,
  CampaignProgressStore,
  CampaignStore,
  DeliveryEnqueuer,
  DeliveryStore,
  FanOutPage,
  NewCampaign,
  ProgressWrite,
  ProgressWritten,
  StoreHandle,
} from './ports.ts';
export { describeSegment, parseSegment, type Segment, SegmentSchema } from './segment.ts';
export {
  buildSendingStatus,
  describeStall,
  finishedCount,
  formatDuration,
  isSettled,
  type ProgressReading,
  type SendingStatus,
  SendingStatusSchema,
  speedWindowSec,
  stallAfterMs,
} from './sending-status.ts';
