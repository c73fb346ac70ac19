import { execFile } from 'node:child_process';
import { basename, dirname } from 'node:path';
import { promisify } from 'node:util';

import type { Logger } from '../lib/index.ts';
import type { IssueCommitRequest, IssueCommitter } from './issue-committer.ts';

const run = promisify(execFile);

/** Options of {@link createGitIssueCommitter}. */
export interface GitIssueCommitterOptions {
  logger: Logger;
  /** The git program. @defaultValue 'git' */
  gitBinary?: string;
  /** Longest a git command may take before the commit is given up. @defaultValue 15000 */
  timeoutMs?: number;
}

/**
 * Commits each saved issue file, alone, in the git work tree it sits in, authored and committed
 * by the editor: `git add -- <file>` then `git -c user.name=… -c user.email=… commit --author
 * "Name <email>" -- <file>`, run without a shell. Other changes of the work tree, staged or not,
 * are left out; the repository's hooks run. When git is missing or the folder is not a work tree, nothing is committed and
 * one warning says so (`event: 'issues.git.unavailable'`); a commit that fails (a hook, an
 * ignored file) is logged (`event: 'issues.git.commit-failed'`). Commits run one at a time, so
 * two saves never race for git's index lock.
 */
export function createGitIssueCommitter(options: GitIssueCommitterOptions): IssueCommitter {
  const log = options.logger.child({ component: 'issues-git' });
  const git = options.gitBinary ?? 'git';
  const timeout = options.timeoutMs ?? 15_000;
  let hasWarned = false;
  let queue: Promise<unknown> = Promise.resolve();

  const gitIn = (dir: string, args: string[]) =>
    run(git, ['-C', dir, ...args], { timeout, windowsHide: true, encoding: 'utf8' });

  const commitNow = async (request: IssueCommitRequest): Promise<boolean> => {
    const dir = dirname(request.file);
    try {
      const { stdout } = await gitIn(dir, ['rev-parse', '--is-inside-work-tree']);
      if (stdout.trim() !== 'true') throw new Error('not inside a git work tree');
    } catch (error) {
      if (!hasWarned) {
        hasWarned = true;
        log.warn(
          { event: 'issues.git.unavailable', dir, reason: reasonOf(error) },
          'issue saves are not committed: git is missing or the issues folder is not a git work tree',
        );
      }
      return false;
    }
    const name = request.author.name.replace(/[<>\r\n]/g, '').trim() || request.author.email;
    const email = request.author.email.replace(/[<>\s]/g, '');
    const file = basename(request.file);
    try {
      await gitIn(dir, ['add', '--', file]);
      await gitIn(dir, [
        '-c',
        `user.name=${name}`,
        '-c',
        `user.email=${email}`,
        'commit',
        '--quiet',
        `--author=${name} <${email}>`,
        '--message',
        request.message,
        '--',
        file,
      ]);
      log.info({ file: request.file }, 'issue file committed');
      return true;
    } catch (error) {
      log.warn(
        { event: 'issues.git.commit-failed', file: request.file, reason: reasonOf(error) },
        'issue file saved but not committed',
      );
      return false;
    }
  };

  return {
    commit(request) {
      const result = queue.then(() => commitNow(request));
      queue = result.catch(() => undefined);
      return result;
    },
  };
}

function reasonOf(error: unknown): string {
  const failure = error as { code?: unknown; stderr?: unknown; message?: unknown };
  if (failure.code === 'ENOENT') return 'git not found';
  const stderr = typeof failure.stderr === 'string' ? failure.stderr.trim() : '';
  if (stderr) return stderr.split('\n')[0]!.slice(0, 300);
  return typeof failure.message === 'string' ? failure.message.slice(0, 300) : String(error);
}
