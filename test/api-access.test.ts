import { request as httpRequest } from 'node:http';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_PASSWORD, startTestAccess, type TestAccess } from '../cloud/api/access.test-helper.js';
import type { RouteEntry } from '../cloud/api/api-auth.js';
import { CloudApi } from '../cloud/api/cloud-api.js';
import { device, incident, MemoryPorts } from '../cloud/api/memory-ports.test-helper.js';
import { ROLES, type Role } from '../cloud/access/roles.js';
import { createLogger } from '../shared/logging.js';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Every route anyone may call without credentials, and the one a device's signed URL opens. */
const PUBLIC_ROUTES = [
  'GET /',
  'GET /api',
  'GET /assets/:name',
  'GET /healthz',
  'GET /openapi.json',
  'GET /readyz',
  'HEAD /',
  'HEAD /api',
  'HEAD /assets/:name',
  'HEAD /healthz',
  'HEAD /openapi.json',
  'HEAD /readyz',
  'POST /v1/session',
];
const DEVICE_ROUTES = [
  'GET /v1/device-models/:grant/:version/:file',
  'HEAD /v1/device-models/:grant/:version/:file',
];

function concrete(url: string): string {
  return url
    .replace(':id', 'inc-1')
    .replace(':version', 'tiny-1')
    .replace(':file', 'manifest.json')
    .replace(':name', 'nobody')
    .replace(':grant', 'gw-1.1.x');
}

function logSink(lines: string[]): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
}

describe('who may call the cloud API', () => {
  const ports = new MemoryPorts();
  const logLines: string[] = [];
  let auth: TestAccess;
  let api: CloudApi;
  let base: string;
  const secretsSeen: string[] = [];

  const call = (method: string, path: string, headers: Record<string, string> = {}, body?: unknown) =>
    fetch(`${base}${path}`, {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const asToken = (role: Role) => ({ authorization: `Bearer ${auth.tokens[role]}` });

  async function signIn(username: string): Promise<{ cookie: string; csrf: string; setCookies: string[] }> {
    const response = await call('POST', '/v1/session', {}, { username, password: TEST_PASSWORD });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { csrfToken: string; user: { role: string } };
    const setCookies = response.headers.getSetCookie();
    const cookie = setCookies.map((c) => c.split(';')[0] ?? '').join('; ');
    secretsSeen.push(...setCookies.map((c) => (c.split(';')[0] ?? '').split('=')[1] ?? ''), body.csrfToken);
    return { cookie, csrf: body.csrfToken, setCookies };
  }

  beforeAll(async () => {
    auth = await startTestAccess();
    secretsSeen.push(...Object.values(auth.tokens), TEST_PASSWORD, auth.csrfKey);
    ports.deviceMap.set('gw-1', device('gw-1'));
    ports.incidentMap.set('inc-1', incident('inc-1'));
    ports.incidentMap.set('inc-2', incident('inc-2'));
    ports.files.set('tiny-1/manifest.json', new TextEncoder().encode('{"version":"tiny-1"}\n'));
    ports.files.set('tiny-1/model.onnx', new Uint8Array([1, 2, 3]));
    ports.modelList.push({
      version: 'tiny-1',
      status: 'approved',
      createdAt: new Date(0).toISOString(),
      family: 'gbdt',
      sha256: '0'.repeat(64),
      metrics: {},
    });
    api = new CloudApi({
      ports,
      access: auth.access,
      csrfKey: auth.csrfKey,
      loginPerMinute: 1000,
      logger: createLogger({ pretty: false, level: 'trace', destination: logSink(logLines) }),
    });
    await api.start();
    base = api.url;
  });

  afterAll(async () => {
    await api.stop();
    await auth.dispose();
  });

  it('every route declares who may call it; only the known few are open', () => {
    const routes = api.routes;
    expect(routes.length).toBeGreaterThan(30);
    const key = (r: RouteEntry) => `${r.method} ${r.url}`;
    expect(
      routes
        .filter((r) => r.access === 'public')
        .map(key)
        .sort(),
    ).toEqual(PUBLIC_ROUTES);
    expect(
      routes
        .filter((r) => r.access === 'device')
        .map(key)
        .sort(),
    ).toEqual(DEVICE_ROUTES);
    const roles = new Set(routes.map((r) => r.access));
    expect(
      [...roles].every((a) => a === 'public' || a === 'device' || (ROLES as readonly string[]).includes(a)),
    ).toBe(true);
  });

  it('a route without an access declaration cannot be registered', async () => {
    // The check lives in the onRoute hook every CloudApi installs; a route without `access` is refused.
    const { default: Fastify } = await import('fastify');
    const app = Fastify();
    const { registerAccess } = await import('../cloud/api/api-auth.js');
    await registerAccess(app, {
      access: auth.access,
      csrfKey: auth.csrfKey,
      secureCookies: false,
      allowedHosts: new Set(['127.0.0.1']),
    });
    expect(() => app.post('/v1/new-thing', () => ({}))).toThrow(/declares no access/);
    await app.close();
  });

  it('refuses every non-public route to an anonymous caller (401) and a weaker role (403), walking the route table', async () => {
    const guarded = api.routes.filter(
      (r) => r.access !== 'public' && r.access !== 'device' && r.method !== 'HEAD',
    );
    const mutating = guarded.filter((r) => MUTATING.has(r.method));
    expect(mutating.length).toBeGreaterThanOrEqual(12);
    for (const route of guarded) {
      const path = concrete(route.url);
      const body = MUTATING.has(route.method) ? {} : undefined;
      const anonymous = await call(route.method, path, {}, body);
      expect(anonymous.status, `${route.method} ${route.url} anonymous`).toBe(401);
      expect(((await anonymous.json()) as { error: { code: string } }).error.code).toBe(
        'EMBER_ERR_API_UNAUTHENTICATED',
      );
      const forged = await call(route.method, path, { authorization: 'Bearer ewt_forged' }, body);
      expect(forged.status, `${route.method} ${route.url} forged token`).toBe(401);
      const needed = ROLES.indexOf(route.access as Role);
      for (const weaker of ROLES.slice(0, needed)) {
        const refused = await call(route.method, path, asToken(weaker), body);
        expect(refused.status, `${route.method} ${route.url} as ${weaker}`).toBe(403);
        expect(((await refused.json()) as { error: { code: string } }).error.code).toBe(
          'EMBER_ERR_API_FORBIDDEN',
        );
      }
      const allowed = await call(route.method, path, asToken(route.access as Role), body);
      expect([401, 403], `${route.method} ${route.url} as ${route.access}`).not.toContain(allowed.status);
      await allowed.body?.cancel();
    }
    // Nothing changed for any refused caller: the only acknowledgement is the allowed one's.
    expect(ports.calls.filter((c) => c.kind === 'acknowledge').map((c) => c.by)).toEqual([
      'token:test-operator',
    ]);
  });

  it('refuses an anonymous caller before reading its body', async () => {
    const huge = JSON.stringify({ pad: 'x'.repeat(5 * 1024 * 1024) });
    const response = await fetch(`${base}/v1/rollouts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: huge,
    });
    expect(response.status).toBe(401);
  });

  it('signs a person in with an HttpOnly SameSite=Strict cookie; changes need the CSRF token; sign-out ends it', async () => {
    const operator = await signIn('operator-1');
    expect(
      operator.setCookies.some(
        (c) => /^ew_session=[\w-]{43};/.test(c) && /HttpOnly/.test(c) && /SameSite=Strict/.test(c),
      ),
    ).toBe(true);
    const who = await call('GET', '/v1/session', { cookie: operator.cookie });
    expect(await who.json()).toMatchObject({ user: { name: 'operator-1', role: 'operator', kind: 'user' } });
    const noToken = await call('POST', '/v1/incidents/inc-2/acknowledge', { cookie: operator.cookie }, {});
    expect(noToken.status).toBe(403);
    const wrongToken = await call(
      'POST',
      '/v1/incidents/inc-2/acknowledge',
      { cookie: operator.cookie, 'x-csrf-token': 'forged' },
      {},
    );
    expect(wrongToken.status).toBe(403);
    const viewer = await signIn('viewer-1');
    const stolen = await call(
      'POST',
      '/v1/incidents/inc-2/acknowledge',
      { cookie: operator.cookie, 'x-csrf-token': viewer.csrf },
      {},
    );
    expect(stolen.status, "another session's CSRF token").toBe(403);
    const weak = await call(
      'POST',
      '/v1/incidents/inc-2/acknowledge',
      { cookie: viewer.cookie, 'x-csrf-token': viewer.csrf },
      {},
    );
    expect(weak.status).toBe(403);
    expect(ports.incidentMap.get('inc-2')?.state).toBe('open');
    const ok = await call(
      'POST',
      '/v1/incidents/inc-2/acknowledge',
      { cookie: operator.cookie, 'x-csrf-token': operator.csrf },
      {},
    );
    expect(await ok.json()).toMatchObject({ incident: { acknowledgedBy: 'operator-1' } });
    const out = await call('DELETE', '/v1/session', {
      cookie: operator.cookie,
      'x-csrf-token': operator.csrf,
    });
    expect(out.status).toBe(200);
    expect((await call('GET', '/v1/devices', { cookie: operator.cookie })).status).toBe(401);
    const audit = (await (await call('GET', '/v1/audit?limit=1', asToken('viewer'))).json()) as {
      entries: { actor: string; action: string; subject: string }[];
    };
    expect(audit.entries[0]).toMatchObject({ actor: 'operator-1', action: 'acknowledged', subject: 'inc-2' });
  });

  it('answers a wrong password with one line that says nothing of which part was wrong', async () => {
    const wrong = await call(
      'POST',
      '/v1/session',
      {},
      { username: 'admin-1', password: 'not the password' },
    );
    const unknown = await call('POST', '/v1/session', {}, { username: 'nobody', password: TEST_PASSWORD });
    for (const response of [wrong, unknown]) {
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({
        error: { code: 'EMBER_ERR_API_UNAUTHENTICATED', message: 'wrong user name or password' },
      });
    }
  });

  it('refuses requests naming a Host that is not allowed, except health probes', async () => {
    // fetch will not send a Host of our choosing; node:http will, as a rebinding browser would.
    const withHost = (path: string, host: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const request = httpRequest(
          `${base}${path}`,
          { headers: { ...asToken('viewer'), host } },
          (response) => {
            let body = '';
            response.setEncoding('utf8');
            response.on('data', (chunk: string) => (body += chunk));
            response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
          },
        );
        request.on('error', reject);
        request.end();
      });
    const rebinding = await withHost('/v1/devices', 'evil.example');
    expect(rebinding.status).toBe(421);
    expect((JSON.parse(rebinding.body) as { error: { code: string } }).error.code).toBe(
      'EMBER_ERR_API_HOST_REFUSED',
    );
    expect((await withHost('/healthz', 'evil.example')).status).toBe(200);
    expect((await withHost('/v1/devices', 'localhost:1234')).status).toBe(200);
    expect((await withHost('/v1/devices', '127.0.0.1.evil.example')).status).toBe(421);
  });

  it("lets a device's signed URL fetch its model's files and nothing else", async () => {
    const grant = auth.grants.grant('tiny-1', 'gw-1', Date.now() + 60_000);
    const manifest = await call('GET', `/v1/device-models/${grant}/tiny-1/manifest.json`);
    expect(manifest.status).toBe(200);
    expect(await manifest.text()).toBe('{"version":"tiny-1"}\n');
    const model = await call(
      'GET',
      new URL('model.onnx', `${base}/v1/device-models/${grant}/tiny-1/manifest.json`).pathname,
    );
    expect(new Uint8Array(await model.arrayBuffer())).toEqual(new Uint8Array([1, 2, 3]));
    expect((await call('GET', `/v1/device-models/${grant}/tiny-2/manifest.json`)).status).toBe(403);
    expect((await call('GET', `/v1/device-models/${grant}x/tiny-1/manifest.json`)).status).toBe(403);
    const expired = auth.grants.grant('tiny-1', 'gw-1', Date.now() - 1000);
    expect((await call('GET', `/v1/device-models/${expired}/tiny-1/manifest.json`)).status).toBe(403);
    expect((await call('GET', `/v1/device-models/${grant}/..%2f..%2fca/model.onnx`)).status).toBe(400);
    // The grant is no credential anywhere else.
    for (const [method, path] of [
      ['GET', '/v1/devices'],
      ['GET', '/v1/models/tiny-1/model.onnx'],
      ['POST', '/v1/incidents/inc-1/acknowledge'],
      ['POST', '/v1/rollouts'],
    ] as const) {
      const response = await call(
        method,
        path,
        { authorization: `Bearer ${grant}`, cookie: `ew_session=${grant}` },
        method === 'POST' ? {} : undefined,
      );
      expect(response.status, `${method} ${path}`).toBe(401);
    }
    secretsSeen.push(grant);
  });

  it('reports readiness honestly', async () => {
    ports.ready = false;
    const down = await call('GET', '/readyz');
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ ready: false, checks: { broker: { ok: false } } });
    ports.ready = true;
    expect((await call('GET', '/readyz')).status).toBe(200);
    expect((await call('GET', '/healthz')).status).toBe(200);
  });

  it('writes no secret into any log line or error answer', async () => {
    const answers: string[] = [];
    for (const secret of [auth.tokens.admin, TEST_PASSWORD]) {
      const r1 = await call('POST', '/v1/session', {}, { username: secret, password: secret });
      const r2 = await call('GET', '/v1/devices', { authorization: `Bearer ${secret}x` });
      const r3 = await call('POST', '/v1/tokens', asToken('admin'), {
        name: 'x',
        role: 'viewer',
        password: secret,
      });
      answers.push(await r1.text(), await r2.text(), await r3.text());
    }
    const made = await call('POST', '/v1/tokens', asToken('admin'), { name: 'made-in-test', role: 'viewer' });
    const { token } = (await made.json()) as { token: string };
    secretsSeen.push(token);
    expect(logLines.length).toBeGreaterThan(3);
    const everything = [...logLines, ...answers].join('\n');
    for (const secret of secretsSeen.filter((s) => s.length >= 16)) {
      expect(everything.includes(secret), `a secret of ${String(secret.length)} characters leaked`).toBe(
        false,
      );
    }
  });
});
