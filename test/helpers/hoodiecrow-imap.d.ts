// The part of hoodiecrow-imap's API the tests use (the package ships no types): an IMAP server
// in memory, used as a real mailbox for `depeche inbound`'s IMAP reader.
declare module 'hoodiecrow-imap' {
  import type { Server } from 'node:net';

  interface HoodiecrowMessage {
    raw: string;
    flags?: string[];
  }
  interface HoodiecrowFolder {
    messages?: HoodiecrowMessage[];
    separator?: string;
    folders?: Record<string, HoodiecrowFolder>;
  }
  interface HoodiecrowOptions {
    plugins?: string[];
    storage: Record<string, HoodiecrowFolder>;
    users?: Record<string, { password: string }>;
    debug?: boolean;
  }
  interface HoodiecrowServer {
    listen(port: number, host: string, callback: () => void): void;
    close(callback?: () => void): void;
    server: Server;
  }
  export default function hoodiecrow(options: HoodiecrowOptions): HoodiecrowServer;
}
