import { Writable } from 'node:stream';

import { DrizzleQueryError } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';

import { describeDatabaseError, truncateQuery } from './database-errors.ts';
import { createLogger, serializeError } from './logger.ts';

/** A statement as drizzle logs it: long SQL, then every parameter, personal data included. */
const longQuery =
  'select "id", "newsletter_id", "status", "sent_count", "failed_count", "uncertain_count", ' +
  '"message_key", "issue_key", "created_at", "updated_at"\n    from "campaigns"\n    where "campaigns"."id" = $1 ' +
  'and "campaigns"."status" in ($2, $3, $4, $5) '.repeat(30);
const params = [
  42,
  'ada@example.org',
  'secret-token-value',
  ...Array.from({ length: 200 }, (_, i) => i),
];

function lostConnection(): Error {
  return new Error('Connection terminated unexpectedly');
}

function serverError(message: string, code: string): Error {
  return Object.assign(new Error(message), { severity: 'FATAL', code });
}

describe('describeDatabaseError', () => {
  it('leads with the cause, then the statement truncated, and never the parameters', () => {
    const error = new DrizzleQueryError(longQuery, params, lostConnection());
    expect(error.message.length).toBeGreaterThan(2000);
    const summary = describeDatabaseError(error)!;
    expect(summary.message).toMatch(
      /^database: connection terminated unexpectedly \(query: select "id", "newsletter_id"/,
    );
    expect(summary.message.length).toBeLessThan(200);
    expect(summary.message).not.toContain('ada@example.org');
    expect(summary.message).not.toContain('params');
    expect(summary.query).toHaveLength(120);
    expect(summary.query!.endsWith('…')).toBe(true);
    expect(summary.query).not.toContain('\n');
  });

  it('names the SQLSTATE of a server error', () => {
    const cause = serverError('terminating connection due to administrator command', '57P01');
    const summary = describeDatabaseError(new DrizzleQueryError('select 1', [], cause))!;
    expect(summary.message).toBe(
      'database: terminating connection due to administrator command [57P01] (query: select 1)',
    );
    expect(summary.code).toBe('57P01');
  });

  it('finds the query error under a wrapping error, and describes a bare driver error', () => {
    const wrapped = new Error('job failed', {
      cause: new DrizzleQueryError('update deliveries set status = $1', ['sent'], lostConnection()),
    });
    expect(describeDatabaseError(wrapped)?.message).toBe(
      'database: connection terminated unexpectedly (query: update deliveries set status = $1)',
    );
    expect(describeDatabaseError(lostConnection())?.message).toBe(
      'database: connection terminated unexpectedly',
    );
    expect(describeDatabaseError(serverError('too many clients already', '53300'))?.message).toBe(
      'database: too many clients already [53300]',
    );
  });

  it('leaves other errors alone', () => {
    expect(describeDatabaseError(new Error('ECONNREFUSED 127.0.0.1:6379'))).toBeUndefined();
    expect(
      describeDatabaseError(Object.assign(new Error('x'), { code: 'EINVALID' })),
    ).toBeUndefined();
    expect(describeDatabaseError('Connection terminated unexpectedly')).toBeUndefined();
    expect(describeDatabaseError(undefined)).toBeUndefined();
    expect(describeDatabaseError(null)).toBeUndefined();
  });

  it('collapses whitespace and keeps a short statement whole', () => {
    expect(truncateQuery('  select 1\n\n  from   t  ')).toBe('select 1 from t');
    expect(truncateQuery('x'.repeat(120))).toBe('x'.repeat(120));
    expect(truncateQuery('x'.repeat(121))).toBe(`${'x'.repeat(119)}…`);
  });
});

describe('the loggers’ err serializer', () => {
  it('writes a database error cause first, without parameters, with the driver’s stack', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const logger = createLogger({ destination });
    const cause = lostConnection();
    logger
      .child({ component: 'workers' })
      .error(
        { err: new DrizzleQueryError(longQuery, params, cause), event: 'campaign.job.failed' },
        'job failed',
      );
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!) as { err: Record<string, string> };
    expect(line.err.message).toMatch(/^database: connection terminated unexpectedly \(query: /);
    expect(line.err.type).toBe('DatabaseError');
    expect(line.err.stack).toBe(cause.stack);
    expect(lines[0]).not.toContain('ada@example.org');
    expect(lines[0]).not.toContain('secret-token-value');
    expect(lines[0]!.length).toBeLessThan(2000);
  });

  it('keeps pino’s serialization of any other error', () => {
    const error = new Error('relay down', { cause: new Error('ECONNREFUSED') });
    expect(serializeError(error)).toMatchObject({
      type: 'Error',
      message: 'relay down: ECONNREFUSED',
    });
    expect(serializeError('plain')).toBe('plain');
  });
});
