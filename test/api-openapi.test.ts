import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAccess, type TestAccess } from '../cloud/api/access.test-helper.js';
import { CloudApi } from '../cloud/api/cloud-api.js';
import { MemoryPorts } from '../cloud/api/memory-ports.test-helper.js';
import { registerOpenApi } from '../cloud/api/openapi.js';
import { OUTCOMES } from '../shared/schemas/outcomes.js';
import { MAX_READINGS } from '../cloud/api/api-schemas.js';

interface Operation {
  summary?: string;
  'x-access'?: string;
  parameters?: { name: string; in: string }[];
  requestBody?: { content: Record<string, { schema: Record<string, unknown> }> };
  security?: unknown[];
}
interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
}

/** `/v1/devices/:id` as OpenAPI writes it. */
const openApiPath = (url: string): string => url.replace(/:([A-Za-z]+)/g, '{$1}');

describe('the API document', () => {
  let auth: TestAccess;
  let api: CloudApi;
  let doc: OpenApiDocument;

  beforeAll(async () => {
    auth = await startTestAccess();
    api = new CloudApi({ ports: new MemoryPorts(), access: auth.access, csrfKey: auth.csrfKey });
    await api.start();
    const response = await fetch(`${api.url}/openapi.json`);
    expect(response.status).toBe(200);
    doc = (await response.json()) as OpenApiDocument;
  });

  afterAll(async () => {
    await api.stop();
    await auth.dispose();
  });

  it('documents every route the API registered, with its summary and who may call it', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toBe('Emberwatch cloud API');
    const routes = api.routes.filter((r) => r.method !== 'HEAD');
    expect(routes.length).toBeGreaterThan(30);
    const missing = routes.filter(
      (r) => doc.paths[openApiPath(r.url)]?.[r.method.toLowerCase()] === undefined,
    );
    expect(missing.map((r) => `${r.method} ${r.url}`)).toEqual([]);
    for (const route of routes) {
      const op = doc.paths[openApiPath(route.url)]?.[route.method.toLowerCase()];
      const where = `${route.method} ${route.url}`;
      expect(op?.summary, where).toMatch(/\S/);
      expect(op?.['x-access'], where).toBe(route.access);
      // Signed-in routes name the two ways in; public and device routes none.
      expect(op?.security?.length, where).toBe(
        route.access === 'public' || route.access === 'device' ? 0 : 2,
      );
    }
    // Nothing documented that the API does not answer.
    const documented = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(routes.map((r) => `${r.method} ${openApiPath(r.url)}`).sort());
  });

  it('describes bodies, parameters and queries from the zod schemas the routes validate with', async () => {
    const resolve = doc.paths['/v1/incidents/{id}/resolve']?.['post'];
    const body = resolve?.requestBody?.content['application/json']?.schema as {
      properties: { outcome: { enum: string[] } };
      required: string[];
    };
    expect(body.properties.outcome.enum).toEqual([...OUTCOMES]);
    expect(body.required).toEqual(['outcome']);
    expect(resolve?.parameters?.map((p) => `${p.in} ${p.name}`)).toEqual(['path id']);
    const predict = doc.paths['/v1/predict']?.['post']?.requestBody?.content['application/json']?.schema as {
      properties: { readings: { maxItems: number } };
    };
    expect(predict.properties.readings.maxItems).toBe(MAX_READINGS);
    const incidents = doc.paths['/v1/incidents']?.['get'];
    expect(incidents?.parameters?.map((p) => `${p.in} ${p.name}`).sort()).toEqual([
      'query deviceId',
      'query limit',
      'query state',
    ]);
    // The same schema refuses what the document rules out, with the API's own error.
    const token = auth.tokens.operator;
    const refused = await fetch(`${api.url}/v1/incidents/inc-1/resolve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ outcome: 'maybe' }),
    });
    expect(refused.status).toBe(400);
    const error = ((await refused.json()) as { error: { code: string; message: string } }).error;
    expect(error.code).toBe('EMBER_ERR_API_BAD_REQUEST');
    expect(error.message).toMatch(/^body\.outcome: /);
  });

  it('serves a page a person can read, listing every route', async () => {
    const response = await fetch(`${api.url}/api`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await response.text();
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const method of Object.keys(item)) {
        expect(html, `${method} ${path}`).toContain(`${method.toUpperCase()} ${path}`);
      }
    }
    expect(html).toContain('Who may call it: operator or admin');
  });

  it('refuses to register a route that has no summary for the document', async () => {
    const { default: Fastify } = await import('fastify');
    const app = Fastify();
    await registerOpenApi(app, { version: '0', sessionCookie: 'c' });
    expect(() => app.get('/undocumented', () => 'x')).toThrow(/GET \/undocumented has no schema\.summary/);
    await app.close();
  });
});
