import fc from 'fast-check';
import mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { MqttPacketScanner } from './packet-scanner.js';
import { TokenBucket } from './token-bucket.js';

function publish(payloadBytes: number): Buffer {
  return mqttPacket.generate({
    cmd: 'publish',
    topic: 'emberwatch/v1/gw-1/telemetry',
    payload: Buffer.alloc(payloadBytes, 0x61),
    qos: 1,
    messageId: 7,
    retain: false,
    dup: false,
  });
}

describe('MqttPacketScanner', () => {
  it('counts packets and publishes across any split of the stream', () => {
    const stream = Buffer.concat([
      mqttPacket.generate({ cmd: 'pingreq' }),
      publish(10),
      publish(20_000),
      mqttPacket.generate({ cmd: 'puback', messageId: 3 }),
    ]);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 20 }), (cuts) => {
        const scanner = new MqttPacketScanner(64 * 1024);
        const points = [0, ...[...new Set(cuts)].sort((a, b) => a - b), stream.length];
        let packets = 0;
        let publishes = 0;
        for (let k = 0; k + 1 < points.length; k++) {
          const result = scanner.scan(stream.subarray(points[k], points[k + 1]));
          expect(result.tooLarge).toBeUndefined();
          packets += result.packets;
          publishes += result.publishes;
        }
        expect([packets, publishes]).toEqual([4, 2]);
      }),
    );
  });

  it('refuses a packet at its header, before any of its body', () => {
    const remaining = 250 * 1024 * 1024;
    const length: number[] = [];
    for (let n = remaining; n > 0; n = Math.floor(n / 128)) length.push((n % 128) | (n >= 128 ? 0x80 : 0));
    const scanner = new MqttPacketScanner(64 * 1024);
    expect(scanner.scan(Buffer.from([0x32, ...length]))).toMatchObject({
      tooLarge: { type: 3, bytes: remaining + 1 + length.length },
    });
  });

  it('accepts a packet of exactly the limit and refuses one byte more', () => {
    const packet = publish(1000);
    expect(new MqttPacketScanner(packet.length).scan(packet).tooLarge).toBeUndefined();
    expect(new MqttPacketScanner(packet.length - 1).scan(packet).tooLarge?.bytes).toBe(packet.length);
  });

  it('never throws on hostile bytes and stops at a fifth length byte', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        new MqttPacketScanner(100).scan(bytes);
      }),
    );
    expect(
      new MqttPacketScanner(1 << 30).scan(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01])).malformed,
    ).toMatch(/four bytes/);
  });
});

describe('TokenBucket', () => {
  it('lets a burst through, then asks to wait in proportion to the excess', () => {
    let now = 0;
    const bucket = new TokenBucket(100, 100, () => now);
    expect(bucket.take(100)).toBe(0);
    expect(bucket.take(50)).toBe(500);
    now += 500;
    expect(bucket.take(0)).toBe(0);
    now += 10_000;
    expect(bucket.take(100)).toBe(0);
  });
});
