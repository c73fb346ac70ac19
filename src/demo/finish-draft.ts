import { readFile, writeFile } from 'node:fs/promises';

import { parseDocument, visit } from 'yaml';

import { buildIssueReviewService } from '../app/index.ts';
import { findPlaceholder, frenchMonthName } from '../compose/index.ts';
import type { Config } from '../config/index.ts';
import { hashIssueText } from '../content/index.ts';
import type { Database } from '../db/index.ts';
import { commandLineActor } from '../editors/index.ts';
import type { Clock } from '../lib/index.ts';

/** What the demo's editor writes where drafting left a placeholder in an item. */
const SEE_THE_ANNOUNCEMENT = 'voir l’annonce';

/**
 * The editor's part of the demo on a drafted issue file: writes the preheader and the
 * introduction and replaces every other placeholder text (« À préciser » locations) — what the
 * send guards would refuse — keeping the file's comments. Returns the new text.
 */
export async function finishDemoDraft(file: string, month: string): Promise<string> {
  const doc = parseDocument(await readFile(file, 'utf8'));
  const when = frenchMonthName(month);
  doc.set('preheader', `Les nouvelles de ${when}, choisies dans les flux suivis.`);
  doc.set(
    'introduction',
    `Bonjour, voici le numéro de ${when} : une sélection faite dans les flux que nous suivons.\n`,
  );
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && findPlaceholder(node.value) !== undefined) {
        node.value = SEE_THE_ANNOUNCEMENT;
      }
    },
  });
  // Comments on a replaced scalar stay with the node; nothing else changes.
  const text = doc.toString();
  await writeFile(file, text);
  return text;
}

/**
 * Review as two people of the office would: an editor submits the issue as it is now, a
 * publisher approves it — through the review service `campaign create` asks.
 */
export async function approveDemoIssue(deps: {
  config: Pick<Config, 'REVIEW_REQUIRE_OTHER_APPROVER'>;
  db: Database;
  clock: Clock;
  issueKey: string;
  text: string;
}): Promise<void> {
  const review = buildIssueReviewService(deps);
  const hash = hashIssueText(deps.text);
  await review.submit(deps.issueKey, hash, commandLineActor('demo editor'));
  await review.approve(deps.issueKey, hash, commandLineActor('demo publisher'));
}
