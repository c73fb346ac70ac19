import { createHash } from 'node:crypto';

import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { createCampaignBounceReport } from '../../src/app/build-bounces.ts';
import { buildDelivery, type Delivery } from '../../src/app/build-delivery.ts';
import { SendingStatusSchema } from '../../src/campaigns/index.ts';
import type { Config } from '../../src/config/index.ts';
import { createAuditRepository, queryRows } from '../../src/db/index.ts';
import { createSilentLogger, systemClock } from '../../src/lib/index.ts';
import { fanOutJobId } from '../../src/queue/index.ts';
import { closeRedisConnection, createRedisConnection } from '../../src/queue/index.ts';
import {
  createTestCampaign,
  deleteRedisKeys,
  deliveryTestConfig,
  seedAudience,
  testQueuePrefix,
} from '../helpers/campaign-fixtures.ts';
import { openTestPostgres, type TestDatabase } from '../helpers/databases.ts';
import {
  type EditorBrowser,
  getPage,
  postFrom,
  signedInEditor,
} from '../helpers/editor-session.ts';
import { approveIssue } from '../helpers/review-fixtures.ts';
import { buildTestWebApp } from '../helpers/web-app.ts';

/** The campaign pages of the workspace, through inject(), on PostgreSQL and Redis. */
describe('workspace campaign pages', () => {
  let database: TestDatabase;
  let config: Config;
  let redis: ReturnType<typeof createRedisConnection>;
  let delivery: Delivery;
  let app: FastifyInstance;
  let publisher: EditorBrowser;
  let editor: EditorBrowser;
  let workspace: NonNullable<Awaited<ReturnType<typeof buildTestWebApp>>['editor']>;

  beforeAll(async () => {
    database = await openTestPostgres();
    config = deliveryTestConfig({ QUEUE_PREFIX: testQueuePrefix() });
    redis = createRedisConnection(config.REDIS_URL);
    delivery = buildDelivery({
      config,
      logger: createSilentLogger(),
      clock: systemClock,
      database: database.handle,
      redis,
    });
    const web = await buildTestWebApp({
      database: database.handle,
      editor: {
        issuesDir: config.ISSUES_DIR,
        campaigns: {
          delivery: delivery.service,
          reader: delivery.reader,
          audit: createAuditRepository(database.handle.db),
          clock: systemClock,
          bounces: createCampaignBounceReport(database.handle.db),
        },
      },
    });
    app = web.app;
    workspace = web.editor!;
    publisher = await signedInEditor(web.editor!, 'pub@example.org', 'publisher');
    editor = await signedInEditor(web.editor!, 'ed@example.org', 'editor');
    await seedAudience(database.handle.db, 50);
    await approveIssue(database.handle.db, 'adn/2026-11');
  });
  afterAll(async () => {
    await app.close();
    await delivery.close();
    await closeRedisConnection(redis);
    await deleteRedisKeys(config.REDIS_URL, config.QUEUE_PREFIX);
    await database.drop();
  });
  beforeEach(async () => {
    await database.handle.db.execute(
      // ids keep growing: the audit log is append-only and names campaigns by id
      sql`TRUNCATE deliveries, campaign_bodies, campaigns`,
    );
  });
  afterEach(async () => {
    for (const queue of delivery.queues.all) await queue.obliterate({ force: true });
  });

  const db = () => database.handle.db;
  const campaignRow = async (id: number) =>
    (
      await queryRows<{ status: string; scheduled_at: Date | null; segment: unknown }>(
        db(),
        sql`SELECT status, scheduled_at, segment FROM campaigns WHERE id = ${id}`,
      )
    )[0];
  const auditOf = async (id: number) =>
    queryRows<{ action: string; actor_kind: string; actor_name: string; details: unknown }>(
      db(),
      sql`SELECT action, actor_kind, actor_name, details FROM audit_log
          WHERE object_type = 'campaign' AND object_id = ${String(id)} ORDER BY id`,
    );
  const hasFanOutJob = async (id: number) =>
    (await delivery.queues.fanOut.getJob(fanOutJobId({ campaignId: id }))) !== undefined;

  /** A campaign in `status` with delivery rows: 3 sent, 2 failed, 1 uncertain, 4 queued. */
  async function campaignIn(status: string) {
    const campaign = await createTestCampaign(db());
    await db().execute(sql`UPDATE campaigns SET status = ${status}, is_fanout_done = true,
                           started_at = now() WHERE id = ${campaign.id}`);
    await db().execute(sql`
      INSERT INTO deliveries (campaign_id, subscriber_id, batch_no, status, smtp_response)
      SELECT ${campaign.id}, id, 0,
             CASE WHEN id <= 3 THEN 'sent' WHEN id <= 5 THEN 'failed'
                  WHEN id = 6 THEN 'uncertain' ELSE 'queued' END,
             CASE WHEN id IN (4, 5) THEN '550 5.1.1 <user' || id || '@example.org> unknown' END
      FROM subscribers WHERE id <= 10`);
    return campaign.id;
  }

  it('lists the campaigns of a newsletter for every role, the creation link for publishers', async () => {
    const id = await campaignIn('done');
    const asPublisher = await getPage(app, publisher, '/editor/campaigns?newsletter=adn');
    expect(asPublisher.statusCode).toBe(200);
    expect(asPublisher.body).toContain(`href="/editor/campaigns/${id}"`);
    expect(asPublisher.body).toContain('terminée');
    expect(asPublisher.body).toContain('href="/editor/campaigns/new?newsletter=adn"');
    const asEditor = await getPage(app, editor, '/editor/campaigns?newsletter=fil-de-marianne');
    expect(asEditor.statusCode).toBe(200);
    expect(asEditor.body).not.toContain(`href="/editor/campaigns/${id}"`);
    expect(asEditor.body).not.toContain('/editor/campaigns/new');
  });

  it('creates a campaign in two steps, the audience size shown before confirming', async () => {
    const choose = await getPage(app, publisher, '/editor/campaigns/new?newsletter=adn');
    expect(choose.statusCode).toBe(200);
    expect(choose.body).toContain('<option value="adn/2026-11"');
    const reviewUrl =
      '/editor/campaigns/new?newsletter=adn&issue=adn%2F2026-11&locale=fr&country=US&step=review';
    const review = await getPage(app, publisher, reviewUrl);
    expect(review.statusCode).toBe(200);
    // 25 US readers, every fifth one reads English: 20 in French
    expect(review.body).toContain('Ce segment atteint aujourd’hui 20 abonné·es.');
    // Handlebars writes = as &#x3D; in attributes
    expect(review.body).toContain('name="segment" value="locale&#x3D;fr,country&#x3D;US"');
    // The approved sample issue clears every send guard.
    expect(review.body).toContain('Aucun problème trouvé');
    expect(await queryRows(db(), sql`SELECT 1 FROM campaigns`)).toHaveLength(0);

    const created = await postFrom(app, publisher, reviewUrl, '/editor/campaigns', {
      issue: 'adn/2026-11',
      segment: 'locale=fr,country=US',
    });
    expect(created.statusCode).toBe(303);
    const id = Number(
      /\/editor\/campaigns\/(\d+)\?done=create/.exec(created.headers.location!)?.[1],
    );
    expect(await campaignRow(id)).toMatchObject({
      status: 'draft',
      segment: { locale: ['fr'], country: ['US'] },
    });
    expect(await auditOf(id)).toEqual([
      {
        action: 'campaign.create',
        actor_kind: 'editor',
        actor_name: 'pub@example.org',
        details: expect.objectContaining({ issueKey: 'adn/2026-11', audienceCount: 20 }),
      },
    ]);
    const page = await getPage(app, publisher, created.headers.location!);
    expect(page.body).toContain('Campagne créée (brouillon)');
    expect(page.body).toContain('Taille du public aujourd’hui : 20 abonné·es');
  });

  it('shows the send guards next to their field and refuses an issue they block', async () => {
    // fil-de-marianne/2026-11 is not approved, and some of its deadlines are past today.
    const reviewUrl =
      '/editor/campaigns/new?newsletter=fil-de-marianne&issue=fil-de-marianne%2F2026-11&step=review';
    const review = await getPage(app, publisher, reviewUrl);
    expect(review.statusCode).toBe(200);
    expect(review.body).toContain(
      'data-code="deadline-past" data-path="sections[0].items[2].deadline"',
    );
    expect(review.body).toContain(
      'issues/fil-de-marianne/2026-11.yaml:56: sections[0].items[2].deadline',
    );
    expect(review.body).toContain('data-code="not-approved"');
    expect(review.body).not.toContain('action="/editor/campaigns"');
    // A form posted anyway (an old tab) is refused with the same findings.
    const refused = await postFrom(app, publisher, reviewUrl, '/editor/campaigns', {
      issue: 'fil-de-marianne/2026-11',
      segment: 'everyone',
    });
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain('Campagne non créée');
    expect(refused.body).toContain('is a draft, not submitted for review nor approved');
    expect(await queryRows(db(), sql`SELECT 1 FROM campaigns`)).toHaveLength(0);
  });

  it('says how many would get the issue twice and creates only once the editor confirms', async () => {
    const earlier = await campaignIn('done'); // adn/2026-11 reached subscribers 1–3 and 6–10
    const reviewUrl = '/editor/campaigns/new?newsletter=adn&issue=adn%2F2026-11&step=review';
    const review = await getPage(app, publisher, reviewUrl);
    expect(review.body).toContain(
      `8 people of this audience already received adn/2026-11 or are about to (campaign ${earlier})`,
    );
    expect(review.body).toContain('name="confirm_overlap" value="yes" required');
    const count = async () => (await queryRows(db(), sql`SELECT 1 FROM campaigns`)).length;
    const unconfirmed = await postFrom(app, publisher, reviewUrl, '/editor/campaigns', {
      issue: 'adn/2026-11',
      segment: 'everyone',
    });
    expect(unconfirmed.statusCode).toBe(409);
    expect(await count()).toBe(1);
    const confirmed = await postFrom(app, publisher, reviewUrl, '/editor/campaigns', {
      issue: 'adn/2026-11',
      segment: 'everyone',
      confirm_overlap: 'yes',
    });
    expect(confirmed.statusCode).toBe(303);
    const id = Number(/\/editor\/campaigns\/(\d+)/.exec(confirmed.headers.location!)?.[1]);
    expect((await auditOf(id))[0]?.details).toMatchObject({
      overlapCount: 8,
      isOverlapConfirmed: true,
    });
  });

  it('refuses a bad segment or issue, naming it, and creates nothing', async () => {
    const bad = await getPage(
      app,
      publisher,
      '/editor/campaigns/new?newsletter=adn&issue=adn%2F2026-11&country=USA&step=review',
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('expected an ISO country code like US');
    const missing = await getPage(
      app,
      publisher,
      '/editor/campaigns/new?newsletter=adn&issue=adn%2F1999-01&step=review',
    );
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('adn/1999-01');
    for (const fields of [
      { issue: 'adn/1999-01', segment: '' },
      { issue: '../../etc/passwd', segment: '' },
      { issue: 'adn/2026-11', segment: 'planet=mars' },
    ]) {
      const refused = await postFrom(
        app,
        publisher,
        '/editor/campaigns/new?newsletter=adn',
        '/editor/campaigns',
        fields,
      );
      expect(refused.statusCode, JSON.stringify(fields)).toBe(400);
    }
    expect(await queryRows(db(), sql`SELECT 1 FROM campaigns`)).toHaveLength(0);
  });

  it('sends now through the queue the command line uses, audited with the editor', async () => {
    const id = (await createTestCampaign(db())).id;
    const sent = await postFrom(
      app,
      publisher,
      `/editor/campaigns/${id}`,
      `/editor/campaigns/${id}/send`,
    );
    expect(sent.statusCode).toBe(303);
    expect(sent.headers.location).toBe(`/editor/campaigns/${id}?done=send`);
    expect((await campaignRow(id))?.status).toBe('sending');
    expect(await hasFanOutJob(id)).toBe(true);
    expect((await auditOf(id)).map((e) => [e.action, e.actor_name])).toEqual([
      ['campaign.send', 'pub@example.org'],
    ]);
  });

  it('schedules at a time read in the chosen time zone', async () => {
    const id = (await createTestCampaign(db())).id;
    const year = new Date().getUTCFullYear() + 1;
    const done = await postFrom(
      app,
      publisher,
      `/editor/campaigns/${id}`,
      `/editor/campaigns/${id}/schedule`,
      {
        at: `${year}-01-15T08:00`,
        timeZone: 'Europe/Paris',
      },
    );
    expect(done.statusCode).toBe(303);
    const row = await campaignRow(id);
    expect(row?.status).toBe('scheduled');
    expect(new Date(row!.scheduled_at!).toISOString()).toBe(`${year}-01-15T07:00:00.000Z`);
    const page = await getPage(app, publisher, `/editor/campaigns/${id}`);
    expect(page.body).toContain(`15 janvier ${year} à 08:00 (Europe/Paris, UTC+01:00)`);
    expect((await auditOf(id))[0]).toMatchObject({
      action: 'campaign.schedule',
      details: expect.objectContaining({ timeZone: 'Europe/Paris' }),
    });

    for (const fields of [
      { at: 'tomorrow', timeZone: 'Europe/Paris' },
      { at: `${year}-03-28T02:30`, timeZone: 'Mars/Olympus' },
      { at: '2020-01-01T08:00', timeZone: 'UTC' },
    ]) {
      const refused = await postFrom(
        app,
        publisher,
        `/editor/campaigns/${id}`,
        `/editor/campaigns/${id}/schedule`,
        fields,
      );
      expect([400, 409], JSON.stringify(fields)).toContain(refused.statusCode);
    }
    expect(new Date((await campaignRow(id))!.scheduled_at!).toISOString()).toBe(
      `${year}-01-15T07:00:00.000Z`,
    );
  });

  it('pauses, resumes and cancels, each checked against the state', async () => {
    const id = await campaignIn('sending');
    const post = (action: string) =>
      postFrom(app, publisher, `/editor/campaigns/${id}`, `/editor/campaigns/${id}/${action}`);
    expect((await post('pause')).statusCode).toBe(303);
    expect((await campaignRow(id))?.status).toBe('paused');
    const again = await post('pause');
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('Action impossible');
    expect((await post('resume')).statusCode).toBe(303);
    expect((await campaignRow(id))?.status).toBe('sending');
    expect(await delivery.queues.sendBatch.getJob(`${id}-0`)).toBeDefined();
    expect((await post('cancel')).statusCode).toBe(303);
    expect((await campaignRow(id))?.status).toBe('cancelled');
    const queued = await queryRows(
      db(),
      sql`SELECT 1 FROM deliveries WHERE campaign_id = ${id} AND status = 'queued'`,
    );
    expect(queued).toHaveLength(0);
    expect((await auditOf(id)).map((e) => e.action)).toEqual([
      'campaign.pause',
      'campaign.resume',
      'campaign.cancel',
    ]);
  });

  it('retries the failed, then the uncertain after saying they may arrive twice', async () => {
    const id = await campaignIn('done');
    const page = await getPage(app, publisher, `/editor/campaigns/${id}`);
    expect(page.body).toContain('Renvoyer les 2 échecs');
    expect(page.body).toContain('peut le faire arriver deux fois');
    expect(page.body).toContain('550 5.1.1 &lt;…&gt; unknown');
    const retry = (which: string) =>
      postFrom(app, publisher, `/editor/campaigns/${id}`, `/editor/campaigns/${id}/retry`, {
        which,
      });
    const failed = await retry('failed');
    expect(failed.headers.location).toBe(`/editor/campaigns/${id}?done=retry&count=2`);
    expect((await campaignRow(id))?.status).toBe('sending');
    expect((await retry('uncertain')).statusCode).toBe(303);
    const rows = await queryRows<{ status: string; n: number }>(
      db(),
      sql`SELECT status, count(*)::int AS n FROM deliveries WHERE campaign_id = ${id}
          GROUP BY status ORDER BY status`,
    );
    expect(rows).toEqual([
      { status: 'queued', n: 7 },
      { status: 'sent', n: 3 },
    ]);
    expect((await retry('everything')).statusCode).toBe(400);
    expect((await auditOf(id)).map((e) => e.details)).toEqual([
      expect.objectContaining({ which: 'failed', requeued: 2 }),
      expect.objectContaining({ which: 'uncertain', requeued: 1 }),
    ]);
  });

  it('answers 403 to an editor for every action and changes nothing', async () => {
    const draft = (await createTestCampaign(db())).id;
    const sending = await campaignIn('sending');
    const before = await queryRows(
      db(),
      sql`SELECT id, status, scheduled_at, failed_count FROM campaigns ORDER BY id`,
    );
    const deliveriesBefore = await queryRows(
      db(),
      sql`SELECT id, status FROM deliveries ORDER BY id`,
    );
    const attempts: Array<[string, Record<string, string>]> = [
      [`/editor/campaigns/${draft}/send`, {}],
      [`/editor/campaigns/${draft}/schedule`, { at: '2030-01-01T08:00', timeZone: 'UTC' }],
      [`/editor/campaigns/${draft}/cancel`, {}],
      [`/editor/campaigns/${sending}/pause`, {}],
      [`/editor/campaigns/${sending}/resume`, {}],
      [`/editor/campaigns/${sending}/retry`, { which: 'failed' }],
      [`/editor/campaigns/${sending}/retry`, { which: 'uncertain' }],
      ['/editor/campaigns', { issue: 'adn/2026-11', segment: '' }],
    ];
    for (const [url, fields] of attempts) {
      const refused = await postFrom(app, editor, `/editor/campaigns/${sending}`, url, fields);
      expect(refused.statusCode, url).toBe(403);
    }
    expect((await getPage(app, editor, '/editor/campaigns/new?newsletter=adn')).statusCode).toBe(
      403,
    );
    expect(
      await queryRows(
        db(),
        sql`SELECT id, status, scheduled_at, failed_count FROM campaigns ORDER BY id`,
      ),
    ).toEqual(before);
    expect(await queryRows(db(), sql`SELECT id, status FROM deliveries ORDER BY id`)).toEqual(
      deliveriesBefore,
    );
    expect(await hasFanOutJob(draft)).toBe(false);
    expect(await auditOf(draft)).toEqual([]);
    expect(await auditOf(sending)).toEqual([]);
    // the editor still follows the campaign
    const page = await getPage(app, editor, `/editor/campaigns/${sending}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('les actions sont réservées à la publication');
    expect(page.body).not.toContain(`action="/editor/campaigns/${sending}/pause"`);
  });

  it('refuses an action without the form token and changes nothing', async () => {
    const id = (await createTestCampaign(db())).id;
    const refused = await postFrom(
      app,
      publisher,
      `/editor/campaigns/${id}`,
      `/editor/campaigns/${id}/send`,
      {},
      {
        csrf: false,
      },
    );
    expect(refused.statusCode).toBe(403);
    expect((await campaignRow(id))?.status).toBe('draft');
    expect(await hasFanOutJob(id)).toBe(false);
  });

  it('answers the progress as JSON, the same status as the command line', async () => {
    const id = await campaignIn('sending');
    const response = await app.inject({
      method: 'GET',
      url: `/editor/campaigns/${id}/progress`,
      cookies: editor.cookies,
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.headers['cache-control']).toBe('no-store');
    const body = response.json<{
      status: Record<string, unknown>;
      finished: number;
      isSettled: boolean;
      text: Record<string, string>;
    }>();
    const status = SendingStatusSchema.parse({
      ...body.status,
      ...Object.fromEntries(
        ['scheduledAt', 'startedAt', 'finishedAt', 'readAt'].map((key) => [
          key,
          body.status[key] === null ? null : new Date(String(body.status[key])),
        ]),
      ),
    });
    expect(status).toMatchObject({
      id,
      status: 'sending',
      total: 10,
      sent: 3,
      failed: 2,
      uncertain: 1,
      remaining: 4,
    });
    expect(body.finished).toBe(6);
    expect(body.isSettled).toBe(false);
    expect(Object.keys(body.text).sort()).toEqual([
      'eta',
      'failed',
      'percent',
      'rate',
      'remaining',
      'sent',
      'skipped',
      'state',
      'total',
      'uncertain',
    ]);
    expect(body.text.state).toBe('en cours d’envoi');
    expect(body.text.percent).toBe('60 %');

    const missing = await app.inject({
      method: 'GET',
      url: '/editor/campaigns/999999/progress',
      cookies: editor.cookies,
    });
    expect(missing.statusCode).toBe(404);
    const signedOut = await app.inject({ method: 'GET', url: `/editor/campaigns/${id}/progress` });
    expect(signedOut.statusCode).toBe(303);
  });

  it('shows what came back: bounces by class and the complaint rate, warned above 0.1 %', async () => {
    const id = await campaignIn('done');
    const quiet = await getPage(app, editor, `/editor/campaigns/${id}`);
    expect(quiet.body).toContain('Retours');
    expect(quiet.body).not.toContain('Taux de plaintes');
    // Of the 3 sent messages: one hard bounce, and one complaint (33 %, far above 0.1 %).
    const [first, second] = await queryRows<{ id: string }>(
      db(),
      sql`SELECT id FROM deliveries WHERE campaign_id = ${id} AND status = 'sent' ORDER BY id`,
    );
    await db().execute(sql`UPDATE deliveries SET bounce_type = 'bounce', bounce_class = 'hard'
                           WHERE id = ${Number(first?.id)}`);
    await db().execute(
      sql`INSERT INTO bounce_events (fingerprint, delivery_id, campaign_id, kind, class, source, raw_size)
          VALUES (${`page-${id}-1`}, ${Number(first?.id)}, ${id}, 'bounce', 'hard', 'smtp', 100),
                 (${`page-${id}-2`}, ${Number(second?.id)}, ${id}, 'complaint', NULL, 'smtp', 100)`,
    );
    const page = await getPage(app, editor, `/editor/campaigns/${id}`);
    expect(page.body).toMatch(/Adresses en erreur<\/dt><dd>1 \(33,3\s%\)/);
    expect(page.body).toContain('définitives 1 · temporaires 0 · blocages 0 · autres 0');
    expect(page.body).toMatch(/Plaintes \(signalé comme spam\)<\/dt><dd>1 \(33,33\s%\)/);
    expect(page.body).toContain('role="alert">Taux de plaintes de 33,33');
  });

  it('shows the campaign page in English to an editor who chose it', async () => {
    const id = await campaignIn('paused');
    await workspace.editors.setLocale(publisher.editor.id, 'en');
    try {
      const page = await getPage(app, publisher, `/editor/campaigns/${id}`);
      expect(page.body).toContain('<html lang="en">');
      expect(page.body).toContain('>Resume</button>');
      expect(page.body).toContain('Send the 1 uncertain again');
      expect(page.body).toContain('may deliver it twice');
      const json = await app.inject({
        method: 'GET',
        url: `/editor/campaigns/${id}/progress`,
        cookies: publisher.cookies,
      });
      expect(json.json<{ text: { state: string } }>().text.state).toBe('paused');
    } finally {
      await workspace.editors.setLocale(publisher.editor.id, 'fr');
    }
  });

  it('allows the page its one inline script by hash, and nothing else', async () => {
    const id = await campaignIn('sending');
    const page = await getPage(app, editor, `/editor/campaigns/${id}`);
    const script = /<script>([\s\S]*?)<\/script>/.exec(page.body)?.[1];
    expect(script).toBeDefined();
    const hash = createHash('sha256').update(script!).digest('base64');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain(`script-src 'sha256-${hash}'`);
    expect(csp).not.toContain('unsafe-inline');
    expect(page.body).toContain(`data-progress-url="/editor/campaigns/${id}/progress"`);
    // the other pages keep no script at all
    const list = await getPage(app, editor, '/editor/campaigns');
    expect(String(list.headers['content-security-policy'])).toContain("script-src 'none'");
    expect((await getPage(app, editor, '/editor/campaigns/abc')).statusCode).toBe(404);
    expect((await getPage(app, editor, '/editor/campaigns/999999')).statusCode).toBe(404);
  });
});
