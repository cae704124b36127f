import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { EmberError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logging.js';
import type { ProtocolCodec } from '../../shared/protocols/codec.js';
import { CODECS } from '../../shared/protocols/index.js';
import { ProtocolDecoder, type DecodedFrame } from '../../shared/protocols/protocol-decoder.js';
import type { ProtocolName, ReadingOf } from '../../shared/schemas/readings.js';
import { backoffDelayMs, type BackoffPolicy } from '../../shared/backoff.js';
import { moduleSetup, type ModuleSetup, type ThermalRateHz, type Ze07Mode } from './module-setup.js';
import type { SerialLine, SerialLineFactory } from './serial-line.js';
import type {
  FrameErrorEvent,
  SerialSourceEvents,
  SerialSourceState,
  SerialSourceStats,
} from './serial-source-events.js';
import { resolveSourceSettings } from './serial-source-settings.js';

export type { FrameErrorEvent, SerialSourceEvents, SerialSourceState, SerialSourceStats };

export interface SerialSourceOptions<P extends ProtocolName> {
  readonly deviceId: string;
  readonly sensorId: string;
  readonly protocol: P;
  readonly path: string;
  /** Defaults to the module's factory baud rate. */
  readonly baudRate?: number;
  /** Poll interval of MH-Z19B (and ZE07 in query mode), ms; default 2000. */
  readonly pollIntervalMs?: number;
  /** MCU90640 frame rate set on open; default 4 Hz. */
  readonly thermalRateHz?: ThermalRateHz;
  /** ZE07 mode; 'query' polls every `pollIntervalMs`. Default 'active'. */
  readonly ze07Mode?: Ze07Mode;
  /** Without a valid frame for this long the line is reported stale; default from the module's frame interval, at least 10 s. */
  readonly staleAfterMs?: number;
  readonly backoff?: Partial<BackoffPolicy>;
  readonly logger: Logger;
  /** How ports are opened: `systemSerialLines()` for hardware and ptys, a binding factory in process. */
  readonly lines: SerialLineFactory;
  /** Wall clock for reading timestamps (ms since the epoch); `Date` by default. */
  readonly clock?: { now(): number };
  /** Source of the backoff jitter, [0, 1). */
  readonly random?: () => number;
}

/**
 * Reads one module on one serial line: opens it, sets the module up, decodes
 * its frames into readings and keeps doing so across unplug and replug.
 * Never throws out of its event handlers and never stops retrying until stop().
 */
export class SerialSource<P extends ProtocolName = ProtocolName> extends EventEmitter<SerialSourceEvents<P>> {
  readonly #options: SerialSourceOptions<P>;
  readonly #settings: ReturnType<typeof resolveSourceSettings>;
  readonly #codec: ProtocolCodec<P>;
  readonly #setup: ModuleSetup;
  readonly #decoder: ProtocolDecoder<P>;
  readonly #log: Logger;
  readonly #clock: { now(): number };
  #line: SerialLine | undefined;
  #unsubscribe: (() => void) | undefined;
  #running = false;
  #generation = 0;
  #state: SerialSourceState = 'closed';
  #failedAttempts = 0;
  #lostAt: number | undefined;
  #lastFrameAt = 0;
  #reconnects = 0;
  #bytesReceived = 0;
  #retryTimer: NodeJS.Timeout | undefined;
  #pollTimer: NodeJS.Timeout | undefined;
  #staleTimer: NodeJS.Timeout | undefined;

  constructor(options: SerialSourceOptions<P>) {
    super();
    this.#options = options;
    this.#codec = CODECS[options.protocol];
    this.#settings = resolveSourceSettings(options, this.#codec.defaultBaudRate);
    this.#setup = moduleSetup(options.protocol, this.#settings);
    this.#decoder = new ProtocolDecoder(this.#codec);
    this.#clock = options.clock ?? Date;
    this.#log = options.logger.child({
      component: 'serial-source',
      sensorId: options.sensorId,
      protocol: options.protocol,
      path: options.path,
    });
  }

  get state(): SerialSourceState {
    return this.#state;
  }

  get stats(): SerialSourceStats {
    return { ...this.#decoder.stats, reconnects: this.#reconnects, bytesReceived: this.#bytesReceived };
  }

  /** Starts reading; resolves after the first open attempt, whatever its outcome. Never rejects. */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    this.#failedAttempts = 0;
    this.#lostAt = undefined;
    this.#setState('opening');
    await this.#open(this.#generation);
  }

  /** Stops retrying, closes the line and emits 'closed'. */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.#generation++;
    clearTimeout(this.#retryTimer);
    const line = this.#detach();
    if (line !== undefined) await line.close();
    this.#setState('closed');
  }

  /** Writes a raw host command to the module (EMBER_ERR_NOT_STARTED when the line is not open). */
  async send(bytes: Uint8Array): Promise<void> {
    if (this.#line === undefined) {
      throw new EmberError('EMBER_ERR_NOT_STARTED', `serial line ${this.#options.path} is not open`);
    }
    await this.#line.write(bytes);
  }

  async #open(generation: number): Promise<void> {
    const { path } = this.#options;
    let line: SerialLine;
    try {
      line = await this.#options.lines.open({ path, baudRate: this.#settings.baudRate });
    } catch (error) {
      if (generation === this.#generation) this.#lineLost(describe(error), 'cannot open serial line');
      return;
    }
    if (generation !== this.#generation) {
      await line.close();
      return;
    }
    this.#attach(line);
  }

  #attach(line: SerialLine): void {
    const onData = (chunk: Uint8Array): void => this.#onData(chunk);
    const onClose = (reason: Error | undefined): void =>
      this.#lineLost(reason?.message ?? 'closed by the other end', 'serial line lost');
    const onError = (error: Error): void => this.#log.debug({ err: error }, 'serial line error');
    line.on('data', onData);
    line.on('close', onClose);
    line.on('error', onError);
    this.#unsubscribe = () => {
      line.off('data', onData);
      line.off('close', onClose);
      line.off('error', onError);
    };
    this.#line = line;
    if (this.#lostAt !== undefined) {
      this.#reconnects++;
      this.#log.info(
        { downMs: Math.round(performance.now() - this.#lostAt), attempts: this.#failedAttempts },
        'serial line back',
      );
    }
    this.#lostAt = undefined;
    this.#failedAttempts = 0;
    this.#setState('open');
    this.#configureModule();
    this.#lastFrameAt = performance.now();
    this.#armStaleCheck(this.#settings.staleAfterMs);
  }

  #configureModule(): void {
    for (const command of this.#setup.onOpen) this.#write(command);
    const poll = this.#setup.poll;
    if (poll !== undefined) {
      this.#write(poll.command);
      this.#pollTimer = setInterval(() => this.#write(poll.command), poll.intervalMs);
    }
  }

  #write(bytes: Uint8Array): void {
    const line = this.#line;
    if (line === undefined) return;
    // A failed write is followed by a close when the line is really gone; the close drives the reconnect.
    line.write(bytes).catch((error: unknown) => this.#log.debug({ reason: describe(error) }, 'write failed'));
  }

  #detach(): SerialLine | undefined {
    const line = this.#line;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#line = undefined;
    clearInterval(this.#pollTimer);
    clearTimeout(this.#staleTimer);
    // A partial frame cannot be completed by bytes of a new connection.
    this.#decoder.flush();
    return line;
  }

  #lineLost(reason: string, message: string): void {
    const line = this.#detach();
    if (line !== undefined) void line.close();
    if (!this.#running) return;
    if (this.#lostAt === undefined) {
      this.#lostAt = performance.now();
      this.#log.warn({ reason }, `${message}; reconnecting`);
      this.#setState('reconnecting');
    } else {
      this.#log.debug({ reason, attempt: this.#failedAttempts }, 'reopen failed');
    }
    const delay = backoffDelayMs(this.#failedAttempts++, this.#settings.backoff, this.#options.random);
    const generation = this.#generation;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => void this.#open(generation), delay);
  }

  #onData(chunk: Uint8Array): void {
    this.#bytesReceived += chunk.length;
    const before = this.#decoder.stats;
    const frames = this.#decoder.push(chunk);
    const after = this.#decoder.stats;
    const checksumErrors = after.checksumErrors - before.checksumErrors;
    const droppedBytes = after.droppedBytes - before.droppedBytes;
    if (checksumErrors > 0 || droppedBytes > 0) {
      this.#safeEmit('error-frame', { checksumErrors, droppedBytes, stats: this.stats });
    }
    if (frames.length === 0) return;
    this.#lastFrameAt = performance.now();
    if (this.#state === 'stale') {
      this.#log.info('serial line fresh again');
      this.#setState('open');
    }
    for (const frame of frames) this.#safeEmit('reading', this.#toReading(frame));
  }

  #toReading(frame: DecodedFrame<P>): ReadingOf<P> {
    const { deviceId, sensorId } = this.#options;
    return {
      deviceId,
      sensorId,
      ts: Math.round(this.#clock.now()),
      outOfRange: frame.outOfRange,
      protocol: frame.protocol,
      ...frame.values,
    } as unknown as ReadingOf<P>;
  }

  #armStaleCheck(delayMs: number): void {
    clearTimeout(this.#staleTimer);
    this.#staleTimer = setTimeout(() => this.#checkStale(), delayMs);
  }

  #checkStale(): void {
    const silentMs = performance.now() - this.#lastFrameAt;
    const limit = this.#settings.staleAfterMs;
    if (silentMs < limit) {
      this.#armStaleCheck(limit - silentMs);
      return;
    }
    if (this.#state === 'open') {
      this.#log.warn({ silentMs: Math.round(silentMs) }, 'serial line stale');
      this.#setState('stale');
    }
    this.#armStaleCheck(limit);
  }

  #setState(state: SerialSourceState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#safeEmit('state', state);
  }

  /** A listener that throws must not take the line down with it. */
  #safeEmit<K extends keyof SerialSourceEvents<P>>(event: K, ...args: SerialSourceEvents<P>[K]): void {
    try {
      (this.emit as (event: K, ...args: SerialSourceEvents<P>[K]) => boolean)(event, ...args);
    } catch (error) {
      this.#log.error({ err: error, event }, 'a listener of the serial source threw');
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
