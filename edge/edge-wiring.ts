import type { Logger } from '../shared/logging.js';
import type { DeviceConfigMessage } from '../shared/schemas/messages.js';
import { cloudMessageHandler } from './cloud-message-handler.js';
import type { HomeAssistantBridge } from './home-assistant/home-assistant-bridge.js';
import type { IotLink } from './link/iot-link.js';
import type { ModelUpdater } from './model/model-updater.js';
import type { SqliteOutbox } from './outbox/sqlite-outbox.js';
import type { UnstoredMessages } from './outbox/unstored-messages.js';
import type { DevicePipeline } from './pipeline/device-pipeline.js';
import type { AgentClock } from './scaled-clock.js';
import type { SensorSources } from './sensor-sources.js';
import type { HealthPublisher } from './status/health-publisher.js';
import type { SensorTroubleWatch } from './status/sensor-trouble.js';
import type { TroubleBoard } from './status/trouble-board.js';

/**
 * Every hand-off between the edge agent's components, in one place.
 * Components know nothing of each other; this module says who hears what.
 *
 * A serial frame, from the wire to an anomaly on MQTT:
 *   sensors/serial-line.ts          the port (or a pseudo-terminal), bytes in
 *   → sensors/serial-source.ts      frames found and decoded by shared/protocols/, readings out
 *   → sensor-sources.ts             one source per configured sensor, readings counted
 *   → wireReadings()                (below): the trouble watch, then the pipeline
 *   → pipeline/device-pipeline.ts   push: plausibility and features (shared/detection/)
 *   → pipeline/model-runner.ts      one model step a second (ONNX or rules)
 *   → shared/alarm/alarm-state.ts   verification, floors and hysteresis: a level change
 *   → outbox/sqlite-outbox.ts       the anomaly stored (alarm or anomaly priority) before anything else
 *   → outbox/drainer.ts             most urgent first, leased, acknowledged per message
 *   → link/iot-link.ts              MQTT over mutual TLS to the broker
 *
 * A refusal on the way (a full or failing disk) goes to outbox/unstored-messages.ts,
 * which keeps the message in memory and sends it directly: wireUnstored().
 */

/** The components the agent built that talk to each other. */
export interface EdgeParts {
  readonly sources: SensorSources;
  readonly pipeline: DevicePipeline;
  readonly troubleWatch: SensorTroubleWatch;
  readonly trouble: TroubleBoard;
  readonly health: HealthPublisher;
  readonly outbox: SqliteOutbox;
  readonly unstored: UnstoredMessages;
  readonly link: IotLink;
  readonly updater: ModelUpdater | undefined;
  /** The local Home Assistant bridge, when the config has one. */
  readonly homeAssistant: HomeAssistantBridge | undefined;
  readonly clock: AgentClock;
  readonly log: Logger;
}

/** What the agent itself does with some events: the state it keeps (storage trouble, the cloud's config). */
export interface AgentHooks {
  /** Re-judges the storage trouble condition from the outbox and the unstored messages. */
  readonly noteStorage: () => void;
  /** Takes a config message from the cloud. */
  readonly applyConfig: (message: DeviceConfigMessage) => void;
}

/** Wires every route below; called once, from the agent's constructor. */
export function wireEdge(parts: EdgeParts, hooks: AgentHooks): void {
  wireReadings(parts);
  wireUnstored(parts);
  wireTrouble(parts, hooks);
  wireCloudMessages(parts, hooks);
}

/** Each reading: the trouble watch notes the sensor alive, Home Assistant's sensors follow it, the pipeline takes it. */
export function wireReadings(parts: EdgeParts): void {
  const { sources, pipeline, troubleWatch, homeAssistant, clock } = parts;
  sources.onReading((reading) => {
    troubleWatch.noteReading(reading, clock.now());
    homeAssistant?.noteReading(reading);
    pipeline.push(reading);
  });
  pipeline.onPlausibilityChange((reading, change) =>
    troubleWatch.notePlausibility(reading.sensorId, change, reading.protocol, clock.now()),
  );
}

/** Messages the outbox refused are held in memory and sent another way; only the newest status counts. */
export function wireUnstored(parts: EdgeParts): void {
  const { pipeline, health, unstored } = parts;
  pipeline.onUnstored((messages) => unstored.hold(messages));
  health.onUnstored((message) => unstored.hold([message], { newestOnly: true }));
}

/** A trouble condition raised or cleared sends a status at once; the disk's state is trouble too. */
export function wireTrouble(parts: EdgeParts, hooks: AgentHooks): void {
  const { trouble, health, outbox, unstored, log } = parts;
  trouble.onChange(({ change, condition }) => {
    const where = { kind: condition.kind, source: condition.source, detail: condition.detail };
    if (change === 'raised') log.warn(where, 'trouble raised');
    else log.info(where, 'trouble cleared');
    health.publishNow();
  });
  outbox.onStorageChange(() => hooks.noteStorage());
  unstored.onChange(() => hooks.noteStorage());
}

/** From the cloud: a model offer to the updater, a config message to the agent. */
export function wireCloudMessages(parts: EdgeParts, hooks: AgentHooks): void {
  const { link, updater, log } = parts;
  link.on('message', cloudMessageHandler({ log, updater, applyConfig: hooks.applyConfig }));
}
