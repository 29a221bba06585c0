import { request, type Server } from 'node:http';
import { OpenAPIHono } from '@hono/zod-openapi';
import { createApp } from '../../../src/api/app';
import { createHttpServer, listen } from '../../../src/api/http-server';
import type { AppEnv } from '../../../src/api/context';
import { createDb } from '../../../src/db/database';
import { USAGE_BODY_LIMIT_BYTES } from '../../../src/api/routes/usage-ingest';
import { buildTestAppDeps, countedRequests, startTestApp, type RunningApp } from '../../helpers/app';
import { createTestDb, type TestDb } from '../../helpers/db';
import { TEST_SERVICE_TOKEN, userToken } from '../../helpers/tokens';
import { event, recordingNotifier, uniqueOrg } from './support';

const PATH = '/api/v1/billing/usage/events';
// The node:http adapter matches the pathname, so a query string changes nothing about who answers.
const WITH_QUERY = `${PATH}?via=query`;

describe("the server's node:http adapter for usage batches", () => {
  let t: TestDb;
  let app: RunningApp;
  /** The same app and dependencies served by Hono alone: the endpoint's Hono route answers every request. */
  let honoOnly: Server;
  let honoUrl: string;
  beforeAll(async () => {
    t = await createTestDb();
    app = await startTestApp(buildTestAppDeps({ db: t.db, overrides: { notifier: recordingNotifier() } }));
    honoOnly = createHttpServer(createApp(app.deps), app.deps, []);
    honoUrl = `http://127.0.0.1:${(await listen(honoOnly, '127.0.0.1', 0)).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => honoOnly.close(resolve));
    await app.close();
    await t.destroy();
  });

  const service = { authorization: `Bearer ${TEST_SERVICE_TOKEN}`, 'content-type': 'application/json' };
  /** One request on its own connection: a refusal that leaves the body unread must not break the next request. */
  function postTo(path: string, body: string, headers: Record<string, string>, base = app.url) {
    return new Promise<{
      status: number;
      contentType?: string;
      requestId?: string;
      retryAfter?: string;
      wwwAuthenticate?: string;
      text: string;
    }>((resolve, reject) => {
      const req = request(
        `${base}${path}`,
        { method: 'POST', agent: false, headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const header = (name: string) => res.headers[name] as string | undefined;
            resolve({
              status: res.statusCode ?? 0,
              contentType: header('content-type'),
              requestId: header('x-request-id'),
              retryAfter: header('retry-after'),
              wwwAuthenticate: header('www-authenticate'),
              text: Buffer.concat(chunks).toString('utf8'),
            });
          });
        },
      );
      // The server may answer (413) and close before the whole body is sent.
      req.on('error', reject);
      req.end(body);
    });
  }
  const nowIso = (offsetMs = 0) => new Date(Date.now() + offsetMs).toISOString();
  /** A batch whose every id starts with `prefix`: accepted, repeated, invalid in several ways and out of time. */
  const mixedBatch = (prefix: string) => {
    const org = uniqueOrg();
    const ok = event(org, 'messages', 2, nowIso(-1_000), `${prefix}-ok`);
    return JSON.stringify({
      events: [
        ok,
        event(org, 'storage', 40, nowIso(-2_000), `${prefix}-gauge`),
        ok,
        { ...ok, id: `${prefix}-neg`, quantity: -1 },
        { ...ok, id: `${prefix}-extra`, color: 'red' },
        { id: `${prefix}-partial` },
        'not an event',
        event(org, 'messages', 1, nowIso(600_000), `${prefix}-future`),
        event(org, 'messages', 1, nowIso(), 'bad id!'),
      ],
    });
  };
  const wellFormed = (prefix: string) =>
    JSON.stringify({ events: [event(uniqueOrg(), 'api_calls', 5, nowIso(-500), `${prefix}-1`)] });
  const cases: [string, (prefix: string) => string, () => Promise<Record<string, string>>][] = [
    ['accepted, repeated, invalid and out-of-time events', mixedBatch, async () => service],
    [
      'a charset in the content type',
      wellFormed,
      async () => ({ ...service, 'content-type': 'application/json; charset=utf-8' }),
    ],
    ['a leading byte order mark', (p) => `\uFEFF${wellFormed(p)}`, async () => service],
    ['no Authorization header', wellFormed, async () => ({ 'content-type': 'application/json' })],
    [
      'a user token',
      wellFormed,
      async () => ({ ...service, authorization: `Bearer ${await userToken({ org: uniqueOrg() })}` }),
    ],
    [
      'an unknown service token',
      wellFormed,
      async () => ({ ...service, authorization: 'Bearer svc_unknown_token_0123456789abcdef' }),
    ],
    [
      'a body over the limit',
      (p) => JSON.stringify({ events: [{ id: p, padding: 'x'.repeat(USAGE_BODY_LIMIT_BYTES) }] }),
      async () => service,
    ],
    ['malformed JSON', (p) => `{"events": [{"id": "${p}"`, async () => service],
    ['an empty body', () => '', async () => service],
    ['no events', () => JSON.stringify({ events: [] }), async () => service],
    ['no events key', (p) => JSON.stringify({ batch: [p] }), async () => service],
    [
      'more than 1,000 events',
      (p) =>
        JSON.stringify({
          events: Array.from({ length: 1_001 }, (_, i) => event('org_x', 'messages', 1, nowIso(), `${p}-${i}`)),
        }),
      async () => service,
    ],
    ['a JSON array body', (p) => JSON.stringify([p]), async () => service],
    ['a JSON null body', () => 'null', async () => service],
    ['a text content type', wellFormed, async () => ({ ...service, 'content-type': 'text/plain' })],
  ];

  test.each(cases)(
    'answers a batch with %s exactly as the Hono route does, with or without a query string',
    async (_name, body, headers) => {
      const h = await headers();
      const direct = await postTo(PATH, body('direct'), h);
      const routed = await postTo(PATH, body('routed'), h, honoUrl);
      const queried = await postTo(WITH_QUERY, body('queried'), h);

      expect(direct.requestId).toMatch(/^req_/);
      const same = (r: typeof direct) => ({
        status: r.status,
        contentType: r.contentType,
        wwwAuthenticate: r.wwwAuthenticate,
        text: r.text
          .replaceAll(r.requestId ?? '?', '…')
          .replace(/org_\d+_[0-9a-f]{8}/g, 'org')
          .replace(/routed|queried/g, 'direct'),
      });
      expect(same(routed)).toEqual(same(direct));
      expect(same(queried)).toEqual(same(direct));
    },
  );

  test('takes every POST to the path itself, whatever its query string, and leaves every other request to the app', async () => {
    const teapot = new OpenAPIHono<AppEnv>();
    teapot.all('*', (c) => c.text('app', 418));
    const server = createHttpServer(teapot, app.deps);
    const { port } = await listen(server, '127.0.0.1', 0);
    const base = `http://127.0.0.1:${port}`;
    try {
      expect((await postTo(PATH, wellFormed(`own-${uniqueOrg()}`), service, base)).status).toBe(200);
      expect((await postTo(WITH_QUERY, wellFormed(`own-${uniqueOrg()}`), service, base)).status).toBe(200);
      expect(
        (
          await postTo(
            PATH,
            wellFormed('x'),
            { ...service, authorization: 'Bearer svc_unknown_token_0123456789abcdef' },
            base,
          )
        ).status,
      ).toBe(401);
      expect((await postTo(PATH, wellFormed('x'), { ...service, 'content-type': 'text/plain' }, base)).status).toBe(
        400,
      );
      expect((await postTo(`${PATH}/`, wellFormed('x'), service, base)).status).toBe(418);
      expect((await postTo('/api/v1/billing/usage', wellFormed('x'), service, base)).status).toBe(418);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test('a replayed batch answers with every id a duplicate on both paths', async () => {
    const body = wellFormed(`replay-${uniqueOrg()}`);
    expect(JSON.parse((await postTo(PATH, body, service)).text)).toMatchObject({ accepted: 1 });
    const [direct, routed] = [await postTo(PATH, body, service), await postTo(PATH, body, service, honoUrl)];
    expect(direct.text).toBe(routed.text);
    expect(JSON.parse(direct.text)).toMatchObject({ accepted: 0, duplicates: [expect.stringMatching(/^replay-/)] });
  });

  test("keeps a caller's X-Request-Id and counts the request's latency under the route's template", async () => {
    const count = () => countedRequests(app.deps, PATH, '200');
    const before = await count();
    const res = await postTo(PATH, wellFormed(`trace-${uniqueOrg()}`), {
      ...service,
      'x-request-id': 'trace-0123456789',
    });
    expect(res).toMatchObject({ status: 200, requestId: 'trace-0123456789' });
    expect(await count()).toBe(before + 1);
  });

  test('answers 503 with Retry-After when Postgres is unreachable, like every other route', async () => {
    const unreachable = createDb({ url: 'postgres://billing@127.0.0.1:1/billing', poolMax: 1 });
    const down = await startTestApp(buildTestAppDeps({ db: unreachable }));
    try {
      const res = await postTo(PATH, wellFormed('down'), service, down.url);
      expect(res).toMatchObject({ status: 503, retryAfter: '5', requestId: expect.stringMatching(/^req_/) });
      expect(JSON.parse(res.text)).toMatchObject({ error: { code: 'SERVICE_UNAVAILABLE', requestId: res.requestId } });
    } finally {
      await down.close();
      await unreachable.destroy();
    }
  });
});
