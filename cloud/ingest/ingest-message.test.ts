import { describe, expect, it } from 'vitest';
import { readDeviceMessage } from './ingest-message.js';
import { LogThrottle } from './log-throttle.js';

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value), 'utf8');

const link = { state: 'offline', deviceId: 'gw-1', reason: 'lost', version: '0.1.0', protocol: 'mqtt5' };
const report = { offerId: 'o-1', version: 'gbdt-2', status: 'rejected', reason: 'bad signature', ts: 5 };

describe('readDeviceMessage', () => {
  it('tells the link status from the health summary on the status topic', () => {
    const result = readDeviceMessage('emberwatch/v1/gw-1/status', json(link));
    expect(result).toEqual({ ok: true, value: { kind: 'link', deviceId: 'gw-1', message: link } });
    const health = readDeviceMessage('emberwatch/v1/gw-1/status', json({ kind: 'health', deviceId: 'gw-1' }));
    expect(health).toMatchObject({ ok: false, refusal: { reason: 'bad-schema' } });
  });

  it('takes the device of a model report from its topic', () => {
    expect(readDeviceMessage('emberwatch/v1/gw-2/model/report', json(report))).toEqual({
      ok: true,
      value: { kind: 'report', deviceId: 'gw-2', message: report },
    });
  });

  it.each([
    ['emberwatch/v2/gw-1/anomaly', json({}), 'foreign-topic'],
    ['emberwatch/v1/gw 1/anomaly', json({}), 'foreign-topic'],
    ['emberwatch/v1/gw-1/config', json({}), 'foreign-topic'],
    ['emberwatch/v1/gw-1/model/offer', json({}), 'foreign-topic'],
    ['emberwatch/v1/gw-1/status', Buffer.alloc(300_000, 0x20), 'too-large'],
    ['emberwatch/v1/gw-1/status', Buffer.from('{"state":'), 'bad-json'],
    ['emberwatch/v1/gw-1/status', Buffer.from([0xc3, 0x28]), 'bad-json'],
    ['emberwatch/v1/gw-1/status', json({ ...link, deviceId: 'gw-9' }), 'device-mismatch'],
    ['emberwatch/v1/gw-1/status', json({ ...link, state: 'asleep' }), 'bad-schema'],
    ['emberwatch/v1/gw-1/telemetry', json(null), 'bad-schema'],
  ])('%s refuses %#', (topic, payload, reason) => {
    const result = readDeviceMessage(topic, payload);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.refusal.reason).toBe(reason);
  });

  it('names the first bad field', () => {
    const result = readDeviceMessage('emberwatch/v1/gw-1/model/report', json({ ...report, status: 'eaten' }));
    expect(result).toMatchObject({
      ok: false,
      refusal: { detail: expect.stringMatching(/^status: /) as unknown },
    });
    const root = readDeviceMessage('emberwatch/v1/gw-1/anomaly', json([1]));
    expect(root).toMatchObject({
      ok: false,
      refusal: { detail: expect.stringMatching(/^\(root\): /) as unknown },
    });
  });
});

describe('LogThrottle', () => {
  it('lets one line per key through per interval and counts the rest', () => {
    const throttle = new LogThrottle(1000);
    expect(throttle.take('a', 0)).toEqual({ log: true, suppressed: 0 });
    expect(throttle.take('a', 10).log).toBe(false);
    expect(throttle.take('b', 20).log).toBe(true);
    expect(throttle.take('a', 500).log).toBe(false);
    expect(throttle.take('a', 1000)).toEqual({ log: true, suppressed: 2 });
  });
});
