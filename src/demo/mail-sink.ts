import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { SMTPServer } from 'smtp-server';

/** An in-process SMTP server that writes each message it accepts as an `.eml` file. */
export interface DemoMailSink {
  /** `smtp://127.0.0.1:<port>`, for SMTP_URL. */
  url: string;
  /** Messages written so far. */
  count(): number;
  /** Paths of the files written, in arrival order. */
  files(): string[];
  close(): Promise<void>;
}

function safeName(address: string): string {
  return address
    .toLowerCase()
    .replace(/[^a-z0-9@._-]/g, '_')
    .slice(0, 80);
}

/**
 * Starts the demo's mail sink: it accepts every message on loopback (no TLS, no auth) and
 * writes it byte for byte to `<dir>/<n>-<recipient>.eml`, which any mail client opens.
 */
export async function startMailSink(dir: string): Promise<DemoMailSink> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  let sequence = 0;
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    size: 10 * 1024 * 1024,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        sequence += 1;
        const recipient = session.envelope.rcptTo[0]?.address ?? 'unknown';
        const file = path.join(
          dir,
          `${String(sequence).padStart(4, '0')}-${safeName(recipient)}.eml`,
        );
        writeFile(file, Buffer.concat(chunks)).then(
          () => {
            written.push(file);
            callback();
          },
          (error: Error) => callback(error),
        );
      });
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : 0);
    });
  });
  return {
    url: `smtp://127.0.0.1:${port}`,
    count: () => written.length,
    files: () => [...written],
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
