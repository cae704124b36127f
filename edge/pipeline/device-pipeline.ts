import type { AlarmLevel, AlarmPolicy } from '../../shared/alarm/alarm-policy.js';
import { AlarmState, type AlarmChange } from '../../shared/alarm/alarm-state.js';
import { DetectionFrontEnd } from '../../shared/detection/detection-front-end.js';
import { Listeners } from '../../shared/listeners.js';
import type { Logger } from '../../shared/logging.js';
import type { ObjectStore } from '../../shared/object-store/object-store.js';
import type { AnomalyMessage } from '../../shared/schemas/messages.js';
import type { Reading, ReadingOf } from '../../shared/schemas/readings.js';
import { deviceTopics } from '../../shared/topics.js';
import { createMessageIdGenerator } from '../outbox/message-id.js';
import type { NewMessage } from '../outbox/message.js';
import type { Outbox } from '../outbox/outbox.js';
import { telemetryMessages } from '../outbox/telemetry-batch.js';
import type { IncidentRecorder } from './incident-recorder.js';
import type { ModelRunner } from './model-runner.js';
import { SensorPlausibility, type ImplausibleReadings } from './sensor-plausibility.js';
import { featureRecord, TelemetrySummary } from './telemetry-summary.js';
import { thermalSnapshot } from './thermal-snapshot.js';

export interface DevicePipelineOptions {
  readonly deviceId: string;
  readonly outbox: Outbox;
  readonly runner: ModelRunner;
  readonly policy: AlarmPolicy;
  readonly logger: Logger;
  /**
   * Timestamps of steps, ms since the epoch; follows the readings' clock.
   * `wallOf` turns one into the wall-clock time messages carry (identity by default).
   */
  readonly clock?: { now(): number; wallOf?(ts: number): number };
  /** Real ms between steps: 1000, or 1000 / speed when emulated time runs faster. */
  readonly stepIntervalMs?: number;
  /**
   * How long after a step falls due the pipeline waits for a reading to take
   * it on (default half the interval); without one the timer takes the step.
   */
  readonly stepGraceMs?: number;
  /** Steps per telemetry record (telemetryIntervalS at one step per second). */
  readonly telemetryEverySteps: number;
  readonly snapshotStore?: ObjectStore;
  /** Keeps the readings around each incident for the cloud (only with an object store). */
  readonly recorder?: IncidentRecorder;
}

export interface PipelineStats {
  readonly steps: number;
  readonly skippedSteps: number;
  readonly level: AlarmLevel;
  readonly probability: number;
  readonly modelVersion: string;
  readonly anomalies: number;
  readonly telemetryMessages: number;
  readonly enqueueFailures: number;
  /** Per sensor id: readings judged physically implausible, and whether the newest one was. */
  readonly implausible: Readonly<Record<string, ImplausibleReadings>>;
}

/**
 * One device's data path: readings → features → one model step per second →
 * alarm state → anomaly and telemetry messages in the outbox. `push` is
 * synchronous and cheap so the serial side never waits; everything that
 * touches the disk or a model runs in the step, off the serial handler.
 *
 * Steps fall due on a fixed grid (one per interval). The first reading that
 * arrives once a step is due takes the step at once, so the frame that
 * completes a step is evaluated without waiting for a timer; the timer takes
 * the step only when no reading comes within the grace period (a silent kit).
 */
export class DevicePipeline {
  readonly #options: DevicePipelineOptions;
  readonly #log: Logger;
  readonly #clock: { now(): number; wallOf?(ts: number): number };
  readonly #topics;
  readonly #nextId: () => string;
  readonly #detection = new DetectionFrontEnd();
  readonly #summary = new TelemetrySummary();
  readonly #pending = new Set<Promise<unknown>>();
  #alarm: AlarmState;
  #level: AlarmLevel = 'none';
  #latestFrame: ReadingOf<'mcu90640'> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  /** performance.now() at which the next step falls due. */
  #dueAt = 0;
  #stepping: Promise<void> | undefined;
  #steps = 0;
  #skipped = 0;
  #probability = 0;
  #modelVersion = 'none';
  #anomalies = 0;
  #telemetry = 0;
  #enqueueFailures = 0;
  readonly #plausibility = new SensorPlausibility();
  readonly #plausibilityListeners = new Listeners<[Reading, 'faulty' | 'recovered']>();
  readonly #unstoredListeners = new Listeners<[readonly NewMessage[], unknown]>();

  constructor(options: DevicePipelineOptions) {
    this.#options = options;
    this.#log = options.logger.child({ component: 'pipeline', deviceId: options.deviceId });
    this.#clock = options.clock ?? Date;
    this.#topics = deviceTopics(options.deviceId);
    this.#nextId = createMessageIdGenerator(this.#clock);
    this.#alarm = new AlarmState(options.policy);
  }

  get stats(): PipelineStats {
    return {
      steps: this.#steps,
      skippedSteps: this.#skipped,
      level: this.#level,
      probability: this.#probability,
      modelVersion: this.#modelVersion,
      anomalies: this.#anomalies,
      telemetryMessages: this.#telemetry,
      enqueueFailures: this.#enqueueFailures,
      implausible: this.#plausibility.snapshot(),
    };
  }

  /** Logs once when a module turns faulty (its readings implausible) and once when it recovers. */
  #notePlausibility(reading: Reading, plausible: boolean): void {
    const change = this.#plausibility.note(reading.sensorId, plausible);
    if (change === undefined) return;
    this.#plausibilityListeners.emit(reading, change);
    const where = { sensorId: reading.sensorId, protocol: reading.protocol };
    if (change === 'faulty') {
      this.#log.warn(where, 'sensor reports values it cannot physically give; its channels count as missing');
    } else {
      const { count } = this.#plausibility.of(reading.sensorId);
      this.#log.info({ ...where, implausibleReadings: count }, 'sensor readings plausible again');
    }
  }

  /** Hears when a sensor turns faulty (implausible readings) and when it recovers. */
  onPlausibilityChange(listener: (reading: Reading, change: 'faulty' | 'recovered') => void): () => void {
    return this.#plausibilityListeners.add(listener);
  }

  /**
   * Hears of an anomaly the outbox refused (a full or failing disk), so that
   * it is kept in memory and sent another way; unheard, it is only logged.
   */
  onUnstored(listener: (messages: readonly NewMessage[], error: unknown) => void): () => void {
    return this.#unstoredListeners.add(listener);
  }

  /** The newest thermal frame pushed, if a camera sent one. */
  get latestFrame(): ReadingOf<'mcu90640'> | undefined {
    return this.#latestFrame;
  }

  /** Takes one reading; synchronous, no I/O. The first reading of a due step starts that step. */
  push(reading: Reading): void {
    this.#notePlausibility(reading, this.#detection.push(reading));
    if (reading.protocol === 'mcu90640') this.#latestFrame = reading;
    if (this.#running && performance.now() >= this.#dueAt) this.#stepDue();
  }

  /** A new alarm policy (cloud config or a model swap). The level is kept; persistence counters restart. */
  setPolicy(policy: AlarmPolicy): void {
    this.#alarm = new AlarmState(policy);
    this.#log.info({ policy }, 'alarm policy changed');
  }

  start(): Promise<void> {
    if (this.#running) return Promise.resolve();
    this.#running = true;
    this.#dueAt = performance.now() + this.#interval();
    this.#arm();
    return Promise.resolve();
  }

  /** Stops stepping, waits for the step and enqueues in progress, and stores the last telemetry. */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#stepping;
    this.#flushTelemetry();
    await Promise.allSettled([...this.#pending]);
    await this.#options.recorder?.stop();
  }

  #interval(): number {
    return this.#options.stepIntervalMs ?? 1000;
  }

  /** Sets the timer that takes the due step if no reading does within the grace period. */
  #arm(): void {
    clearTimeout(this.#timer);
    const grace = this.#options.stepGraceMs ?? this.#interval() / 2;
    const wait = Math.max(0, this.#dueAt + grace - performance.now());
    this.#timer = setTimeout(() => this.#stepDue(), wait);
  }

  /** Takes the due step and moves the due time to the next point of the grid after now. */
  #stepDue(): void {
    if (!this.#running) return;
    const now = performance.now();
    const interval = this.#interval();
    this.#dueAt += interval;
    if (this.#dueAt <= now) this.#dueAt += (Math.floor((now - this.#dueAt) / interval) + 1) * interval;
    this.#arm();
    this.tick();
  }

  /** One step now; a step still running (slow model) makes this one count as skipped. */
  tick(): void {
    if (this.#stepping !== undefined) {
      this.#skipped++;
      return;
    }
    this.#stepping = this.step(this.#clock.now())
      .catch((error: unknown) => this.#log.error({ err: error }, 'step failed'))
      .finally(() => (this.#stepping = undefined));
  }

  /** Samples the features at `now`, predicts, updates the alarm and queues what must go out. */
  async step(now: number): Promise<void> {
    const { vector, floors, fresh } = this.#detection.step(now);
    const { probability, modelVersion } = await this.#options.runner.predict(vector);
    this.#steps++;
    this.#probability = probability;
    this.#modelVersion = modelVersion;
    this.#summary.add(probability, vector);
    const previous = this.#level;
    const change = this.#alarm.update(now, probability, floors, fresh);
    // After a policy change the new state machine starts quiet; the level stands until it decides otherwise.
    const level = change?.level ?? this.#level;
    this.#options.recorder?.note(now, level, this.#detection.recordingValues(now));
    if (level !== previous) {
      this.#level = level;
      this.#track(
        this.#enqueueAnomaly(
          { ...(change ?? { ts: now, probability }), from: previous, level },
          vector,
          modelVersion,
        ),
      );
    }
    if (this.#steps % this.#options.telemetryEverySteps === 0) this.#flushTelemetry();
  }

  async #enqueueAnomaly(change: AlarmChange, vector: Float32Array, modelVersion: string): Promise<void> {
    const id = this.#nextId();
    const key = `snapshots/${this.#options.deviceId}/${id}.png`;
    const snapshot = await thermalSnapshot(this.#latestFrame, key, this.#options.snapshotStore, this.#log);
    const message: AnomalyMessage = {
      schemaVersion: 1,
      id,
      deviceId: this.#options.deviceId,
      ts: this.#wallOf(change.ts),
      level: change.level,
      previousLevel: change.from,
      probability: change.probability,
      modelVersion,
      features: featureRecord(vector),
      thermalSnapshot: snapshot,
      ...(change.floors === undefined ? {} : { floors: [...change.floors] }),
      ...(this.#options.recorder?.current === undefined
        ? {}
        : { recording: { objectKey: this.#options.recorder.current } }),
    };
    const priority = change.level === 'high' ? 'alarm' : 'anomaly';
    const messages: NewMessage[] = [
      { topic: this.#topics.anomaly, payload: Buffer.from(JSON.stringify(message)), priority },
    ];
    const refused = await this.#enqueue(messages);
    const fields = {
      id,
      level: change.level,
      from: change.from,
      probability: change.probability,
      floors: change.floors,
    };
    if (refused === undefined) {
      this.#anomalies++;
      this.#log.info(fields, 'alarm level changed');
      return;
    }
    // Never "changed" alone: that line means the anomaly is stored.
    this.#log.error(
      { ...fields, err: refused },
      'alarm level changed but the outbox could not store it: held in memory and sent as soon as possible',
    );
    this.#unstoredListeners.emit(messages, refused);
  }

  /** A step time as messages carry it: wall-clock ms. */
  #wallOf(ts: number): number {
    return Math.round(this.#clock.wallOf?.(ts) ?? ts);
  }

  #flushTelemetry(): void {
    const stepNow = Math.round(this.#clock.now());
    const taken = this.#summary.take(stepNow, this.#level);
    if (taken === undefined) return;
    const now = this.#wallOf(stepNow);
    const record = { ...taken, ts: this.#wallOf(taken.ts) };
    const messages = telemetryMessages([record], {
      deviceId: this.#options.deviceId,
      ts: now,
      topic: this.#topics.telemetry,
      nextId: this.#nextId,
    });
    this.#track(
      this.#enqueue(messages).then((refused) => {
        if (refused === undefined) this.#telemetry += messages.length;
      }),
    );
  }

  /** Stores messages; resolves with the outbox's refusal, or undefined once they are stored. */
  async #enqueue(messages: NewMessage[]): Promise<unknown> {
    try {
      await this.#options.outbox.enqueueMany(messages);
      return undefined;
    } catch (error) {
      this.#enqueueFailures++;
      this.#log.warn({ err: error, topic: messages[0]?.topic }, 'outbox refused a message');
      return error;
    }
  }

  #track(promise: Promise<unknown>): void {
    const tracked = promise.catch((error: unknown) =>
      this.#log.error({ err: error }, 'pipeline task failed'),
    );
    this.#pending.add(tracked);
    void tracked.finally(() => this.#pending.delete(tracked));
  }
}
