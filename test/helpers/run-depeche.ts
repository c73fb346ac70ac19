import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root, where `bin/depeche.js` and `issues/` are. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface DepecheRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real `depeche` command in a child process; never rejects, the exit code says. */
export function runDepeche(args: string[], env: Record<string, string>): Promise<DepecheRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(repoRoot, 'bin/depeche.js'), ...args],
      { cwd: repoRoot, env: { ...process.env, LOG_LEVEL: 'silent', ...env }, timeout: 240_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
