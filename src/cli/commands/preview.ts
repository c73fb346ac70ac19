import { ValidationError } from '../../lib/index.ts';
import { startPreviewServer } from '../../render/index.ts';
import type { RegisterCommand } from '../program.ts';

/**
 * `depeche preview ISSUE [--port N]`: a local page (127.0.0.1) with the issue at 600 px and
 * 375 px and its text part, rendered again when the issue file or a template changes. Runs
 * until interrupted.
 */
export const registerPreviewCommand: RegisterCommand = (program, ctx) => {
  program
    .command('preview')
    .description('serve a live preview of an issue (desktop, mobile and text) on 127.0.0.1')
    .argument('<issue>', "issue file path or '<newsletter>/<YYYY-MM>' (e.g. adn/2026-11)")
    .option('--port <port>', 'port to listen on (0: any free port)', '4000')
    .action(async (ref: string, options: { port: string }) => {
      const config = ctx.config();
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new ValidationError(`--port must be a port number, got '${options.port}'`);
      }
      const server = await startPreviewServer({
        issuesDir: config.ISSUES_DIR,
        templatesDir: config.TEMPLATES_DIR,
        issueRef: ref,
        baseUrl: config.PUBLIC_URL,
        port,
        logger: ctx.logger(),
      });
      ctx.print(`Preview of ${ref} at ${server.url} (Ctrl-C to stop)`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await server.close();
    });
};
