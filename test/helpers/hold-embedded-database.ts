// Test helper process: opens the embedded database in DATA_DIR (argv[2]), says "ready", and
// holds it until killed — to test what a second process is told.
import { openDatabaseFromConfig } from '../../src/db/index.ts';

const handle = await openDatabaseFromConfig(
  { DATABASE_URL: undefined, DATA_DIR: process.argv[2] ?? './data' },
  'depeche serve (test holder)',
);
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void handle.close().then(() => process.exit(0));
});
setInterval(() => undefined, 1000);
