import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_ALARM_POLICY } from '../../shared/alarm/alarm-policy.js';
import { DeviceConfigMessage } from '../../shared/schemas/messages.js';
import type { DeviceConfigState } from '../contracts/cloud-values.js';
import { ConfigDelivery, type ConfigDeliveryOptions } from './config-delivery.js';

/** Where one test's configs are kept: a SQLite file or a PostgreSQL database, the same for every delivery it makes. */
export interface ConfigBackend {
  readonly where: Pick<ConfigDeliveryOptions, 'databaseFile' | 'postgresUrl'>;
  dispose(): Promise<void>;
}

const topic = 'emberwatch/v1/gw-1/config';
const policyMessage = (): Buffer =>
  Buffer.from(JSON.stringify({ schemaVersion: 1, alarm: DEFAULT_ALARM_POLICY }));

/** The config delivery's behaviour on every home of its store: one suite, run on SQLite and on PostgreSQL. */
export function describeConfigDeliveryContract(
  name: string,
  makeBackend: () => Promise<ConfigBackend>,
): void {
  describe(`ConfigDelivery on ${name}`, () => {
    let backend: ConfigBackend;
    let now: number;
    let sent: { topic: string; message: DeviceConfigMessage; retain: boolean }[];
    let up: boolean;
    let changes: [string, DeviceConfigState][];
    let delivery: ConfigDelivery;

    function make(): ConfigDelivery {
      const made = new ConfigDelivery({
        ...backend.where,
        now: () => now,
        resendAfterMs: 60_000,
        publisher: {
          publish: (to, payload, options) => {
            if (!up) return Promise.reject(new Error('not connected'));
            sent.push({
              topic: to,
              message: DeviceConfigMessage.parse(JSON.parse(payload.toString())),
              retain: options.retain,
            });
            return Promise.resolve();
          },
        },
      });
      made.on('config', (deviceId, state) => changes.push([deviceId, state]));
      return made;
    }

    beforeEach(async () => {
      backend = await makeBackend();
      now = 1_000;
      sent = [];
      up = true;
      changes = [];
      delivery = make();
      await delivery.start();
    });
    afterEach(async () => {
      await delivery.stop();
      await backend.dispose();
    });

    it('numbers each config, sends it retained, and keeps it pending until a status reports it', async () => {
      await delivery.publish(topic, policyMessage());
      expect(sent).toEqual([
        { topic, message: { schemaVersion: 1, revision: 1, alarm: DEFAULT_ALARM_POLICY }, retain: true },
      ]);
      expect(delivery.state('gw-1')).toEqual({
        revision: 1,
        state: 'pending',
        sentAt: 1_000,
        appliedAt: null,
      });
      now = 2_000;
      await delivery.deviceReported('gw-1', 0);
      expect(delivery.state('gw-1')?.state).toBe('pending');
      now = 3_000;
      await delivery.deviceReported('gw-1', 1);
      expect(delivery.state('gw-1')).toMatchObject({ state: 'applied', appliedAt: 3_000 });
      expect(changes.map(([, s]) => s.state)).toEqual(['pending', 'applied']);
      await delivery.publish(topic, policyMessage());
      expect(sent.at(-1)?.message.revision).toBe(2);
    });

    it('keeps a config the broker could not take, and sends it when the device comes online', async () => {
      up = false;
      await delivery.publish(topic, policyMessage());
      expect(sent).toEqual([]);
      up = true;
      await delivery.deviceOnline('gw-2');
      await delivery.deviceOnline('gw-1');
      expect(sent.map((s) => s.message.revision)).toEqual([1]);
      await delivery.deviceReported('gw-1', 1);
      await delivery.deviceOnline('gw-1');
      expect(sent).toHaveLength(1); // confirmed: nothing to send again
    });

    it('sends a pending config again when statuses keep showing the device without it, at most once a minute', async () => {
      await delivery.publish(topic, policyMessage());
      now += 30_000;
      await delivery.deviceReported('gw-1', 0);
      expect(sent).toHaveLength(1);
      now += 31_000;
      await delivery.deviceReported('gw-1', 0);
      expect(sent).toHaveLength(2);
    });

    it('numbers above a revision the device reports, after a restart or a lost database', async () => {
      await delivery.deviceReported('gw-1', 7);
      await delivery.stop();
      delivery = make();
      await delivery.start();
      await delivery.publish(topic, policyMessage());
      expect(sent.at(-1)?.message.revision).toBe(8);
    });

    it('refuses another topic and a message that fails its schema', async () => {
      await expect(delivery.publish('emberwatch/v1/gw-1/model/offer', policyMessage())).rejects.toMatchObject(
        {
          code: 'EMBER_ERR_BAD_DEVICE_CONFIG',
        },
      );
      await expect(delivery.publish(topic, Buffer.from('{"schemaVersion":2}'))).rejects.toMatchObject({
        code: 'EMBER_ERR_BAD_DEVICE_CONFIG',
      });
    });

    it('shares its configs with another delivery on the same store, numbered once between them', async () => {
      const other = make();
      await other.start();
      try {
        await delivery.publish(topic, policyMessage());
        expect(other.state('gw-1')).toEqual({
          revision: 1,
          state: 'pending',
          sentAt: 1_000,
          appliedAt: null,
        });
        await other.publish(topic, policyMessage());
        expect(sent.map((s) => s.message.revision)).toEqual([1, 2]);
        // The device's status reaches the other one; the first sees it applied.
        now = 5_000;
        await other.deviceReported('gw-1', 2);
        expect(delivery.state('gw-1')).toEqual({
          revision: 2,
          state: 'applied',
          sentAt: 1_000,
          appliedAt: 5_000,
        });
        await delivery.deviceOnline('gw-1');
        expect(sent).toHaveLength(2);
      } finally {
        await other.stop();
      }
    });
  });
}
