import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An HTTP server on 127.0.0.1, port 0, serving whatever `files` holds at the moment of each request. */
export interface StaticServer {
  /** URL path ('/models/v1/model.onnx') → body; change it to tamper with what is served. */
  readonly files: Map<string, Uint8Array>;
  /** Paths asked for, in order. */
  readonly requests: string[];
  /** Paths that answer with headers, then never send their body. */
  readonly stall: Set<string>;
  urlOf(path: string): string;
  stop(): Promise<void>;
}

export async function startStaticServer(): Promise<StaticServer> {
  const files = new Map<string, Uint8Array>();
  const requests: string[] = [];
  const stall = new Set<string>();
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    requests.push(path);
    const body = files.get(path);
    if (body === undefined) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': body.byteLength,
    });
    if (stall.has(path)) {
      response.flushHeaders();
      return;
    }
    response.end(body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    files,
    requests,
    stall,
    urlOf: (path) => `http://127.0.0.1:${port}${path}`,
    stop: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
