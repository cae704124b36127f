import { join } from 'node:path';
import { z } from 'zod';
import type { LiveEvent } from '../../cloud/api/api-ports.js';
import { createLogger } from '../../shared/logging.js';
import { describeRun } from '../../simulators/fleet/fleet-schedule.js';
import type { GatewayFleet } from '../../simulators/fleet/gateway-fleet.js';
import type { Page } from '../demo/demo-pager.js';
import { runDemo } from '../demo/run-demo.js';
import { parseOptions, writeLine, type Command } from '../options.js';
import * as helpText from '../help/demo.js';

const Options = z.object({
  devices: z.coerce.number().int().min(1).max(10).default(3),
  port: z.coerce.number().int().min(0).max(65_535).default(8080),
  'broker-port': z.coerce.number().int().min(0).max(65_535).default(0),
  duration: z.coerce.number().positive().optional(),
  speed: z.coerce.number().min(1).max(50).default(10),
  'rollout-after': z.coerce.number().min(0).default(90),
  data: z.string().min(1).default('./data/demo'),
  socat: z.string().min(1).optional(),
});

function pageLine(page: Page): string {
  const body =
    typeof page.body === 'object' && page.body !== null ? (page.body as Record<string, unknown>) : {};
  const incident = body['incident'] as { deviceId?: string; level?: string; id?: string } | undefined;
  const alert = body['alert'] as { message?: string } | undefined;
  const type = typeof body['type'] === 'string' ? body['type'] : 'call';
  if (alert !== undefined) return `pager [${page.channel}] ${type}: ${alert.message ?? ''}`;
  return `pager [${page.channel}] ${type}: ${incident?.deviceId ?? '?'} at ${incident?.level ?? '?'} (incident ${incident?.id ?? '?'})`;
}

/** One console line for the live events a newcomer should notice, undefined for the rest. */
function eventLine(event: LiveEvent): string | undefined {
  switch (event.type) {
    case 'incident': {
      const i = event.incident;
      return `incident ${i.id} ${i.state}: ${i.deviceId} (${i.zone}) at ${i.level}: ${i.reasons.join('; ')}`;
    }
    case 'rollout': {
      const r = event.rollout;
      const done = r.devices.filter((d) => d.status === 'installed').length;
      const reason = r.reason === null ? '' : `: ${r.reason}`;
      return `rollout ${r.version} ${r.state}: ${String(done)}/${String(r.devices.length)} installed${reason}`;
    }
    case 'decision':
      return `learning: ${event.decision.explanation}`;
    case 'alert':
      return `operator alert ${event.alert.active ? 'raised' : 'cleared'}: ${event.alert.message}`;
    default:
      return undefined;
  }
}

/** Which serial lines the gateways read, said once at start. */
function linesLine(fleet: GatewayFleet): string {
  if (fleet.transport === 'pty') {
    return `serial lines: pseudo-terminals made by ${fleet.socatPath ?? 'socat'}, links in ${fleet.runDir ?? '?'}`;
  }
  return 'serial lines: in process (serialport mock binding): no socat found (install socat, or give --socat PATH or EMBERWATCH_SOCAT, for pseudo-terminals)';
}

export const demoCommand: Command = {
  name: 'demo',
  summary: helpText.summary,
  usage: helpText.usage,
  async run(argv, io) {
    const options = parseOptions(
      'demo',
      argv,
      {
        devices: { type: 'string' },
        port: { type: 'string' },
        'broker-port': { type: 'string' },
        duration: { type: 'string' },
        speed: { type: 'string' },
        'rollout-after': { type: 'string' },
        data: { type: 'string' },
        socat: { type: 'string' },
      },
      Options,
    );
    if (options === 'help') {
      await writeLine(io.stdout, this.usage);
      return 0;
    }
    const logger = createLogger({ level: process.env['EMBERWATCH_LOG_LEVEL'] ?? 'warn' });
    const print = (line: string): void =>
      void io.stdout.write(`${new Date().toISOString().slice(11, 19)}  ${line}\n`);
    const demo = await runDemo({
      devices: options.devices,
      port: options.port,
      brokerPort: options['broker-port'],
      speed: options.speed,
      rolloutAfterS: options['rollout-after'],
      dataDir: options.data,
      ...(options.socat === undefined ? {} : { socatPath: options.socat }),
      logger,
      onPage: (page) => print(pageLine(page)),
    });
    const unsubscribe = demo.cloud.live.subscribe((event) => {
      const line = eventLine(event);
      if (line !== undefined) print(line);
    });
    const onRun = (run: Parameters<typeof describeRun>[0]): void => print(`playing ${describeRun(run)}`);
    demo.edge.fleet.on('run', onRun);
    try {
      await writeLine(io.stdout, `Emberwatch demo: dashboard ${demo.dashboardUrl}`);
      await writeLine(
        io.stdout,
        `sign in as ${demo.login.username} with password ${demo.login.password} (kept in ${demo.login.file}; more people: emberwatch users add NAME --role viewer --data ${join(demo.edge.workspace.dataDir, 'cloud')})`,
      );
      await writeLine(
        io.stdout,
        `broker ${demo.edge.brokerUrl} (mutual TLS), data in ${demo.edge.workspace.dataDir}`,
      );
      await writeLine(io.stdout, linesLine(demo.edge.fleet));
      if (demo.closedAtStart.length > 0) {
        await writeLine(
          io.stdout,
          `closed ${String(demo.closedAtStart.length)} incident(s) the last run left open (outcome unknown; see the audit log)`,
        );
      }
      for (const run of demo.edge.fleet.current()) print(`playing ${describeRun(run)}`);
      const deadline =
        options.duration === undefined
          ? undefined
          : new Promise<void>((resolve) => setTimeout(resolve, (options.duration ?? 0) * 1000).unref());
      await Promise.race([io.stopSignal, ...(deadline === undefined ? [] : [deadline])]);
    } finally {
      demo.edge.fleet.off('run', onRun);
      unsubscribe();
      await writeLine(io.stdout, 'stopping…');
      await demo.stop();
    }
    await writeLine(io.stdout, 'stopped');
    return 0;
  },
};
