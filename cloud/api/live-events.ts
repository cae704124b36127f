import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Logger } from '../../shared/logging.js';
import type { ApiMetrics } from './api-metrics.js';
import type { ApiPorts, LiveEvent } from './api-ports.js';

/** A client that stops reading is dropped once this much is waiting for it. */
const MAX_BUFFERED_BYTES = 1 << 20;

/** One Server-Sent Events frame: the event type as `event:`, the whole LiveEvent as JSON `data:`. */
export function sseFrame(event: LiveEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/** The open event streams, so stop() can end them: they never finish on their own. */
export class EventStreams {
  readonly #closers = new Set<() => void>();
  readonly #ports: ApiPorts;
  readonly #metrics: ApiMetrics;
  readonly #log: Logger;
  readonly #heartbeatMs: number;

  constructor(ports: ApiPorts, metrics: ApiMetrics, log: Logger, heartbeatMs: number) {
    this.#ports = ports;
    this.#metrics = metrics;
    this.#log = log;
    this.#heartbeatMs = heartbeatMs;
  }

  get size(): number {
    return this.#closers.size;
  }

  /** GET /v1/events: every LiveEvent from the port, with a comment line as heartbeat. */
  register(app: FastifyInstance): void {
    const schema = {
      summary:
        'Live events (server-sent): devices, incidents, assessments, rollouts, decisions, alerts, audit',
      tags: ['fleet'],
    };
    app.get('/v1/events', { config: { access: 'viewer' }, schema }, (request, reply) => {
      reply.hijack();
      const response = reply.raw;
      response.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        'x-accel-buffering': 'no',
      });
      response.write('retry: 3000\n: connected\n\n');
      this.#open(response, request.raw.socket.remoteAddress ?? 'unknown');
    });
  }

  /** Ends every stream; their clients see the end and may reconnect to another instance. */
  closeAll(): void {
    for (const close of [...this.#closers]) close();
  }

  #open(response: ServerResponse, peer: string): void {
    let closed = false;
    const write = (text: string): void => {
      if (closed) return;
      response.write(text);
      if (response.writableLength > MAX_BUFFERED_BYTES) {
        this.#metrics.droppedStreams.inc();
        this.#log.warn({ peer }, 'event stream dropped: the client reads too slowly');
        close();
      }
    };
    const unsubscribe = this.#ports.subscribe((event) => {
      try {
        write(sseFrame(event));
      } catch (error) {
        this.#log.warn({ err: error, peer }, 'event stream write failed');
        close();
      }
    });
    const heartbeat = setInterval(() => write(': heartbeat\n\n'), this.#heartbeatMs);
    const close = (): void => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      unsubscribe();
      this.#closers.delete(close);
      this.#metrics.eventStreams.dec();
      if (!response.writableEnded) response.end();
    };
    this.#closers.add(close);
    this.#metrics.eventStreams.inc();
    response.on('close', close);
    response.on('error', close);
  }
}
