import type { NewsletterSubscribers } from './demo-files.ts';

/** An issue file the demo drafted from candidates. */
export interface DraftedIssue {
  newsletterId: string;
  /** `adn/2026-11` */
  issueRef: string;
  file: string;
  items: number;
  /** Item titles, French, as written in the file. */
  titles: string[];
}

/** Where a rendered issue was written. */
export interface RenderedIssueFiles {
  html: string;
  text: string;
}

/**
 * The product steps of the demo, each through the services' public APIs. Kept apart from
 * `runDemo`'s sequencing and environment so that what is the product and what is the demo stays
 * visible.
 */
export interface DemoPipeline {
  pollFeeds(): Promise<{ polled: number; failed: number; candidates: number }>;
  draftIssues(newsletterIds: string[], month: string): Promise<DraftedIssue[]>;
  /** Imports one newsletter's sample subscribers as confirmed; returns how many are active. */
  importSubscribers(list: NewsletterSubscribers): Promise<number>;
  renderIssue(issue: DraftedIssue, outDir: string): Promise<RenderedIssueFiles>;
  /** Creates the campaign, sends it and waits until it is done. */
  sendIssue(
    issue: DraftedIssue,
    progress: (line: string) => void,
  ): Promise<{ campaignId: number; sent: number; failed: number }>;
  /** Fetches each newsletter's archive page from the running web app and writes it to a file. */
  archivePages(
    newsletterIds: string[],
    outDir: string,
  ): Promise<Array<{ newsletterId: string; url: string; file: string }>>;
  close(): Promise<void>;
}
