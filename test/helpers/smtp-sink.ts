import type { AddressInfo } from 'node:net';

import { SMTPServer } from 'smtp-server';

/** An SMTP reply the sink gives instead of accepting, e.g. `{ code: 550, message: '5.1.1 No such user' }`. */
export interface SinkReply {
  code: number;
  message: string;
}

/** The envelope of one message as the sink saw it. */
export interface SinkEnvelope {
  mailFrom: string;
  rcptTo: string[];
}

/** One message accepted by the sink (its DATA was answered 250). */
export interface SinkMessage {
  envelope: SinkEnvelope;
  raw: Buffer;
  /** Order of acceptance since start (or the last reset): 0 for the first message stored. */
  sequence?: number;
}

/** A slow reply's message and how many messages the sink had stored when its reply went out. */
export interface SlowReply {
  message: SinkMessage;
  /**
   * `acceptedCount()` when the reply went out (undefined while pending, or if the client hung
   * up first): the messages with a `sequence` between the slow message's and this one were
   * stored while the slow reply was pending.
   */
  acceptedWhenReplied?: number;
}

/**
 * Faults the sink injects on purpose, each on a deterministic share of messages (a counter, as
 * `failShare`: 0.1 → the 10th, 20th, 30th… message the fault can apply to). Shares count
 * separately, so faults combine.
 */
export interface SinkFaults {
  /**
   * Share of messages stored (in `messages`, counted by `acceptedCount`) whose connection is then
   * dropped without the reply to DATA: the relay has the message, the client does not know.
   */
  dropAfterStoreShare?: number;
  /** Share of envelopes (counted at RCPT TO) whose connection is dropped before DATA. */
  dropBeforeDataShare?: number;
  /**
   * Share of messages stored at once whose reply to DATA comes `slowReplyMs` later (past a
   * client's socket timeout, the client gives up on a message the relay has).
   */
  slowReplyShare?: number;
  /** Delay of the slow replies. @defaultValue 5000 */
  slowReplyMs?: number;
  /**
   * A slow reply goes out as soon as this many more messages were stored after it, if that
   * comes before `slowReplyMs`: proof by order, not by time, that other messages went on while
   * it was pending. @defaultValue none (always `slowReplyMs`)
   */
  slowReplyAfterMessages?: number;
}

/** Options of {@link startSmtpSink}; every one is optional. */
export interface SmtpSinkOptions {
  /** Port to listen on, on 127.0.0.1. @defaultValue 0 (a free port) */
  port?: number;
  /** Called for each RCPT TO; a reply refuses that recipient (synchronous bounce). */
  rejectRecipients?: (rcpt: string) => SinkReply | undefined;
  /**
   * Share of messages answered `451 4.3.0 Try again later` after DATA, chosen
   * deterministically by a counter (0.1 → the 10th, 20th, 30th… message). @defaultValue 0
   */
  failShare?: number;
  /** Milliseconds to wait before answering DATA (to catch a worker mid-conversation). @defaultValue 0 */
  dataDelayMs?: number;
  /** Called for each accepted message, after it is stored. */
  onMessage?: (message: SinkMessage) => void;
  /** Keep accepted messages in `messages`; benchmarks turn it off and read `acceptedCount()`. @defaultValue true */
  isStoring?: boolean;
  /** Faults to inject (see {@link SinkFaults}). @defaultValue none */
  faults?: SinkFaults;
}

/** A running sink: where it listens, what it received, and how to stop it. */
export interface SmtpSink {
  port: number;
  /** `smtp://127.0.0.1:<port>`. */
  url: string;
  /** Accepted messages, in order of acceptance. */
  messages: SinkMessage[];
  /** Number of messages accepted since start (or the last reset), stored or not. */
  acceptedCount(): number;
  /** Number of DATA commands answered 451 because of `failShare`. */
  failedCount(): number;
  /** Recipients refused at RCPT TO by `rejectRecipients`. */
  rejected: string[];
  /** Messages whose DATA is received and not answered yet (`dataDelayMs`, `hold`). */
  inDataCount(): number;
  /** Client connections open now. */
  connectionCount(): number;
  /** Messages never accepted because the client hung up before the answer to DATA. */
  abandonedCount(): number;
  /** Stops answering DATA: messages wait, unanswered, until `release`. */
  hold(): void;
  /** Answers the held messages (those whose client is still connected) and stops holding. */
  release(): void;
  /** Messages stored whose connection was then dropped without a reply (`dropAfterStoreShare`). */
  droppedAfterStore: SinkMessage[];
  /** Envelopes whose connection was dropped before DATA (`dropBeforeDataShare`). */
  droppedBeforeDataCount(): number;
  /** Messages stored and answered late (`slowReplyShare`). */
  slowReplied: SinkMessage[];
  /** The slow replies, with what the sink stored while each was pending. */
  slowReplies: SlowReply[];
  /**
   * The relay goes away: stops listening and drops every open connection (a crash). New
   * connections are refused until {@link SmtpSink.up}.
   */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  /** Forgets received messages and counters (the failShare and fault counters restart too). */
  reset(): void;
  close(): Promise<void>;
}

/**
 * Starts an in-process SMTP server (the `smtp-server` package) on 127.0.0.1 that stores every
 * message it accepts, for integration tests and benchmarks. No TLS, no authentication required.
 */
export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const failShare = options.failShare ?? 0;
  const faults = options.faults ?? {};
  const slowReplyMs = faults.slowReplyMs ?? 5000;
  const faultCounters = { afterStore: 0, beforeData: 0, slow: 0 };
  /** The next message of `counter` is chosen when floor((n+1)·share) steps up. */
  const pick = (counter: keyof typeof faultCounters, share: number | undefined) => {
    const index = faultCounters[counter]++;
    return isPicked(index, share ?? 0);
  };
  const droppedAfterStore: SinkMessage[] = [];
  const slowReplied: SinkMessage[] = [];
  const slowReplies: SlowReply[] = [];
  /** Slow replies waiting for `slowReplyAfterMessages` more messages: answer when stored ≥ at. */
  const pendingSlow: Array<{ at: number; answer: () => void }> = [];
  let droppedBeforeData = 0;
  let isDown = false;
  const dataDelayMs = options.dataDelayMs ?? 0;
  const messages: SinkMessage[] = [];
  const rejected: string[] = [];
  let dataCount = 0;
  let failed = 0;
  let accepted = 0;
  let inData = 0;
  let abandoned = 0;
  let isHolding = false;
  const held: Array<() => void> = [];
  /** Sessions whose client hung up: a message answered after that was never accepted. */
  const closedSessions = new Set<string>();
  const openSessions = new Set<string>();
  const isStoring = options.isStoring ?? true;

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    hideSTARTTLS: true,
    logger: false,
    closeTimeout: 200,
    size: 50 * 1024 * 1024,
    onRcptTo(address, session, callback) {
      if (pick('beforeData', faults.dropBeforeDataShare)) {
        droppedBeforeData += 1;
        dropConnection(session.id);
        return;
      }
      const reply = options.rejectRecipients?.(address.address);
      if (reply === undefined) return callback();
      rejected.push(address.address);
      callback(Object.assign(new Error(reply.message), { responseCode: reply.code }));
    },
    onConnect(session, callback) {
      openSessions.add(session.id);
      callback();
    },
    onClose(session) {
      openSessions.delete(session.id);
      closedSessions.add(session.id);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      const isKeeping = isStoring || options.onMessage !== undefined;
      stream.on('data', (chunk: Buffer) => {
        if (isKeeping) chunks.push(chunk);
      });
      stream.on('error', (error) => callback(error));
      stream.on('end', () => {
        const index = dataCount++;
        const isFailing = isPicked(index, failShare);
        const envelopeOf = (): SinkEnvelope => ({
          mailFrom: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
          rcptTo: session.envelope.rcptTo.map((rcpt) => rcpt.address),
        });
        const store = (message: SinkMessage) => {
          message.sequence = accepted;
          accepted += 1;
          if (isStoring) messages.push(message);
          options.onMessage?.(message);
          for (const slow of pendingSlow.filter((item) => item.at <= accepted)) slow.answer();
        };
        if (!isFailing && pick('afterStore', faults.dropAfterStoreShare)) {
          const message = { envelope: envelopeOf(), raw: Buffer.concat(chunks) };
          store(message);
          // a benchmark that stores nothing keeps no body of the dropped ones either
          droppedAfterStore.push(isStoring ? message : { ...message, raw: Buffer.alloc(0) });
          dropConnection(session.id);
          return;
        }
        if (!isFailing && pick('slow', faults.slowReplyShare)) {
          const message = { envelope: envelopeOf(), raw: Buffer.concat(chunks) };
          store(message);
          slowReplied.push(message);
          const slow: SlowReply = { message };
          slowReplies.push(slow);
          let isAnswered = false;
          const pending = {
            at: accepted + (faults.slowReplyAfterMessages ?? Infinity),
            answer: () => {
              if (isAnswered) return;
              isAnswered = true;
              clearTimeout(timer);
              pendingSlow.splice(pendingSlow.indexOf(pending), 1);
              if (closedSessions.has(session.id)) return;
              slow.acceptedWhenReplied = accepted;
              callback();
            },
          };
          const timer = setTimeout(pending.answer, slowReplyMs);
          pendingSlow.push(pending);
          return;
        }
        inData += 1;
        const answer = () => {
          if (isHolding) {
            held.push(answer);
            return;
          }
          inData -= 1;
          if (closedSessions.has(session.id)) {
            // RFC 5321: a message is accepted only by the reply to DATA, which nobody got
            abandoned += 1;
            return;
          }
          if (isFailing) {
            failed += 1;
            return callback(
              Object.assign(new Error('4.3.0 Try again later'), { responseCode: 451 }),
            );
          }
          store({ envelope: envelopeOf(), raw: Buffer.concat(chunks) });
          callback();
        };
        if (dataDelayMs > 0) setTimeout(answer, dataDelayMs);
        else answer();
      });
    },
  });
  server.on('error', () => {
    // Client disconnects surface here; a sink has nothing to do about them.
  });

  /** Destroys the socket of a session: the client sees the connection drop, with no reply. */
  function dropConnection(sessionId: string) {
    for (const connection of server.connections) {
      if (connection.id === sessionId) connection._socket.destroy();
    }
  }

  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.server.listen(port, '127.0.0.1', () => {
        server.server.off('error', reject);
        resolve();
      });
    });
  await listen(options.port ?? 0);
  const port = (server.server.address() as AddressInfo).port;

  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    messages,
    acceptedCount: () => accepted,
    failedCount: () => failed,
    rejected,
    inDataCount: () => inData,
    connectionCount: () => openSessions.size,
    abandonedCount: () => abandoned,
    hold() {
      isHolding = true;
    },
    release() {
      isHolding = false;
      for (const answer of held.splice(0)) answer();
    },
    droppedAfterStore,
    droppedBeforeDataCount: () => droppedBeforeData,
    slowReplied,
    slowReplies,
    async down() {
      if (isDown) return;
      isDown = true;
      const closed = new Promise<void>((resolve) => server.server.close(() => resolve()));
      for (const connection of server.connections) connection._socket.destroy();
      await closed;
    },
    async up() {
      if (!isDown) return;
      await listen(port);
      isDown = false;
    },
    reset() {
      messages.length = 0;
      droppedAfterStore.length = 0;
      slowReplied.length = 0;
      slowReplies.length = 0;
      droppedBeforeData = 0;
      faultCounters.afterStore = 0;
      faultCounters.beforeData = 0;
      faultCounters.slow = 0;
      rejected.length = 0;
      dataCount = 0;
      failed = 0;
      accepted = 0;
      abandoned = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (!isDown) return server.close(() => resolve());
        // already not listening: end the connections left, if any
        for (const connection of server.connections) connection._socket.destroy();
        resolve();
      }),
  };
}

/** Deterministic share: item n is picked when floor((n+1)·share) steps up. */
function isPicked(index: number, share: number): boolean {
  return share > 0 && Math.floor((index + 1) * share) > Math.floor(index * share);
}
