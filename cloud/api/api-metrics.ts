import { Counter, Gauge, Registry } from 'prom-client';

/** The API's own figures, appended to what the components report through the port. */
export class ApiMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'emberwatch_api_requests_total',
    help: 'HTTP requests answered by the cloud API, by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly eventStreams = new Gauge({
    name: 'emberwatch_api_event_streams',
    help: 'Open Server-Sent Events streams of live events',
    registers: [this.registry],
  });
  readonly droppedStreams = new Counter({
    name: 'emberwatch_api_event_streams_dropped_total',
    help: 'Event streams closed because the client read too slowly',
    registers: [this.registry],
  });

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
