import type { RegisterCommand } from '../program.ts';
import { registerCampaignCommands } from './campaign.ts';
import { registerCandidatesCommands } from './candidates.ts';
import { registerCheckCommand } from './check.ts';
import { registerDbCommands } from './db.ts';
import { registerDemoCommand } from './demo.ts';
import { registerFeedsCommands } from './feeds.ts';
import { registerIssueCommands } from './issue.ts';
import { registerPreviewCommand } from './preview.ts';
import { registerRenderCommand } from './render.ts';
import { registerServeCommand } from './serve.ts';
import { registerSubscriberCommands } from './subscribers.ts';
import { registerTestSendCommand } from './test-send.ts';
import { registerWorkerCommand } from './worker.ts';

/** Every command module, in the order `depeche --help` lists them. */
export const commands: RegisterCommand[] = [registerCheckCommand, registerDbCommands, registerSubscriberCommands, registerFeedsCommands, registerCandidatesCommands, registerIssueCommands, registerRenderCommand, registerPreviewCommand, registerServeCommand, registerCampaignCommands, registerWorkerCommand, registerTestSendCommand, registerDemoCommand];
