import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import {
  createAuditRepository,
  createEditorRepository,
  createEditorSessionRepository,
} from '../../src/db/index.ts';
import {
  commandLineActor,
  createAccountService,
  createSessionService,
  EditorExistsError,
  EditorNotFoundError,
} from '../../src/editors/index.ts';
import type { Clock } from '../../src/lib/index.ts';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const operator = commandLineActor('ops');

describe.each(databaseKinds)('editors, sessions and the audit log on $name', ({ open }) => {
  let database: TestDatabase;
  let now: Date;
  const clock: Clock = { now: () => new Date(now) };
  const advanceMinutes = (minutes: number) => {
    now = new Date(now.getTime() + minutes * 60_000);
  };

  function build() {
    const { db } = database.handle;
    const editors = createEditorRepository(db);
    const sessions = createEditorSessionRepository(db);
    const audit = createAuditRepository(db);
    const policy = { idleMinutes: 30, maxHours: 2 };
    return {
      audit,
      accounts: createAccountService({ editors, sessions, audit, clock }),
      signIn: createSessionService({ editors, sessions, audit, clock, policy }),
    };
  }

  beforeEach(async () => {
    now = new Date('2026-12-02T08:00:00Z');
    database = await open();
  });
  afterEach(async () => {
    await database.drop();
  });

  it('creates accounts once per address, whatever its case, and audits it', async () => {
    const { accounts, audit } = build();
    const admin = await accounts.add(operator, {
      email: ' Chef@Example.org ',
      role: 'admin',
      name: 'Chef',
    });
    expect(admin).toMatchObject({ email: 'chef@example.org', role: 'admin', disabledAt: null });
    await expect(
      accounts.add(operator, { email: 'CHEF@example.org', role: 'editor' }),
    ).rejects.toBeInstanceOf(EditorExistsError);
    await expect(accounts.add(operator, { email: 'nope', role: 'editor' })).rejects.toThrow(
      /email address/,
    );
    await expect(accounts.add(operator, { email: 'a@example.org', role: 'boss' })).rejects.toThrow(
      /editor, publisher, admin/,
    );
    await expect(accounts.disable(operator, 'ghost@example.org')).rejects.toBeInstanceOf(
      EditorNotFoundError,
    );
    const entries = await audit.list({});
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      actor: { kind: 'command-line', name: 'ops' },
      action: 'editor.add',
      objectType: 'editor',
      objectId: String(admin.id),
      details: { email: 'chef@example.org', role: 'admin' },
    });
  });

  it('signs in once with a link, keeps the session while used, ends it when idle', async () => {
    const { accounts, signIn } = build();
    await accounts.add(operator, { email: 'pm@example.org', role: 'editor' });
    expect(await signIn.requestSignIn('nobody@example.org')).toBeNull();
    expect(await signIn.requestSignIn('not an address')).toBeNull();
    const issued = await signIn.requestSignIn('PM@example.org');
    expect(issued).not.toBeNull();
    const token = issued?.token ?? '';

    const session = await signIn.signIn(token);
    expect(session?.editor.email).toBe('pm@example.org');
    expect(await signIn.signIn(token)).toBeNull();
    expect(await signIn.signIn('x'.repeat(43))).toBeNull();

    const sessionId = session?.sessionId ?? '';
    advanceMinutes(25);
    expect((await signIn.load(sessionId))?.editor.lastSignInAt).not.toBeNull();
    advanceMinutes(25);
    expect(await signIn.load(sessionId)).not.toBeNull();
    advanceMinutes(31);
    expect(await signIn.load(sessionId)).toBeNull();
  });

  it('refuses an expired link and ends a session at its absolute lifetime', async () => {
    const { accounts, signIn } = build();
    await accounts.add(operator, { email: 'pm@example.org', role: 'editor' });
    const late = await signIn.requestSignIn('pm@example.org');
    advanceMinutes(15);
    expect(await signIn.signIn(late?.token ?? '')).toBeNull();

    const fresh = await signIn.requestSignIn('pm@example.org');
    const session = await signIn.signIn(fresh?.token ?? '');
    for (let i = 0; i < 4; i += 1) {
      advanceMinutes(29);
      expect(await signIn.load(session?.sessionId ?? '')).not.toBeNull();
    }
    advanceMinutes(5);
    expect(await signIn.load(session?.sessionId ?? '')).toBeNull();
  });

  it('ends sessions on sign-out, on disabling and on a role change, and refuses links then', async () => {
    const { accounts, signIn, audit } = build();
    await accounts.add(operator, { email: 'a@example.org', role: 'editor' });
    const open = async () =>
      (await signIn.signIn((await signIn.requestSignIn('a@example.org'))?.token ?? ''))
        ?.sessionId ?? '';

    const first = await open();
    const loaded = await signIn.load(first);
    if (!loaded) throw new Error('expected a session');
    await signIn.signOut(loaded);
    expect(await signIn.load(first)).toBeNull();

    const second = await open();
    await accounts.changeRole(operator, 'a@example.org', 'publisher');
    expect(await signIn.load(second)).toBeNull();
    const third = await open();
    expect((await signIn.load(third))?.editor.role).toBe('publisher');

    const pending = await signIn.requestSignIn('a@example.org');
    await accounts.disable(operator, 'a@example.org');
    expect(await signIn.load(third)).toBeNull();
    expect(await signIn.signIn(pending?.token ?? '')).toBeNull();
    expect(await signIn.requestSignIn('a@example.org')).toBeNull();

    const actions = (await audit.list({})).map((e) => e.action).reverse();
    expect(actions).toEqual([
      'editor.add',
      'editor.sign-in',
      'editor.sign-out',
      'editor.sign-in',
      'editor.role',
      'editor.sign-in',
      'editor.disable',
    ]);
    expect(await audit.list({ actor: 'command line' })).toHaveLength(3);
    expect(await audit.list({ actor: 'A@example.org' })).toHaveLength(4);
    expect(await audit.list({ action: 'editor.role' })).toHaveLength(1);
  });

  it('filters the audit log by date and refuses to change or delete its rows', async () => {
    const { audit } = build();
    await audit.append(
      { actor: operator, action: 'campaign.send', objectType: 'campaign', objectId: '1' },
      now,
    );
    advanceMinutes(60);
    const later = await audit.append(
      { actor: operator, action: 'campaign.pause', details: { n: 1 } },
      now,
    );
    expect((await audit.list({ since: now })).map((e) => e.id)).toEqual([later.id]);

    const { db } = database.handle;
    await expect(db.execute(sql`UPDATE audit_log SET action = 'x'`)).rejects.toThrow();
    await expect(db.execute(sql`DELETE FROM audit_log`)).rejects.toThrow();
    await expect(db.execute(sql`TRUNCATE audit_log`)).rejects.toThrow();
    expect(await audit.list({})).toHaveLength(2);
    expect((await audit.list({}))[0]?.details).toEqual({ n: 1 });
  });
});
