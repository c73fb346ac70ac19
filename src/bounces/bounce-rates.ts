/** Counts of one campaign's bounces and complaints (from the bounce repository). */
export interface CampaignBounceCountsInput {
  hard: number;
  soft: number;
  policy: number;
  unknown: number;
  complaints: number;
  bouncedDeliveries: number;
  policyByDomain: Array<{ domain: string; count: number }>;
}

/** What `campaign status` shows of what came back. */
export interface BounceSummary extends CampaignBounceCountsInput {
  /** Bounced deliveries per message submitted (0…1), null before any was submitted. */
  bounceRate: number | null;
  /** Complaints per message submitted (0…1), null before any was submitted. */
  complaintRate: number | null;
  /** True above {@link complaintRateWarning}: mailbox providers start filtering to spam. */
  isComplaintRateHigh: boolean;
}

/** Complaint rate above which `campaign status` warns (0.1 %, the mailbox providers' line). */
export const complaintRateWarning = 0.001;

/** Rates of a campaign's bounces and complaints over its submitted messages (pure). */
export function summarizeBounces(counts: CampaignBounceCountsInput, sent: number): BounceSummary {
  const bounceRate = sent > 0 ? counts.bouncedDeliveries / sent : null;
  const complaintRate = sent > 0 ? counts.complaints / sent : null;
  return {
    ...counts,
    bounceRate,
    complaintRate,
    isComplaintRateHigh: complaintRate !== null && complaintRate > complaintRateWarning,
  };
}

const percent = (rate: number | null, digits: number) =>
  rate === null ? '—' : `${(rate * 100).toFixed(digits)} %`;

/** The lines `campaign status` prints, indented like its others. */
export function bounceSummaryLines(summary: BounceSummary): string[] {
  const lines = [
    `  bounced ${summary.bouncedDeliveries} (${percent(summary.bounceRate, 1)}: hard ${summary.hard} · soft ${summary.soft} · policy ${summary.policy} · other ${summary.unknown}) · complaints ${summary.complaints} (${percent(summary.complaintRate, 2)})`,
  ];
  if (summary.policyByDomain.length > 0) {
    lines.push(
      `  policy blocks by domain: ${summary.policyByDomain.map((d) => `${d.domain} ${d.count}`).join(' · ')}`,
    );
  }
  if (summary.isComplaintRateHigh) {
    lines.push(
      `  warning: complaint rate ${percent(summary.complaintRate, 2)} is above 0.1 %; mailbox providers may send the next issues to spam`,
    );
  }
  return lines;
}
