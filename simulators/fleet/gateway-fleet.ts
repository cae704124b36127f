import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventEmitter } from 'node:events';
import { EmberError } from '../../shared/errors.js';
import { silentLogger, type Logger } from '../../shared/logging.js';
import { findSocat, SOCAT_ENV } from '../devices/socat-path.js';
import { MockDeviceBus } from '../devices/mock-device-bus.js';
import type { KitDeviceInfo } from '../devices/start-kit.js';
import { describeRun, type PlannedRun, type RunKind } from './fleet-schedule.js';
import { fleetGateways, type FleetGateway } from './fleet-zones.js';
import { GatewayTimeline } from './gateway-timeline.js';
import { startGatewayKit, type RunningGatewayKit } from './gateway-kit.js';

/** One run of the schedule as the fleet plays it, with the wall times it starts and ignites at. */
export interface FleetRun {
  readonly gatewayId: string;
  readonly zone: string;
  readonly index: number;
  readonly template: string;
  readonly kind: RunKind;
  readonly label: string;
  /** The catalogue seed the run's scenario was drawn with. */
  readonly seed: number;
  readonly durationS: number;
  /** Seconds from the run's start; null without a fire. */
  readonly ignitionS: number | null;
  /** Epoch ms at which the run starts playing. */
  readonly startsAtMs: number;
  /** Epoch ms of ignition, null without a fire. */
  readonly ignitionAtMs: number | null;
}

/** What the fleet hands to whatever runs on a gateway (the edge agent) once its modules are up. */
export interface GatewayHostRequest {
  readonly gateway: FleetGateway;
  readonly devices: readonly KitDeviceInfo[];
  /** The in-process bus to open the devices through (mock transport); undefined on ptys. */
  readonly bus: MockDeviceBus | undefined;
  /** Emulated seconds per real second, for the host's own clock. */
  readonly speed: number;
}

/** Something running on a gateway, stopped with it. */
export interface GatewayHost {
  stop(): Promise<void>;
}

export type GatewayHostFactory = (request: GatewayHostRequest) => Promise<GatewayHost>;

export interface GatewayFleetOptions {
  /** 1-10 gateways; default 3. */
  readonly gateways?: number;
  /** Emulated seconds per real second; default 10. */
  readonly speed?: number;
  /** Seeds the schedule after the opening runs; default 1. */
  readonly seed?: number;
  /** 'pty' when socat is found (see findSocat), else 'mock' (serialport's in-process binding); default: detected. */
  readonly transport?: 'pty' | 'mock';
  /** Where the tty links go; a temporary folder (removed on stop) by default. */
  readonly runDir?: string;
  /** The socat to run; default EMBERWATCH_SOCAT or the first socat on the PATH. */
  readonly socatPath?: string;
  /** Starts what reads each gateway's modules (the demo starts an edge agent). */
  readonly startHost?: GatewayHostFactory;
  readonly logger?: Logger;
}

export interface GatewayFleetEvents {
  /** A gateway began a run. */
  run: [FleetRun];
}

/** Whether socat can be run: `path`, else EMBERWATCH_SOCAT, else one on the PATH. */
export function socatAvailable(path?: string): boolean {
  return findSocat(path) !== undefined;
}

interface Member {
  readonly gateway: FleetGateway;
  readonly timeline: GatewayTimeline;
  readonly kit: RunningGatewayKit;
  host: GatewayHost | undefined;
  current: number;
}

/** How often the fleet looks for runs that began. */
const TICK_MS = 200;

/**
 * N simulated gateways, each five emulated modules playing its own schedule
 * of scenario runs at `speed`, with whatever `startHost` runs on it (the
 * demo: a real edge agent). The constructor does no I/O; `start()` brings
 * the gateways up one by one and `stop()` takes every host, emulator and
 * socat down.
 */
export class GatewayFleet extends EventEmitter<GatewayFleetEvents> {
  readonly gateways: readonly FleetGateway[];
  readonly speed: number;
  readonly #options: GatewayFleetOptions;
  readonly #log: Logger;
  readonly #members: Member[] = [];
  readonly #played: FleetRun[] = [];
  #runDir: { path: string; owned: boolean } | undefined;
  #bus: MockDeviceBus | undefined;
  #ticker: NodeJS.Timeout | undefined;
  #transport: 'pty' | 'mock' | undefined;
  #socat: string | undefined;
  // A process that exits without stop() (a second Ctrl-C, the stop bound) still removes its tty folder.
  readonly #removeRunDir = (): void => {
    if (this.#runDir?.owned === true) rmSync(this.#runDir.path, { recursive: true, force: true });
  };

  constructor(options: GatewayFleetOptions = {}) {
    super();
    const speed = options.speed ?? 10;
    if (!(Number.isFinite(speed) && speed > 0 && speed <= 100)) {
      throw new EmberError('EMBER_ERR_BAD_OPTION', `fleet speed must be in (0, 100], not ${String(speed)}`);
    }
    this.gateways = fleetGateways(options.gateways ?? 3);
    this.speed = speed;
    this.#options = options;
    this.#log = (options.logger ?? silentLogger()).child({ component: 'fleet' });
  }

  /** 'pty' or 'mock', once started. */
  get transport(): 'pty' | 'mock' | undefined {
    return this.#transport;
  }

  /** The socat the gateways' lines run (pty transport), once started. */
  get socatPath(): string | undefined {
    return this.#socat;
  }

  /** The folder of the tty links (pty transport), once started. */
  get runDir(): string | undefined {
    return this.#runDir?.path;
  }

  /** Every run that has begun, in order, then each gateway's next run. */
  get schedule(): readonly FleetRun[] {
    const next = this.#members.map((m) => this.#fleetRun(m, m.timeline.run(m.current + 1)));
    return [...this.#played, ...next];
  }

  /** The run each gateway is playing now. */
  current(): FleetRun[] {
    return this.#members.map((m) => this.#fleetRun(m, m.timeline.run(m.current)));
  }

  async start(): Promise<void> {
    if (this.#transport !== undefined) return;
    const socat = findSocat(this.#options.socatPath);
    const wanted = this.#options.socatPath ?? process.env[SOCAT_ENV];
    if (this.#options.transport !== 'mock' && wanted !== undefined && wanted !== '' && socat === undefined) {
      throw new EmberError(
        'EMBER_ERR_BAD_OPTION',
        `socat ${JSON.stringify(wanted)} cannot be run (not found or not executable)`,
      );
    }
    const transport = this.#options.transport ?? (socat !== undefined ? 'pty' : 'mock');
    this.#transport = transport;
    this.#socat = transport === 'pty' ? (socat ?? this.#options.socatPath ?? 'socat') : undefined;
    if (transport === 'mock') this.#log.info('the gateways’ serial lines run in process');
    try {
      if (transport === 'pty') {
        const given = this.#options.runDir;
        this.#runDir =
          given === undefined
            ? { path: await mkdtemp(join(tmpdir(), 'emberwatch-fleet-')), owned: true }
            : { path: given, owned: false };
        process.once('exit', this.#removeRunDir);
        await mkdir(this.#runDir.path, { recursive: true });
        // Each socat pair registers an exit hook that kills it if the process dies first.
        process.setMaxListeners(Math.max(process.getMaxListeners(), 10 + 6 * this.gateways.length));
      } else this.#bus = new MockDeviceBus(`fleet-${process.pid}-${Date.now().toString(36)}`);
      for (const gateway of this.gateways) await this.#startMember(gateway);
    } catch (error) {
      await this.stop();
      throw error;
    }
    this.#ticker = setInterval(() => this.#tick(), TICK_MS);
    this.#log.info({ gateways: this.gateways.length, speed: this.speed, transport }, 'fleet started');
  }

  /** Stops every host, then every emulator (and socat), and removes the tty folder it made. */
  async stop(): Promise<void> {
    if (this.#transport === undefined) return;
    clearInterval(this.#ticker);
    this.#ticker = undefined;
    const members = this.#members.splice(0).reverse();
    const failures: unknown[] = [];
    for (const member of members) {
      try {
        await member.host?.stop();
      } catch (error) {
        failures.push(error);
      }
    }
    await Promise.all(members.map((m) => m.kit.stop()));
    if (this.#runDir?.owned === true) await rm(this.#runDir.path, { recursive: true, force: true });
    process.off('exit', this.#removeRunDir);
    this.#runDir = undefined;
    this.#socat = undefined;
    this.#bus = undefined;
    this.#transport = undefined;
    this.#log.info('fleet stopped');
    if (failures.length > 0) throw failures[0];
  }

  async #startMember(gateway: FleetGateway): Promise<void> {
    const timeline = new GatewayTimeline(this.#options.seed ?? 1, gateway);
    timeline.prepare(timeline.run(0));
    const kit = await startGatewayKit(timeline, {
      speed: this.speed,
      transport:
        this.#bus === undefined
          ? { kind: 'pty', runDir: this.#runDir?.path ?? tmpdir() }
          : { kind: 'mock', bus: this.#bus },
      logger: this.#options.logger ?? silentLogger(),
      ...(this.#socat === undefined ? {} : { socatPath: this.#socat }),
    });
    const member: Member = { gateway, timeline, kit, host: undefined, current: 0 };
    this.#members.push(member);
    this.#began(member);
    member.host = await this.#options.startHost?.({
      gateway,
      devices: kit.devices,
      bus: this.#bus,
      speed: this.speed,
    });
  }

  #tick(): void {
    for (const member of this.#members) {
      const run = member.timeline.runAt(member.kit.now());
      if (run.index === member.current) continue;
      member.current = run.index;
      this.#began(member);
    }
  }

  /** Records and announces the member's current run, and simulates its next one ahead of time. */
  #began(member: Member): void {
    const info = this.#fleetRun(member, member.timeline.run(member.current));
    this.#played.push(info);
    const { gatewayId, zone, index, template, kind, label, ignitionS, durationS } = info;
    this.#log.info(
      { gatewayId, zone, index, template, kind, label, ignitionS, durationS, run: describeRun(info) },
      'run started',
    );
    this.emit('run', info);
    const next = member.timeline.run(member.current + 1);
    setImmediate(() => {
      try {
        member.timeline.prepare(next);
      } catch (error) {
        // The emulators simulate it on demand instead; only the head start is lost.
        this.#log.warn({ err: error, gatewayId, index: next.index }, 'next run not simulated ahead');
      }
    }).unref();
  }

  #fleetRun(member: Member, run: PlannedRun): FleetRun {
    const startsAtMs = Math.round(member.kit.startedAtMs + (run.startS * 1000) / this.speed);
    return {
      gatewayId: member.gateway.id,
      zone: member.gateway.zone,
      index: run.index,
      template: run.template,
      kind: run.kind,
      label: run.label,
      seed: run.seed,
      durationS: run.durationS,
      ignitionS: run.ignitionS,
      startsAtMs,
      ignitionAtMs:
        run.ignitionS === null ? null : Math.round(startsAtMs + (run.ignitionS * 1000) / this.speed),
    };
  }
}
