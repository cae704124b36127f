import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One webhook call the pager received. */
export interface Page {
  /** The last path segment: notify, emergency, escalation or operators. */
  readonly channel: string;
  readonly body: unknown;
}

const MAX_BODY = 1 << 20;

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) request.destroy(new Error('body too large'));
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/**
 * The demo's stand-in for a paging service: a webhook receiver on
 * 127.0.0.1 that hands every call to `onPage`, so the demo can show what
 * the response agent and the operator alerts send, and to whom.
 */
export class DemoPager {
  readonly #onPage: (page: Page) => void;
  #server: Server | undefined;
  #port = 0;

  constructor(onPage: (page: Page) => void) {
    this.#onPage = onPage;
  }

  /** `http://127.0.0.1:port/channel`; only after start(). */
  url(channel: string): string {
    return `http://127.0.0.1:${String(this.#port)}/${channel}`;
  }

  async start(): Promise<void> {
    const server = createServer((request, response) => {
      readBody(request).then(
        (text) => {
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // kept as text: a pager shows what it got
          }
          this.#onPage({ channel: (request.url ?? '/').split('/').pop() ?? '', body });
          response.writeHead(204).end();
        },
        () => response.writeHead(400).end(),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.#server = server;
    this.#port = (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
