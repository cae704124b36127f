import { describe, expect, it } from 'vitest';
import { EmberError } from '../../shared/errors.js';
import { silentLogger } from '../../shared/logging.js';
import type { AnomalyMessage, TelemetryMessage } from '../../shared/schemas/messages.js';
import type { IngestHandlers } from './ingest-types.js';
import { MessageIntake } from './message-intake.js';
import type { Settlement } from './redelivery.js';

const ANOMALY_TOPIC = 'emberwatch/v1/gw-1/anomaly';
const TELEMETRY_TOPIC = 'emberwatch/v1/gw-1/telemetry';

function anomaly(id: string): Buffer {
  const message: AnomalyMessage = {
    schemaVersion: 1,
    id,
    deviceId: 'gw-1',
    ts: 1000,
    level: 'high',
    previousLevel: 'none',
    probability: 0.9,
    modelVersion: 'rules',
    features: {},
    thermalSnapshot: null,
  };
  return Buffer.from(JSON.stringify(message));
}

function telemetry(id: string): Buffer {
  const message: TelemetryMessage = {
    schemaVersion: 1,
    id,
    deviceId: 'gw-1',
    ts: 1000,
    records: [{ ts: 1000, probability: 0, level: 'none', levels: { temp: 21 }, steps: 1 }],
  };
  return Buffer.from(JSON.stringify(message));
}

/** Records what each message's settlement was told, in order. */
function recorder(): { outcomes: string[]; settle: (name: string) => Settlement } {
  const outcomes: string[] = [];
  return {
    outcomes,
    settle: (name) => ({
      ack: () => outcomes.push(`${name} ack`),
      retry: () => outcomes.push(`${name} retry`),
    }),
  };
}

function intakeFailing(fail: (id: string) => Error | undefined, maxAttempts?: number) {
  const handled: string[] = [];
  const ignore = (): void => undefined;
  const handlers: IngestHandlers = {
    anomaly: (message) => {
      const error = fail(message.id);
      if (error !== undefined) throw error;
      handled.push(message.id);
    },
    telemetry: (message) => {
      const error = fail(message.id);
      if (error !== undefined) throw error;
      handled.push(message.id);
    },
    health: ignore,
    link: ignore,
    report: ignore,
  };
  const intake = new MessageIntake(
    { handlers, ...(maxAttempts === undefined ? {} : { maxAttempts }) },
    silentLogger(),
  );
  return { intake, handled };
}

describe('MessageIntake settling acknowledgements', () => {
  it('acknowledges a message only once its handler has returned, and a refused one at once', async () => {
    const order: string[] = [];
    let release = (): void => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const ignore = (): void => undefined;
    const intake = new MessageIntake(
      {
        handlers: {
          anomaly: async (message) => {
            await gate;
            order.push(`handled ${message.id}`);
          },
          telemetry: ignore,
          health: ignore,
          link: ignore,
          report: ignore,
        },
      },
      silentLogger(),
    );
    const settle = (name: string): Settlement => ({
      ack: () => order.push(`${name} ack`),
      retry: () => order.push(`${name} retry`),
    });
    intake.accept(ANOMALY_TOPIC, anomaly('a-1'), settle('a-1'));
    intake.accept(ANOMALY_TOPIC, Buffer.from('{not json'), settle('broken'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(order).toEqual(['broken ack']);
    release();
    await intake.drain();
    expect(order).toEqual(['broken ack', 'handled a-1', 'a-1 ack']);
  });

  it('holds back a failed message for redelivery and acknowledges it once a delivery succeeds', async () => {
    let failures = 2;
    const { intake, handled } = intakeFailing(() =>
      failures-- > 0 ? new Error('constraint violated') : undefined,
    );
    const { outcomes, settle } = recorder();
    for (let delivery = 1; delivery <= 3; delivery++) {
      intake.accept(ANOMALY_TOPIC, anomaly('a-1'), settle(`delivery ${String(delivery)}`));
      await intake.drain();
    }
    expect(outcomes).toEqual(['delivery 1 retry', 'delivery 2 retry', 'delivery 3 ack']);
    expect(handled).toEqual(['a-1']);
    expect(intake.handlerErrors.anomaly).toBe(2);
    expect(intake.givenUp.anomaly).toBe(0);
  });

  it('gives a message up after maxAttempts deliveries failing for good, and counts it', async () => {
    const { intake, handled } = intakeFailing((id) => (id === 'poison' ? new Error('bug') : undefined), 3);
    const { outcomes, settle } = recorder();
    for (let delivery = 1; delivery <= 3; delivery++) {
      intake.accept(ANOMALY_TOPIC, anomaly('poison'), settle(`poison ${String(delivery)}`));
      await intake.drain();
    }
    intake.accept(ANOMALY_TOPIC, anomaly('fine'), settle('fine'));
    await intake.drain();
    expect(outcomes).toEqual(['poison 1 retry', 'poison 2 retry', 'poison 3 ack', 'fine ack']);
    expect(handled).toEqual(['fine']);
    expect(intake.givenUp.anomaly).toBe(1);
  });

  it('never gives up a message whose handler fails for a reason that passes (the database away)', async () => {
    let failures = 8;
    const away = new EmberError('EMBER_ERR_DATABASE', 'incidents: connection refused', { retryable: true });
    const { intake, handled } = intakeFailing(() => (failures-- > 0 ? away : undefined), 2);
    const { outcomes, settle } = recorder();
    for (let delivery = 1; delivery <= 9; delivery++) {
      intake.accept(ANOMALY_TOPIC, anomaly('a-1'), settle('a-1'));
      await intake.drain();
    }
    expect(outcomes).toEqual([...Array<string>(8).fill('a-1 retry'), 'a-1 ack']);
    expect(handled).toEqual(['a-1']);
    expect(intake.givenUp.anomaly).toBe(0);
  });

  it('hands a telemetry message on again when its handler failed, though its id was seen', async () => {
    let failures = 1;
    const { intake, handled } = intakeFailing(() => (failures-- > 0 ? new Error('disk full') : undefined));
    const { outcomes, settle } = recorder();
    intake.accept(TELEMETRY_TOPIC, telemetry('t-1'), settle('first'));
    await intake.drain();
    intake.accept(TELEMETRY_TOPIC, telemetry('t-1'), settle('again'));
    await intake.drain();
    intake.accept(TELEMETRY_TOPIC, telemetry('t-1'), settle('repeat'));
    await intake.drain();
    expect(outcomes).toEqual(['first retry', 'again ack', 'repeat ack']);
    expect(handled).toEqual(['t-1']);
    expect(intake.telemetry.duplicates).toBe(1);
  });
});
