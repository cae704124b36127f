import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { accessWords } from './openapi.js';
import type { RouteAccess } from './access-port.js';

/** The parts of an OpenAPI operation the page shows. */
interface Operation {
  summary?: string;
  description?: string;
  'x-access'?: RouteAccess;
  parameters?: { name: string; in: string; required?: boolean; schema?: unknown }[];
  requestBody?: { content?: Record<string, { schema?: unknown }> };
}

interface Document {
  info: { title: string; version: string; description?: string };
  paths?: Record<string, Record<string, Operation>>;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

const STYLE =
  'body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem 2rem;color:#1d2329}' +
  'section{border-top:1px solid #d0d7de;padding:.5rem 0}h3{margin:.5rem 0 0}' +
  'pre{background:#f3f5f7;padding:.6rem;overflow-x:auto;font-size:13px}code{font-size:14px}';

function esc(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

function operationHtml(method: string, path: string, op: Operation): string {
  const params = (op.parameters ?? []).map(
    (p) =>
      `<li><code>${esc(p.name)}</code> in ${esc(p.in)}${p.required === true ? ', required' : ''}: <code>${esc(JSON.stringify(p.schema ?? {}))}</code></li>`,
  );
  const body = op.requestBody?.content?.['application/json']?.schema;
  const access = op['x-access'];
  return `<section id="${esc(`${method}-${path}`)}">
<h3><code>${method.toUpperCase()} ${esc(path)}</code></h3>
<p>${esc(op.summary ?? '')}${op.description === undefined ? '' : ` ${esc(op.description)}`}</p>
<p>Who may call it: ${access === undefined ? 'see the document' : esc(accessWords(access))}</p>
${params.length === 0 ? '' : `<p>Parameters:</p><ul>${params.join('')}</ul>`}
${body === undefined ? '' : `<p>JSON body:</p><pre>${esc(JSON.stringify(body, null, 2))}</pre>`}
</section>`;
}

/** The API document as one page a person can read, with nothing but this page's own markup. */
export function apiPageHtml(doc: Document): string {
  const sections: string[] = [];
  const index: string[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    for (const method of METHODS) {
      const op = item[method];
      if (op === undefined) continue;
      index.push(
        `<li><a href="#${esc(`${method}-${path}`)}"><code>${method.toUpperCase()} ${esc(path)}</code></a> ${esc(op.summary ?? '')}</li>`,
      );
      sections.push(operationHtml(method, path, op));
    }
  }
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(doc.info.title)}</title>
<style>${STYLE}</style></head>
<body><main>
<h1>${esc(doc.info.title)} ${esc(doc.info.version)}</h1>
<p>${esc(doc.info.description ?? '')}</p>
<p>The machine-readable document: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p>
<h2>Routes</h2><ul>${index.join('')}</ul>
${sections.join('\n')}
</main></body></html>`;
}

/** Nothing runs on the page; its one style block is allowed by its hash. */
const PAGE_CSP =
  `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'; ` +
  "base-uri 'none'; frame-ancestors 'none'";

/** GET /openapi.json and GET /api, the document and its page; both public, as the routes' shapes are no secret. */
export function registerApiDocs(app: FastifyInstance): void {
  const open = { access: 'public' } as const;
  app.get(
    '/openapi.json',
    { config: open, schema: { summary: 'This API as an OpenAPI 3.1 document', tags: ['documentation'] } },
    () => app.swagger(),
  );
  app.get(
    '/api',
    { config: open, schema: { summary: 'This API as a page to read', tags: ['documentation'] } },
    (_request, reply) =>
      reply
        .header('content-type', 'text/html; charset=utf-8')
        .header('content-security-policy', PAGE_CSP)
        .send(apiPageHtml(app.swagger() as unknown as Document)),
  );
}
